"""Step 1b of ingest for Markdown: a .md file's bytes → a structured document (ingest/blocks.py).

markdown-it-py parses it as CommonMark (with tables) and the HTML it renders is read block by
block like a web page: only `#` lines are headings, a numbered or bulleted list is items under
its lead-in, a hard-wrapped paragraph is one paragraph, a table is rows. Raw HTML in the file
is shown as the text it is, never run as markup.
"""

from __future__ import annotations

import lxml.html
from markdown_it import MarkdownIt

from ingest.blocks import StructuredDocument
from ingest.dates import stated_dates
from ingest.formats import FormatError, plain_text
from ingest.read_html import INLINE, page_blocks, relative_levels

MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")


def read_markdown(data: bytes) -> StructuredDocument:
    """The file's headings, paragraphs, list items and table rows; its first top heading as title."""
    rendered = MARKDOWN.render(plain_text(data))
    if not rendered.strip():
        raise FormatError("no text in the Markdown file")
    blocks = relative_levels(page_blocks(lxml.html.document_fromstring(f"<html><body>{rendered}</body></html>"), set(), INLINE))
    if not blocks:
        raise FormatError("no text in the Markdown file")
    title = next((b.text for b in blocks if b.kind == "heading" and b.level == 1), None)
    return StructuredDocument(tuple(blocks), title, stated_dates(blocks))
