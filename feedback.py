"""Practitioners' thumbs up/down on answers, kept in a local JSON Lines file.

A record holds the rating, the cited sources and a random id of the answer (nothing of its
text); the question only when an admin has turned that on (ASSISTANT_FEEDBACK_KEEPS_QUESTIONS),
since questions can hold case details. An answer's latest record is its rating; a rating
taken back is a record with rating null.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable
from pathlib import Path

from jsonl import append_jsonl, read_jsonl

REMEMBERED = 10_000  # answers whose current rating is kept in memory, to drop repeats

_write_lock = threading.Lock()
_current: OrderedDict[str, str | None] = OrderedDict()


def record(path: Path, answer: str, rating: str | None, sources: list[dict], question: str | None) -> bool:
    """Record an answer's new rating (None: taken back) in the JSON Lines file at `path`."""
    return record_to(lambda entry: append_jsonl(path, entry), answer, rating, sources, question)


def record_to(write: Callable[[dict], None], answer: str, rating: str | None, sources: list[dict], question: str | None) -> bool:
    """Record an answer's new rating through `write` (a file or a database, journal.py); one equal
    to its current rating is not recorded again, since Gradio's feedback menu sends each choice
    twice. Returns whether written."""
    with _write_lock:
        if _current.get(answer) == rating:
            return False
        entry = {"at": time.strftime("%Y-%m-%dT%H:%M:%S"), "answer": answer, "rating": rating, "sources": sources if rating else []}
        if question is not None and rating:
            entry["question"] = question
        write(entry)
        _current[answer] = rating
        _current.move_to_end(answer)
        if len(_current) > REMEMBERED:
            _current.popitem(last=False)
        return True


def tallies(path: Path) -> tuple[dict[str, int], int]:
    """Answers per current rating, most first (records from before answer ids each count
    once), and how many lines could not be read (see jsonl.py)."""
    records, skipped = read_jsonl(path, required=("rating",))
    latest = {record.get("answer") or number: record["rating"] for number, record in enumerate(records)}
    return dict(Counter(str(rating) for rating in latest.values() if rating).most_common()), skipped
