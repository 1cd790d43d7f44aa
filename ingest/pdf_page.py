"""Step 1b of ingest for PDFs, one page: PyMuPDF's text → its blocks in reading order.

Lines carry their font size, weight and position; blocks are split where Word left an empty
line or set table cells side by side; margins that recur across pages are running headers
and footers; the smaller print under the text is footnotes; bands of blocks side by side are
table rows, or two columns of text read down the left first.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ingest.blocks import LINKED_SHARE, NUMBER

BULLETS = "•●▪◦‣∙·○-–*\uf0b7\uf0a7\uf076\uf0d8"
ITEM_MARKER = re.compile(r"^\s*(?:[" + re.escape(BULLETS) + r"]|o(?=\s)|\(?[a-z]\)|\(?[ivx]{1,4}\)|[a-z]\.(?=\s)|[ivx]{1,4}\.(?=\s))\s*")
# A paragraph number or list marker alone on its line, its text beside it ("12.", "•", "(a)").
MARKER_ALONE = re.compile(r"^\s*(?:" + NUMBER + r"\.?|[" + re.escape(BULLETS) + r"]|o|\(?[a-z]\)|\(?[ivx]{1,4}\)|[a-z]\.|[ivx]{1,4}\.)\s*$")
# A line opening a numbered paragraph: "3.52." (a trailing dot: "47 of the Act" wraps a sentence).
OPENS_PARAGRAPH = re.compile(r"^\s*" + NUMBER + r"\.(?:\s|$)")
OUTDENT = 4.0  # points left of the line before: a new paragraph's number hangs out of the text
PAGE_NUMBER = re.compile(r"^\s*(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?\s*$", re.IGNORECASE)
MARGIN_TOP, MARGIN_BOTTOM = 0.09, 0.88  # share of the page height: running headers above, footers below
RUNNING_SHARE = 0.2  # a margin line on at least this share of pages (and 2) runs through the document
SUPERSCRIPT = 0.8  # a number set this much smaller than the text is a footnote marker
CELL_GAP = 8.0  # points between blocks on one line: closer is one line written in pieces
TWO_COLUMNS = 0.4  # share of the page height two aligned columns must run down to be text, not a table


@dataclass
class PdfLine:
    text: str
    size: float
    bold: bool
    x0: float
    y0: float
    x1: float
    y1: float
    marker: bool = False  # starts with a bullet glyph set in a symbol font
    linked: float = 0.0  # width under a web link


@dataclass
class PdfBlock:
    lines: list[PdfLine]
    page: int

    @property
    def text(self) -> str:
        return " ".join(line.text for line in self.lines).strip()

    @property
    def size(self) -> float:
        return Counter({line.size: len(line.text) for line in self.lines}).most_common(1)[0][0]

    @property
    def bold(self) -> bool:
        return all(line.bold for line in self.lines if line.text.strip())

    @property
    def linked(self) -> bool:
        widths = sum(line.x1 - line.x0 for line in self.lines)
        return widths > 0 and sum(line.linked for line in self.lines) >= LINKED_SHARE * widths

    def box(self) -> tuple[float, float, float, float]:
        return (min(l.x0 for l in self.lines), min(l.y0 for l in self.lines), max(l.x1 for l in self.lines), max(l.y1 for l in self.lines))


def _is_bold(span: dict) -> bool:
    return bool(span["flags"] & 16) or "bold" in span["font"].lower()


def pdf_line(raw: dict, body_size: float) -> PdfLine | None:
    """A line's text without footnote markers: superscript digits set smaller than the text."""
    spans = [s for s in raw["spans"] if s["text"]]
    markers = [s["text"].strip().isdigit() and (s["flags"] & 1 or s["size"] < SUPERSCRIPT * body_size) and s["size"] < body_size - 1 for s in spans]
    kept = [s for s, marker in zip(spans, markers) if not marker]
    # A marker's own space may be the only one between two words ("fostering¹²³ occurs").
    text = "".join((" " if s["text"] != s["text"].strip() else "") if marker else s["text"] for s, marker in zip(spans, markers))
    if not text.strip():
        return None
    words = [s for s in kept if s["text"].strip()]
    size = max((s["size"] for s in words), default=body_size)
    first = words[0]["text"].strip() if words else ""
    # A bullet glyph, or Word's "o" sub-bullet set in a symbol or typewriter font.
    marker = first in BULLETS or (first == "o" and any(f in words[0]["font"].lower() for f in ("courier", "symbol", "wingding")))
    x0, y0, x1, y1 = raw["bbox"]
    return PdfLine(" ".join(text.split()), round(size, 1), all(_is_bold(s) for s in words), x0, y0, x1, y1, marker)


def _under_links(line: PdfLine, links: list[tuple[float, float, float, float]]) -> float:
    """How much of the line's width lies under the page's web links (their rectangles)."""
    covered = 0.0
    for x0, y0, x1, y1 in links:
        overlap_height = min(line.y1, y1) - max(line.y0, y0)
        if overlap_height > 0.5 * (line.y1 - line.y0):
            covered += max(0.0, min(line.x1, x1) - max(line.x0, x0))
    return min(covered, line.x1 - line.x0)


