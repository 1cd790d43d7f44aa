"""Practitioners' thumbs up/down on answers, kept in a local JSON Lines file.

A record holds the rating and the cited sources; the question only when an admin has
turned that on (ASSISTANT_FEEDBACK_KEEPS_QUESTIONS), since questions can hold case details.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from pathlib import Path

_write_lock = threading.Lock()


def record(path: Path, rating: str, sources: list[dict], question: str | None) -> None:
    entry = {"at": time.strftime("%Y-%m-%dT%H:%M:%S"), "rating": rating, "sources": sources}
    if question is not None:
        entry["question"] = question
    path.parent.mkdir(parents=True, exist_ok=True)
    with _write_lock, path.open("a", encoding="utf-8") as out:
        out.write(json.dumps(entry, ensure_ascii=False) + "\n")


def tallies(path: Path) -> dict[str, int]:
    if not path.exists():
        return {}
    counts = Counter(json.loads(line)["rating"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return dict(counts.most_common())
