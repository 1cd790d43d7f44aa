"""Step 1b of ingest for PDFs: a PDF's pages → a structured document (ingest/blocks.py).

PyMuPDF gives text with its fonts and positions; from them: headings (bookmarks, font size
and weight), numbered paragraphs, list items, table rows, footnotes kept out of the text,
running headers, footers and page numbers dropped, lines and hyphenated words rejoined.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ingest.blocks import StructuredDocument, TextBlock
from ingest.formats import FormatError
from ingest.dates import document_dates

BULLETS = "•●▪◦‣∙·○-–*\uf0b7\uf0a7\uf076\uf0d8"
ITEM_MARKER = re.compile(r"^\s*(?:[" + re.escape(BULLETS) + r"]|o(?=\s)|\(?[a-z]\)|\(?[ivx]{1,4}\)|[a-z]\.(?=\s)|[ivx]{1,4}\.(?=\s))\s*")
PARAGRAPH_NUMBER = re.compile(r"^\s*(\d{1,3}(?:\.\d{1,3}){0,2})\.?\s+(?=\S)")
PAGE_NUMBER = re.compile(r"^\s*(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?\s*$", re.IGNORECASE)
TERMINAL = ".!?:;\"'’”)"
MARGIN_TOP, MARGIN_BOTTOM = 0.09, 0.88  # share of the page height: running headers above, footers below
RUNNING_SHARE = 0.2  # a margin line on at least this share of pages (and 3) runs through the document
HEADING_MAX_WORDS = 25
SUPERSCRIPT = 0.8  # a number set this much smaller than the text is a footnote marker
CELL_GAP = 8.0  # points between blocks on one line: closer is one line written in pieces
CONTENTS = re.compile(r"^(?:table of )?contents$", re.IGNORECASE)


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

    def box(self) -> tuple[float, float, float, float]:
        return (min(l.x0 for l in self.lines), min(l.y0 for l in self.lines), max(l.x1 for l in self.lines), max(l.y1 for l in self.lines))


def _is_bold(span: dict) -> bool:
    return bool(span["flags"] & 16) or "bold" in span["font"].lower()


def _line(raw: dict, body_size: float) -> PdfLine | None:
    """A line's text without footnote markers: superscript digits set smaller than the text."""
    spans = [s for s in raw["spans"] if s["text"]]
    kept = [s for s in spans if not (s["text"].strip().isdigit() and (s["flags"] & 1 or s["size"] < SUPERSCRIPT * body_size) and s["size"] < body_size - 1)]
    text = "".join(s["text"] for s in kept)
    if not text.strip():
        return None
    words = [s for s in kept if s["text"].strip()]
    size = max((s["size"] for s in words), default=body_size)
    first = words[0]["text"].strip() if words else ""
    # A bullet glyph, or Word's "o" sub-bullet set in a symbol or typewriter font.
    marker = first in BULLETS or (first == "o" and any(f in words[0]["font"].lower() for f in ("courier", "symbol", "wingding")))
    x0, y0, x1, y1 = raw["bbox"]
    return PdfLine(" ".join(text.split()), round(size, 1), all(_is_bold(s) for s in words), x0, y0, x1, y1, marker)


def _is_marker(text: str) -> bool:
    """A paragraph number or list marker set apart from its text ("12.", "•", "(a)")."""
    stripped = text.strip()
    return bool(PARAGRAPH_NUMBER.match(stripped + " x") and PARAGRAPH_NUMBER.match(stripped + " x").end() == len(stripped) + 1) or bool(
        ITEM_MARKER.fullmatch(stripped + " ")
    )


def _page_blocks(page, number: int, body_size: float) -> list[PdfBlock]:
    """The page's text blocks, split where Word left an empty line inside one."""
    blocks = []
    for raw in page.get_text("dict")["blocks"]:
        if raw["type"] != 0:
            continue
        current: list[PdfLine] = []
        lines = [line for raw_line in raw["lines"] if (line := _line(raw_line, body_size)) is not None]
        # Cells of a table row, not a paragraph number or bullet beside its text, nor a contents
        # entry beside its page number.
        if any(b.y0 < a.y1 - 2 and b.x0 > a.x1 + CELL_GAP and not _is_marker(a.text) and not b.text.isdigit() for a, b in zip(lines, lines[1:])):
            blocks += [PdfBlock([line], number) for line in lines]
            continue
        for raw_line in raw["lines"]:
            line = _line(raw_line, body_size)
            if line is None:
                if current:
                    blocks.append(PdfBlock(current, number))
                current = []
            else:
                current.append(line)
        if current:
            blocks.append(PdfBlock(current, number))
    return blocks


