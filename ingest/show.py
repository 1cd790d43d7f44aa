"""How one file was read, for an admin to check before practitioners see it: its title, the
dates it states (with their kinds), its headings and its passages, as ingest would index them.

Example:
    python -m ingest show corpus/000_7e969022eef22aac.txt
    python -m ingest show ../shared/realdocs/Keeping_children_safe_in_education_2025.pdf --passages 20
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from config import Settings
from ingest.load import load, read_manifest
from ingest.prepare import prepare

PREVIEW_CHARS = 400


def describe(path: Path, settings: Settings, passages: int | None = None) -> str:
    """The reading of `path` as plain text; raises IngestError (one line naming the file)."""
    source = load(path, read_manifest(path.parent), settings)
    document, chunks = prepare(source, settings)
    body = [c for c in chunks if not c.stamp]
    words = [len(c.text.split()) for c in body] or [0]
    lines = [
        f"file: {path.name}",
        f"title: {document.title}",
        "dates: " + ("; ".join(f"{kind} {iso}" for kind, iso in document.dates) or "not stated"),
        f"print date: {document.print_date or 'not stated'}",
        f"source address: {document.source_url or 'not stated'}",
        f"passages: {len(body)} (median {statistics.median(words):.0f} words, shortest {min(words)}, longest {max(words)})",
        "",
        "headings:",
    ]
    seen: set[tuple[str, ...]] = set()
    for chunk in body:
        for depth in range(1, len(chunk.section_path) + 1):
            path_so_far = chunk.section_path[:depth]
            if path_so_far not in seen:
                seen.add(path_so_far)
                lines.append(f"{'  ' * depth}{path_so_far[-1]}")
    lines += ["", "passages:"]
    for chunk in chunks[:passages] if passages is not None else chunks:
        text = chunk.text if len(chunk.text) <= PREVIEW_CHARS else chunk.text[:PREVIEW_CHARS] + " …"
        lines += [f"[{chunk.id}] {chunk.section or '(no section)'}{' · print line' if chunk.stamp else ''}", f"    {text.replace(chr(10), chr(10) + '    ')}"]
    return "\n".join(lines)


def main(argv: list[str], settings: Settings) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest show", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", type=Path, help="a corpus file (.txt, .md, .html, .pdf, .docx)")
    parser.add_argument("--passages", type=int, help="show only the first N passages")
    args = parser.parse_args(argv)
    print(describe(args.file, settings, args.passages))
    return 0
