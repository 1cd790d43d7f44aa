"""Step 1b of ingest for PDFs: a PDF's pages (ingest/pdf_page.py) → a structured document
(ingest/blocks.py).

What the whole document shows (its body size, heading styles, bookmarks, words) decides what
each block is: a heading with its level, a numbered paragraph, a list item, a table row or a
footnote; lines and hyphenated words are rejoined, and a paragraph cut by a page break joined.
The publication's imprint on its last pages (copyright, licence, where to ask or order) is
marked as such: no passage is made of it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace

from ingest.blocks import PARAGRAPH_NUMBER, StructuredDocument, TextBlock, is_resource_link
from ingest.dates import document_dates, edition_line
from ingest.formats import FormatError
from ingest.pdf_page import (
    BULLETS, ITEM_MARKER, PAGE_NUMBER, PdfBlock, in_margin, in_reading_order, is_contents_entry,
    page_blocks, running_texts, split_footnotes, split_items,
)

TERMINAL = ".!?:;\"'’”)"
GOES_ON = ",;:)"  # a block opening with these continues a sentence (PyMuPDF splits a line at a footnote marker: "Act 2018³, and …")
HEADING_MAX_WORDS = 25
CONTENTS = re.compile(r"^(?:table of )?contents$", re.IGNORECASE)
COPYRIGHT = re.compile(r"^(?:©|copyright\s*©|crown copyright\b)", re.IGNORECASE)
IMPRINT_PAGES = 2  # a back cover, or a last page of text that the imprint shares


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
            text = f"{text} {line}" if text and line[:1] not in GOES_ON else text + line
    return " ".join(text.split())


def _classify(block: PdfBlock, reading: Reading) -> TextBlock:
    text = _join([line.text for line in block.lines], reading.words)
    level = _heading_level(block, reading)
    if level is not None and edition_line(text, alone=True):
        return TextBlock("imprint", text, page=block.page)  # a cover's "March 2015" in large type: the edition, no section or passage
    if level is not None:
        return TextBlock("heading", text, level=level, page=block.page)
    first = block.lines[0]
    marker = ITEM_MARKER.match(text)
    if first.marker or (marker and (marker.group(0).strip() in BULLETS or marker.group(0).strip().startswith("("))):
        bullet = marker and (first.marker or marker.group(0).strip() in BULLETS)
        return TextBlock("item", ITEM_MARKER.sub("", text, count=1).strip() if bullet else text, page=block.page, linked=block.linked)
    number = PARAGRAPH_NUMBER.match(text)
    if number:
        return TextBlock("paragraph", text[number.end():], number=number.group(1), page=block.page, linked=block.linked)
    return TextBlock("paragraph", text, page=block.page, linked=block.linked)


def _row(columns: list[list[PdfBlock]], reading: Reading) -> TextBlock:
    cells = [_join([line.text for block in column for line in block.lines], reading.words) for column in columns]
    return TextBlock("row", " | ".join(cell for cell in cells if cell), page=columns[0][0].page)


def _run_on(before: TextBlock, after: TextBlock, reading: Reading) -> TextBlock | None:
    """`before` and `after` as one block, when `after` continues it: no closing punctuation, and
    the next block starts in lower case or with a comma (a paragraph cut by a page break, a
    stray block boundary or a footnote marker). So does a heading that wraps (not one the bookmarks name whole); set in bold at
    the body's size, it was a sentence in bold (a call-out box: "The most important
    consideration is whether … is likely" / "to support the safeguarding of a child") and is
    read as a paragraph."""
    wraps = before.kind == "heading" and fold(before.text) not in reading.bookmarks
    continues = (before.kind in ("paragraph", "item", "footnote") or wraps) and after.kind == "paragraph" and after.number is None
    if not continues or before.text[-1:] in TERMINAL or not (after.text[:1].islower() or after.text[:1] in GOES_ON):
        return None
    in_bold = wraps and before.level == reading.heading_levels.get((reading.body_size, True))
    kind, level = ("paragraph", 0) if in_bold else (before.kind, before.level)
    return TextBlock(kind, _join([before.text, after.text], reading.words), level, before.number, before.page, before.linked and after.linked)


def _flow(pages: list[tuple[list, list[PdfBlock]]], reading: Reading) -> list[TextBlock]:
    """Every page's blocks in reading order; a paragraph running over a page break is joined,
    and each page's footnotes follow the first paragraph that closes after them."""
    out: list[TextBlock] = []
    pending: list[TextBlock] = []
    for order, notes in pages:
        for item in order:
            block = _row(item, reading) if isinstance(item, list) else _classify(item, reading)
            joined = _run_on(out[-1], block, reading) if out else None
            if joined:
                out.pop()
                block = joined
            elif pending and out and out[-1].text[-1:] in TERMINAL:
                out += pending
                pending = []
            out.append(block)
        pending += [TextBlock("footnote", _join([l.text for l in n.lines], reading.words), page=n.page) for n in notes]
    return out + pending


def _imprint(blocks: list[TextBlock], last_page: int) -> list[TextBlock]:
    """From a copyright line on the last pages to the end, the publication's imprint ("© Crown
    copyright 2025", its licence, "enquiries …", "Follow us on X"): it had been quoted as the end
    of the last section's passage ("… young adult carers … © Crown copyright 2023 This
    publication is licensed …"). Its dates are still read."""
    for start, block in enumerate(blocks):
        if block.page and block.page > last_page - IMPRINT_PAGES and COPYRIGHT.match(block.text):
            return blocks[:start] + [replace(b, kind="imprint") for b in blocks[start:]]
    return blocks


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


def _web_links(page, uri_kind: int) -> list[tuple[float, float, float, float]]:
    """Where the page's links to other pages or documents are (not phone or e-mail links)."""
    return [tuple(link["from"]) for link in page.get_links() if link.get("kind") == uri_kind and is_resource_link(link.get("uri"))]


def read_pdf(data: bytes) -> StructuredDocument:
    import pymupdf

    try:
        document = pymupdf.open(stream=data, filetype="pdf")
        # Each page read once: its text, size and the rectangles of its web links.
        raw = [(page.get_text("dict"), page.rect.width, page.rect.height, _web_links(page, pymupdf.LINK_URI)) for page in document]
        # The body size, guessed from the first pages, tells a footnote marker from the text.
        sizes = Counter(round(s["size"], 1) for page, *_ in raw[:3] for b in page["blocks"] if b["type"] == 0 for l in b["lines"] for s in l["spans"])
        guess = sizes.most_common(1)[0][0] if sizes else 12.0
        pages = [page_blocks(page, number, guess, links) for number, (page, _, _, links) in enumerate(raw, start=1)]
    except (RuntimeError, ValueError) as error:
        raise FormatError(f"not a readable PDF ({error})") from None
    if not any(pages):
        raise FormatError("PDF has no text layer (a scan?): nothing to quote")
    reading = _learn(document, pages)
    running = running_texts(pages, [h for _, _, h, _ in raw])
    laid_out = []
    for blocks, (_, width, height, _) in zip(pages, raw):
        kept = [
            b for b in blocks
            if not (in_margin(b, height) and (re.sub(r"\d+", "#", b.text.lower()) in running or PAGE_NUMBER.match(b.text)))
            and not is_contents_entry(b, width) and not CONTENTS.match(b.text)
        ]
        body, notes = split_footnotes([part for b in kept for part in split_items(b)], reading.body_size)
        laid_out.append((in_reading_order(body, height), notes))
    blocks = _imprint(_flow(laid_out, reading), len(raw))
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