def _running(pages: list[list[PdfBlock]], heights: list[float]) -> set[str]:
    """Texts of margin blocks that recur across pages (digits ignored): headers and footers."""
    seen: Counter[str] = Counter()
    for blocks, height in zip(pages, heights):
        marginal = {re.sub(r"\d+", "#", b.text.lower()) for b in blocks if _in_margin(b, height)}
        seen.update(marginal)
    needed = max(2, RUNNING_SHARE * len(pages))
    return {text for text, count in seen.items() if count >= needed}


def _in_margin(block: PdfBlock, height: float) -> bool:
    _, y0, _, y1 = block.box()
    return y1 < MARGIN_TOP * height or y0 > MARGIN_BOTTOM * height


def _is_contents_entry(block: PdfBlock, width: float) -> bool:
    """ "Summary ........ 4": a line ending in a page number set against the right margin."""
    last = block.lines[-1]
    return bool(re.search(r"\s\d{1,3}$", last.text) or (last.text.isdigit() and last.x0 > 0.75 * width)) and last.x1 > 0.8 * width


@dataclass
class Reading:
    """What the whole document says about its own layout, learnt before its blocks are read."""

    body_size: float
    heading_levels: dict[tuple[float, bool], int]  # (size, bold) → heading level
    bookmarks: dict[str, int]  # folded bookmark title → level
    words: set[str]  # every word of the document, to tell a split word from a hyphenated one


