"""Step 1c of ingest: the structured document every reader (PDF, HTML, Word) produces.

Readers say what each piece of text is (heading, numbered paragraph, list item, table row,
footnote, the publication's imprint) and where it was (page); ingest/layout.py turns that
into passages' blocks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A block this much of whose text is links' text is the title of another resource ("What to do
# if you're worried a child is being abused – DfE advice"): a signpost, not the document's words.
LINKED_SHARE = 0.7
CONTACT_LINK = re.compile(r"^\s*(?:tel|mailto|sms|callto):", re.IGNORECASE)


def is_contact_link(address: str | None) -> bool:
    """A phone or e-mail link ("LADO: 0121 675 1669"): a contact, the document's own words."""
    return bool(address and CONTACT_LINK.match(address))


def is_resource_link(address: str | None) -> bool:
    """A link to another page or document, never a contact: its text may be a signpost."""
    return bool(address) and not is_contact_link(address)

KINDS = ("heading", "paragraph", "item", "row", "footnote", "imprint")
DATE_KINDS = ("printed", "updated", "published", "in force")

NUMBER = r"\d{1,3}(?:\.\d{1,3}){0,2}"  # a paragraph's number as typed: "12", "3.52", "7.4.1"
# Without its dot a number opens a paragraph only before a capital: "16 and 17 year olds" and
# "24 hours is the limit" are sentences that start with a number.
PARAGRAPH_NUMBER = re.compile(r"^\s*(" + NUMBER + r")(?:\.\s+(?=\S)|\s+(?=[A-Z\"“‘'(\[]))")


@dataclass(frozen=True)
class TextBlock:
    kind: str  # one of KINDS
    text: str  # one piece of running text: lines joined, hyphenation mended, no markers
    level: int = 0  # a heading's depth, 1 the outermost
    number: str | None = None  # a numbered paragraph's number ("102"), or a footnote's
    page: int | None = None  # 1-based PDF page where the block starts
    linked: bool = False  # mostly a link's text: the title of another resource, a signpost to it


@dataclass(frozen=True)
class DocumentDate:
    kind: str  # one of DATE_KINDS
    date: str  # ISO 8601: YYYY-MM-DD, or YYYY-MM where only a month is given
    said: str  # the words it was read from, for `python -m ingest show`


@dataclass(frozen=True)
class StructuredDocument:
    blocks: tuple[TextBlock, ...]
    title: str | None = None  # as the document states it (metadata, title page, <title>)
    dates: tuple[DocumentDate, ...] = ()
    source_url: str | None = None  # the page's own canonical address, where it gives one
