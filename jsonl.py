"""JSON Lines files the tool appends to (the ingest log, feedback): read past damage, append
so that damage stays on its own line.

A kill or a full disk can leave a half-written last line (or a run of NUL bytes); a reader
that trusted every line would fail whole, as admin sign-in did (issue 24). Unreadable lines
are skipped and counted, so the admin can be told how many.
"""

from __future__ import annotations

import json
import os
from pathlib import Path


def read_jsonl(path: Path, required: tuple[str, ...] = ()) -> tuple[list[dict], int]:
    """Every record of the file that is a JSON object holding the `required` keys, in order,
    and how many non-blank lines were not; no file is no records."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return [], 0
    records, skipped = [], 0
    for line in data.split(b"\n"):
        if not line.strip(b" \t\r"):
            continue
        try:
            record = json.loads(line.decode("utf-8"))
        except ValueError:  # UnicodeDecodeError and JSONDecodeError alike
            record = None
        if isinstance(record, dict) and all(key in record for key in required):
            records.append(record)
        else:
            skipped += 1
    return records, skipped


def append_jsonl(path: Path, record: dict) -> None:
    """Add one record as one line; after a half-written last line, on a line of its own."""
    line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+b") as out:
        if out.seek(0, os.SEEK_END):
            out.seek(-1, os.SEEK_END)
            if out.read(1) != b"\n":
                line = b"\n" + line
        out.write(line)


def skipped_note(skipped: int, what: str) -> str:
    """" (2 unreadable lines of the ingest log skipped)", or nothing when none were."""
    return f" ({skipped} unreadable line{'s' if skipped != 1 else ''}{what} skipped)" if skipped else ""