def fold(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _heading_level(block: PdfBlock, reading: Reading) -> int | None:
    text = block.text
    if not text or len(text.split()) > HEADING_MAX_WORDS or PAGE_NUMBER.match(text):
        return None
    level = reading.bookmarks.get(fold(text))
    if level is not None:
        return level
    styled = reading.heading_levels.get((block.size, block.bold))
    if styled is None or text.rstrip()[-1] in ".,;" or not (text[0].isupper() or text[0].isdigit()):
        return None
    return styled


def _join(lines: list[str], words: set[str]) -> str:
    """Lines into running text: a word split by a line-end hyphen is mended ("safe-" "guarding"
    → "safeguarding") where the document uses it whole, else kept as written ("multi-agency")."""
    text = ""
    for line in lines:
        if text.endswith("-") and len(text) > 1 and text[-2].isalpha() and line[:1].islower():
            head = re.search(r"(\w+)-$", text).group(1)
            tail = re.match(r"\w+", line)
            whole = (head + (tail.group(0) if tail else "")).lower()
            text = text[:-1] + line if whole in words else text + line
        else:
            text = f"{text} {line}" if text else line
    return " ".join(text.split())


def _classify(block: PdfBlock, reading: Reading) -> TextBlock:
    text = _join([line.text for line in block.lines], reading.words)
    level = _heading_level(block, reading)
    if level is not None:
        return TextBlock("heading", text, level=level, page=block.page)
    first = block.lines[0]
    marker = ITEM_MARKER.match(text)
    if first.marker or (marker and (marker.group(0).strip() in BULLETS or marker.group(0).strip().startswith("("))):
        bullet = marker and (first.marker or marker.group(0).strip() in BULLETS)
        return TextBlock("item", ITEM_MARKER.sub("", text, count=1).strip() if bullet else text, page=block.page)
    number = PARAGRAPH_NUMBER.match(text)
    if number:
        return TextBlock("paragraph", text[number.end():], number=number.group(1), page=block.page)
    return TextBlock("paragraph", text, page=block.page)


def _split_items(block: PdfBlock) -> list[PdfBlock]:
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


def _in_reading_order(blocks: list[PdfBlock], height: float) -> list[PdfBlock | list[list[PdfBlock]]]:
    """Each band's blocks in order; blocks side by side are a table row (a list of cells),
    unless two columns at the same places run down much of the page: two-column text, read
    down the left column, then the right."""
    order: list[PdfBlock | list[list[PdfBlock]]] = []
    run: list[list[list[PdfBlock]]] = []  # consecutive two-column bands, columns aligned

    def flush() -> None:
        top, bottom = (min(b.box()[1] for c in run[0] for b in c), max(b.box()[3] for c in run[-1] for b in c)) if run else (0, 0)
        if bottom - top > 0.4 * height:
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


def _footnotes(blocks: list[PdfBlock], body_size: float) -> tuple[list[PdfBlock], list[PdfBlock]]:
    """(body, footnotes): footnotes are the smaller print below the page's last body text."""
    body_bottom = max((b.box()[3] for b in blocks if b.size >= body_size - 0.5), default=0)
    notes = [b for b in blocks if b.size < body_size - 0.5 and b.box()[1] >= body_bottom - 1]
    return [b for b in blocks if b not in notes], notes


def _row(columns: list[list[PdfBlock]], reading: Reading) -> TextBlock:
    cells = [_join([line.text for block in column for line in block.lines], reading.words) for column in columns]
    return TextBlock("row", " | ".join(cell for cell in cells if cell), page=columns[0][0].page)


def _continues(before: TextBlock, after: TextBlock) -> bool:
    """A paragraph cut by a page break or a stray block boundary: no closing punctuation, and
    the next block starts in lower case."""
    return (
        before.kind in ("paragraph", "item", "footnote") and after.kind == "paragraph" and after.number is None
        and before.text[-1:] not in TERMINAL and after.text[:1].islower()
    )


def _flow(pages: list[tuple[list, list[PdfBlock]]], reading: Reading) -> list[TextBlock]:
    """Every page's blocks in reading order; a paragraph running over a page break is joined,
    and each page's footnotes follow the first paragraph that closes after them."""
    out: list[TextBlock] = []
    pending: list[TextBlock] = []
    for order, notes in pages:
        for item in order:
            block = _row(item, reading) if isinstance(item, list) else _classify(item, reading)
            if out and _continues(out[-1], block):
                last = out.pop()
                block = TextBlock(last.kind, _join([last.text, block.text], reading.words), last.level, last.number, last.page)
            elif pending and out and out[-1].text[-1:] in TERMINAL:
                out += pending
                pending = []
            out.append(block)
        pending += [TextBlock("footnote", _join([l.text for l in n.lines], reading.words), page=n.page) for n in notes]
    return out + pending


def _learn(document, pages: list[list[PdfBlock]]) -> Reading:
    sizes: Counter[tuple[float, bool]] = Counter()
    for blocks in pages:
        for block in blocks:
            for line in block.lines:
                sizes[(line.size, line.bold)] += len(line.text)
    by_size: Counter[float] = Counter()
    for (size, _), count in sizes.items():
        by_size[size] += count
    body_size = by_size.most_common(1)[0][0] if by_size else 12.0
    styles = sorted({s for s in sizes if s[0] > body_size + 0.5 or (s[0] == body_size and s[1])}, key=lambda s: (-s[0], not s[1]))
    bookmarks = {fold(title): level for level, title, _ in document.get_toc(simple=True) if fold(title)}
    words = {w.lower() for blocks in pages for b in blocks for l in b.lines for w in re.findall(r"[A-Za-z]+", l.text)}
    return Reading(body_size, {style: rank + 1 for rank, style in enumerate(styles)}, bookmarks, words)


def read_pdf(data: bytes) -> StructuredDocument:
    import pymupdf

    try:
        document = pymupdf.open(stream=data, filetype="pdf")
        raw = [(page, page.rect.width, page.rect.height) for page in document]
        sizes = Counter(round(s["size"], 1) for page, _, _ in raw[:3] for b in page.get_text("dict")["blocks"] if b["type"] == 0 for l in b["lines"] for s in l["spans"])
        guess = sizes.most_common(1)[0][0] if sizes else 12.0
        pages = [_page_blocks(page, number, guess) for number, (page, _, _) in enumerate(raw, start=1)]
    except (RuntimeError, ValueError) as error:
        raise FormatError(f"not a readable PDF ({error})") from None
    if not any(pages):
        raise FormatError("PDF has no text layer (a scan?): nothing to quote")
    reading = _learn(document, pages)
    running = _running(pages, [h for _, _, h in raw])
    laid_out = []
    for blocks, (_, width, height) in zip(pages, raw):
        kept = [
            b for b in blocks
            if not (_in_margin(b, height) and (re.sub(r"\d+", "#", b.text.lower()) in running or PAGE_NUMBER.match(b.text)))
            and not _is_contents_entry(b, width) and not CONTENTS.match(b.text)
        ]
        body, notes = _footnotes([part for b in kept for part in _split_items(b)], reading.body_size)
        laid_out.append((_in_reading_order(body, height), notes))
    blocks = _flow(laid_out, reading)
    return StructuredDocument(tuple(blocks), title_of(document, pages[0] if pages else [], reading.body_size, reading.words), tuple(document_dates(blocks)))


def title_of(document, first_page: list[PdfBlock], body_size: float, words: set[str]) -> str | None:
    """The title page's largest words when they stand out (a cover), else the PDF's own title."""
    cover = [line for block in first_page for line in block.lines if line.size >= 2 * body_size]
    if cover:
        largest = max(line.size for line in cover)
        return _join([line.text for line in cover if line.size == largest], words).strip()
    stated = (document.metadata or {}).get("title", "").strip()
    stated = re.sub(r"^Microsoft (?:Word|PowerPoint) - |\.docx?$", "", stated)
    return stated if len(stated.split()) >= 2 else None
