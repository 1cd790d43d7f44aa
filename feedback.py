"""Practitioners' thumbs up/down on answers, kept in a local JSON Lines file.

A record holds the rating and the cited sources; the question only when an admin has
turned that on (ASSISTANT_FEEDBACK_KEEPS_QUESTIONS), since questions can hold case details.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path

from jsonl import append_jsonl, read_jsonl

_write_lock = threading.Lock()


def record(path: Path, rating: str, sources: list[dict], question: str | None) -> None:
    entry = {"at": time.strftime("%Y-%m-%dT%H:%M:%S"), "rating": rating, "sources": sources}
    if question is not None:
        entry["question"] = question
    with _write_lock:
        append_jsonl(path, entry)


def tallies(path: Path) -> tuple[dict[str, int], int]:
    """Records per rating, most first, and how many lines could not be read (see jsonl.py)."""
    records, skipped = read_jsonl(path, required=("rating",))
    return dict(Counter(str(r["rating"]) for r in records).most_common()), skipped