def page_blocks(page_dict: dict, number: int, body_size: float, links: list[tuple[float, float, float, float]] = ()) -> list[PdfBlock]:
    """The page's text blocks (from PyMuPDF's get_text("dict")), split where Word left an
    empty line inside one; each line knows how much of it is a web link's text."""
    blocks = []
    for raw in page_dict["blocks"]:
        if raw["type"] != 0:
            continue
        current: list[PdfLine] = []
        read = [pdf_line(raw_line, body_size) for raw_line in raw["lines"]]
        for line in read:
            if line is not None and links:
                line.linked = _under_links(line, links)
        lines = [line for line in read if line is not None]
        # Cells of a table row, not a paragraph number or bullet beside its text, nor a contents
        # entry beside its page number.
        if any(b.y0 < a.y1 - 2 and b.x0 > a.x1 + CELL_GAP and not MARKER_ALONE.match(a.text) and not b.text.isdigit() for a, b in zip(lines, lines[1:])):
            blocks += [PdfBlock([line], number) for line in lines]
            continue
        for line in read:
            # Word leaves no empty line before a numbered paragraph that follows a list item
            # ("• … financial support." / "3.52. In every case …"); its number hangs to the left.
            opens = line is not None and current and OPENS_PARAGRAPH.match(line.text) and line.x0 < current[-1].x0 - OUTDENT
            if line is None or opens:
                if current:
                    blocks.append(PdfBlock(current, number))
                current = [line] if opens else []
            else:
                current.append(line)
        if current:
            blocks.append(PdfBlock(current, number))
    return blocks


def running_texts(pages: list[list[PdfBlock]], heights: list[float]) -> set[str]:
    """Texts of margin blocks that recur across pages (digits ignored): headers and footers."""
    seen: Counter[str] = Counter()
    for blocks, height in zip(pages, heights):
        marginal = {re.sub(r"\d+", "#", b.text.lower()) for b in blocks if in_margin(b, height)}
        seen.update(marginal)
    needed = max(2, RUNNING_SHARE * len(pages))
    return {text for text, count in seen.items() if count >= needed}


def in_margin(block: PdfBlock, height: float) -> bool:
    _, y0, _, y1 = block.box()
    return y1 < MARGIN_TOP * height or y0 > MARGIN_BOTTOM * height


def is_contents_entry(block: PdfBlock, width: float) -> bool:
    """ "Summary ........ 4": a line ending in a page number set against the right margin."""
    last = block.lines[-1]
    return bool(re.search(r"\s\d{1,3}$", last.text) or (last.text.isdigit() and last.x0 > 0.75 * width)) and last.x1 > 0.8 * width


def split_items(block: PdfBlock) -> list[PdfBlock]:
    """A block holding several bullets (one per line start) is one block per bullet."""
    parts: list[PdfBlock] = []
    for line in block.lines:
        if parts and not (line.marker or (line.text[:1] in BULLETS and line.text[1:2] == " ")):
            parts[-1].lines.append(line)
        else:
            parts.append(PdfBlock([line], block.page))
    return parts if len(parts) > 1 and all(p.lines[0].marker or p.lines[0].text[:1] in BULLETS for p in parts) else [block]


def _columns(blocks: list[PdfBlock]) -> list[list[PdfBlock]]:
    """Blocks side by side, left to right: a new column where a block starts right of all before."""
    columns: list[list[PdfBlock]] = []
    for block in sorted(blocks, key=lambda b: b.box()[0]):
        if columns and block.box()[0] < max(b.box()[2] for b in columns[-1]) + CELL_GAP:
            columns[-1].append(block)
        else:
            columns.append([block])
    return [sorted(column, key=lambda b: b.box()[1]) for column in columns]


def _bands(blocks: list[PdfBlock]) -> list[list[PdfBlock]]:
    """Runs of blocks whose heights overlap, top to bottom: one band is a line of the page, a
    table row, or a stretch of two-column text."""
    bands: list[list[PdfBlock]] = []
    bottom = -1.0
    for block in sorted(blocks, key=lambda b: b.box()[1]):
        _, y0, _, y1 = block.box()
        if bands and y0 < bottom - 2:
            bands[-1].append(block)
            bottom = max(bottom, y1)
        else:
            bands.append([block])
            bottom = y1
    return bands


def in_reading_order(blocks: list[PdfBlock], height: float) -> list[PdfBlock | list[list[PdfBlock]]]:
    """Each band's blocks in order; blocks side by side are a table row (a list of cells),
    unless two columns at the same places run down much of the page: two-column text, read
    down the left column, then the right."""
    order: list[PdfBlock | list[list[PdfBlock]]] = []
    run: list[list[list[PdfBlock]]] = []  # consecutive two-column bands, columns aligned

    def flush() -> None:
        top, bottom = (min(b.box()[1] for c in run[0] for b in c), max(b.box()[3] for c in run[-1] for b in c)) if run else (0, 0)
        if bottom - top > TWO_COLUMNS * height:
            order.extend(block for side in (0, 1) for columns in run for block in columns[side])
        else:
            order.extend(run)
        run.clear()

    for band in _bands(blocks):
        columns = _columns(band) if len(band) > 1 else [band]
        aligned = run and len(columns) == 2 and all(abs(c[0].box()[0] - r[0].box()[0]) < 10 for c, r in zip(columns, run[-1]))
        if len(columns) == 2 and (not run or aligned):
            run.append(columns)
            continue
        flush()
        if len(columns) == 2:
            run.append(columns)
        elif len(columns) == 1:
            order += sorted(band, key=lambda b: (b.box()[1], b.box()[0]))
        else:
            order.append(columns)
    flush()
    return order


def split_footnotes(blocks: list[PdfBlock], body_size: float) -> tuple[list[PdfBlock], list[PdfBlock]]:
    """(body, footnotes): footnotes are the smaller print below the page's last body text."""
    body_bottom = max((b.box()[3] for b in blocks if b.size >= body_size - 0.5), default=0)
    notes = [b for b in blocks if b.size < body_size - 0.5 and b.box()[1] >= body_bottom - 1]
    return [b for b in blocks if b not in notes], notes
