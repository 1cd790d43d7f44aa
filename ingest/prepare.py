"""Steps 2–5 of ingest for one file: clean → print date → structure → chunks.

Pure text work, no model: what comes out is a Document and its Chunks, ready to embed.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from dataclasses import replace
from pathlib import Path

from config import Settings
from ingest.chunk import chunk_blocks, stamp_chunks
from ingest.clean import clean
from ingest.dates import extract_print_date
from ingest.load import IngestError, SourceFile
from ingest.structure import parse_blocks
from records import Chunk, Document


def prepare(source: SourceFile, settings: Settings) -> tuple[Document, list[Chunk]]:
    lines = clean(source.text)
    print_date, lines, stamps = extract_print_date(lines)
    blocks = parse_blocks(lines)
    if not blocks:
        raise IngestError(f"{source.name}: no procedure text left after cleaning")
    headings = next((b.section_path for b in blocks if b.section_path), ())
    title = source.entry.title or (headings[0] if headings else Path(source.name).stem)
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
    if source.page_starts:
        chunks = [replace(c, page=bisect_right(source.page_starts, c.start)) for c in chunks]
    body = "\n".join(line.text for line in lines if line.text)  # blank lines are layout, not content
    document = Document(
        source=source.name,
        title=title,
        area=source.entry.area,
        source_url=source.entry.source_url,
        print_date=print_date,
        text=source.text,
        content_hash=hashlib.sha256(body.encode("utf-8")).hexdigest(),
    )
    return document, chunks
