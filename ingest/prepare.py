"""Steps 2–5 of ingest for one file: text or structured document → print date → blocks → chunks.

Pure text work, no model: what comes out is a Document and its Chunks, ready to embed.
Plain text and Markdown are read line by line (ingest/clean.py, ingest/structure.py); PDF,
HTML and Word arrive structured from their readers and are laid out (ingest/layout.py).
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

from config import Settings
from ingest.blocks import DATE_KINDS, StructuredDocument
from ingest.chunk import chunk_blocks, stamp_chunks
from ingest.clean import Line, clean
from ingest.dates import dated_statements, extract_print_date
from ingest.layout import lay_out, structure
from ingest.load import IngestError, SourceFile
from ingest.structure import Block, parse_blocks
from records import Chunk, Document


def _stated_dates(lines: list[Line], stamps: list[Line], read: str | StructuredDocument) -> tuple[tuple[str, str], ...]:
    """Every (kind, date) the document states about itself, newest of each kind first. Plain
    text states them in any line ("Published: July 2025"); a structured document's reader has
    found them where its layout puts them."""
    stating = stamps if isinstance(read, StructuredDocument) else stamps + lines
    found = [pair for line in stating for pair in dated_statements(line.text)]
    if isinstance(read, StructuredDocument):
        found += [(d.kind, d.date) for d in read.dates]
    ordered = sorted(set(found), key=lambda pair: (DATE_KINDS.index(pair[0]), [-int(p) for p in pair[1].split("-")]))
    return tuple(ordered)


class Read(NamedTuple):
    """A source as blocks, whichever reader it came through."""

    text: str  # what chunk offsets point into
    lines: list[Line]  # kept lines, the print lines taken out
    blocks: list[Block]
    print_date: str | None
    stamps: list[Line]  # the page's own print or update lines
    page_starts: tuple[int, ...]  # text offset where each PDF page begins (empty otherwise)
    links: tuple[tuple[int, str], ...]  # (text offset, text) of each block that is a link's text


def _read_blocks(source: SourceFile) -> Read:
    if isinstance(source.read, str):
        print_date, lines, stamps = extract_print_date(clean(source.read))
        return Read(source.read, lines, parse_blocks(lines), print_date, stamps, (), ())
    laid = lay_out(source.read)
    print_date, lines, stamps = extract_print_date(laid.lines)
    links = tuple((start, block.text) for start, block in laid.marks.items() if block.linked)
    return Read(laid.text, lines, structure(lines, laid.marks), print_date, stamps, laid.page_starts, links)


def prepare(source: SourceFile, settings: Settings) -> tuple[Document, list[Chunk]]:
    text, lines, blocks, print_date, stamps, page_starts, links = _read_blocks(source)
    if not blocks:
        raise IngestError(f"{source.name}: no procedure text left after cleaning")
    stated_title = source.read.title if isinstance(source.read, StructuredDocument) else None
    headings = next((b.section_path for b in blocks if b.section_path), ())
    title = source.entry.title or stated_title or (headings[0] if headings else Path(source.name).stem)
    dates = _stated_dates(lines, stamps, source.read)
    chunks = chunk_blocks(
        blocks,
        source=source.name,
        title=title,
        area=source.entry.area,
        print_date=print_date,
        pack_words=settings.chunk_pack_words,
        max_words=settings.chunk_max_words,
    )
    chunks += stamp_chunks(stamps, source=source.name, title=title, area=source.entry.area, print_date=print_date, first=len(chunks))
    chunks = [
        replace(c, dates=dates, page=bisect_right(page_starts, c.start) if page_starts else None, links=tuple(t for at, t in links if c.start <= at < c.end))
        for c in chunks
    ]
    body = "\n".join(line.text for line in lines if line.text)  # blank lines are layout, not content
    document = Document(
        source=source.name,
        title=title,
        area=source.entry.area,
        source_url=source.entry.source_url or (source.read.source_url if isinstance(source.read, StructuredDocument) else None),
        print_date=print_date,
        text=text,
        content_hash=hashlib.sha256(body.encode("utf-8")).hexdigest(),
        dates=dates,
    )
    return document, chunks
