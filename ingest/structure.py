"""Step 4 of ingest: cleaned lines → blocks (paragraphs and lists) with their section path.

Headings ("1.2 Introduction", "Chapter 1. …", "2. Principles …", short title lines) build
the path; a number alone on a line ("14.") opens a numbered paragraph; a list keeps the
sentence that leads into it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.clean import Line
from ingest.dates import dated_statements
from records import leads_in

ITEM_MARK = re.compile(r"^\s*(?:[•·▪◦‣∙*\-–]|\(?[0-9]{1,2}[.)]|\(?[a-z][.)]|\([ivx]+\))\s+")
BULLET = re.compile(ITEM_MARK.pattern + r"(?=\S)")
PARAGRAPH_NUMBER = re.compile(r"^\s*(\d{1,3}(?:\.\d{1,3})?)\.?\s*$")
NUMBERED_HEADING = re.compile(r"^(?:(?:chapter|section|part)\s+)?(\d+(?:\.\d+)*)\.?\s+\S", re.IGNORECASE)
FOOTNOTE = re.compile(r"^\s*(?:\[\d+\]|[¹²³⁴⁵⁶⁷⁸⁹⁰]+|\*)\s+\S")
MARKDOWN_HEADING = re.compile(r"^(#{1,6})\s+(\S.*?)\s*#*\s*$")  # "## Referrals": level 2
HEADING_MAX_WORDS = 15
HEADING_MAX_CHARS = 120


@dataclass
class Block:
    kind: str  # "paragraph" | "list"
    lines: list[Line]
    section_path: tuple[str, ...]
    paragraph: str | None = None  # the numbered paragraph it belongs to
    lead: Line | None = None  # for a list: the sentence that introduces it
    items: list[list[Line]] = field(default_factory=list)  # for a list: item lines (continuations kept)

    @property
    def words(self) -> int:
        return sum(len(line.text.split()) for line in self.lines)


def _looks_like_heading(text: str) -> bool:
    """A short unindented line without closing punctuation; "1. Agreed Policy" counts, "- item" not."""
    stripped = text.strip()
    if text != text.lstrip() or not stripped or FOOTNOTE.match(text):
        return False
    if BULLET.match(text) and not NUMBERED_HEADING.match(text):
        return False
    if len(stripped) > HEADING_MAX_CHARS or len(stripped.split()) > HEADING_MAX_WORDS:
        return False
    return stripped[-1] not in ".,;:" and (stripped[0].isupper() or stripped[0].isdigit())


def _is_item(text: str) -> bool:
    return bool(BULLET.match(text)) and not _looks_like_heading(text)


def _wraps_on(lines: list[Line], i: int) -> bool:
    """Whether line i is a wrapped paragraph's line: the very next line goes on in lower case."""
    following = lines[i + 1].text.lstrip() if i + 1 < len(lines) else ""
    return following[:1].islower()


def _next_text(lines: list[Line], i: int) -> Line | None:
    for line in lines[i + 1 :]:
        if line.text:
            return line
    return None


class _Path:
    """The heading stack: numbered headings nest by depth, plain ones under the last heading."""

    def __init__(self) -> None:
        self.stack: list[tuple[int, str, bool]] = []  # (level, heading, numbered)
        self.body_since_heading = True

    def push(self, heading: str, marked: int | None = None) -> None:
        """Add a heading; `marked` is a level the text states (Markdown's #), else one is judged."""
        numbered = NUMBERED_HEADING.match(heading)
        if marked is not None:
            level = marked
        elif not self.stack:
            level = 0
        elif numbered:
            level = numbered.group(1).count(".") + 1
        elif not self.body_since_heading:
            level = self.stack[-1][0] + 1
        else:
            top_level, _, top_numbered = self.stack[-1]
            level = top_level if top_level >= 1 and not top_numbered else top_level + 1
        while self.stack and self.stack[-1][0] >= level and level > 0:
            self.stack.pop()
        self.stack.append((level, heading, bool(numbered)))
        self.body_since_heading = False

    def current(self) -> tuple[str, ...]:
        return tuple(heading for _, heading, _ in self.stack)


def _classify(lines: list[Line], i: int) -> str:
    text = lines[i].text
    if not text:
        return "blank"
    if MARKDOWN_HEADING.match(text):
        return "heading"
    if PARAGRAPH_NUMBER.match(text):
        return "number"
    if _is_item(text):
        return "item"
    if _looks_like_heading(text) and not _wraps_on(lines, i) and not dated_statements(text):
        following = _next_text(lines, i)
        if following is not None and _is_item(following.text):
            return "text"  # a short lead-in to a list, e.g. "Children have said that they need"
        return "heading"
    return "text"


def _is_lead_in(block: Block | None) -> bool:
    if block is None or block.kind != "paragraph" or not block.lines:
        return False
    last = block.lines[-1].text.rstrip()
    return leads_in(last) or _looks_like_heading(last)


def parse_blocks(lines: list[Line]) -> list[Block]:
    """Group cleaned lines into paragraph and list blocks, each with its section path."""
    path, blocks = _Path(), []
    paragraph: str | None = None
    previous_kind = "blank"
    for i, line in enumerate(lines):
        kind = _classify(lines, i)
        if kind == "heading":
            marked = MARKDOWN_HEADING.match(line.text)
            path.push(marked.group(2), len(marked.group(1))) if marked else path.push(line.text.strip())
            paragraph = None
        elif kind == "number":
            paragraph = PARAGRAPH_NUMBER.match(line.text).group(1)
            path.body_since_heading = True
        elif kind == "item":
            last = blocks[-1] if blocks else None
            if last is not None and last.kind == "list" and last.paragraph == paragraph and last.section_path == path.current():
                last.items.append([line])
            else:
                lead_block = last if _is_lead_in(last) and last.section_path == path.current() else None
                if lead_block is not None:
                    blocks.pop()
                lead = lead_block.lines[-1] if lead_block else None
                lead_lines = lead_block.lines if lead_block else []
                blocks.append(Block("list", lead_lines, path.current(), paragraph, lead, [[line]]))
            path.body_since_heading = True
        elif kind == "text":
            last = blocks[-1] if blocks else None
            if previous_kind == "item" and last is not None and last.kind == "list":
                last.items[-1].append(line)  # a continuation line under a list item
            else:
                blocks.append(Block("paragraph", [line], path.current(), paragraph))
            path.body_since_heading = True
        previous_kind = kind
    for block in blocks:
        if block.kind == "list":
            block.lines = block.lines + [item_line for item in block.items for item_line in item]
    return blocks
