"""Step 2 of ingest: raw text → cleaned lines, with web-page chrome removed.

Every kept line remembers its offsets in the original file so a chunk can point back
to it. Rules are data: add a pattern here when a new site's chrome shows up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Whole lines that are site furniture, never procedure text.
CHROME_LINES = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"size:\s*view this website with .*",
        r"please select a partnership to see additional information:?",
        r"powered by tri\.?x",
        r"click here to return to the top of (this|the) page\.?",
        r"(back|return) to top( of page)?\.?",
        r"hits:\s*[\d,]+",
        r"print this page\.?",
    )
]

# A "Contents" heading followed by a block of short link lines.
CONTENTS_HEADING = re.compile(r"(table of )?contents:?", re.IGNORECASE)
CONTENTS_ENTRY_MAX_WORDS = 15

# Markdown emphasis left over from conversion: **bold**, __bold__, *italic*, _italic_.
EMPHASIS = [
    re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"),
    re.compile(r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])"),
    re.compile(r"(?<![\w_])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![\w_])"),
]


@dataclass(frozen=True)
class Line:
    start: int  # offset of the line in the original text
    end: int
    text: str  # cleaned content; "" for a blank line


def split_lines(text: str) -> list[Line]:
    lines, offset = [], 0
    for raw in text.splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        lines.append(Line(offset, offset + len(body), body))
        offset += len(raw)
    return lines


def strip_emphasis(text: str) -> str:
    for pattern in EMPHASIS:
        text = pattern.sub(lambda m: m.group(m.lastindex), text)
    return text


def is_chrome(text: str) -> bool:
    return any(p.fullmatch(text.strip()) for p in CHROME_LINES)


def _normalise(line: Line) -> Line:
    text = line.text.replace("\u00a0", " ").rstrip()
    if not text.strip():
        text = ""
    return Line(line.start, line.end, strip_emphasis(text))


def _drop_contents_lists(lines: list[Line]) -> list[Line]:
    kept: list[Line] = []
    i = 0
    while i < len(lines):
        if CONTENTS_HEADING.fullmatch(lines[i].text.strip()):
            j = i + 1
            while j < len(lines) and not lines[j].text:
                j += 1
            end = j
            while end < len(lines) and lines[end].text and (
                len(lines[end].text.split()) <= CONTENTS_ENTRY_MAX_WORDS
            ):
                end += 1
            if end > j and (end == len(lines) or not lines[end].text):
                i = end
                continue
        kept.append(lines[i])
        i += 1
    return kept


def clean(text: str) -> list[Line]:
    """Lines of `text` without chrome or emphasis markup, blank lines kept as paragraph breaks."""
    lines = [_normalise(line) for line in split_lines(text)]
    lines = [line for line in lines if not is_chrome(line.text)]
    return _drop_contents_lists(lines)
