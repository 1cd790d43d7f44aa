"""What the admin page (admin.py) shows, read from the live index, its ingest log and the
feedback (files, or the database replicas share: journal.py): the corpus table, the run log,
and which chapters need review first.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from answer import currency
from config import Settings
from journal import feedback_tallies, read_log
from jsonl import skipped_note
from records import Chunk
from searchindex import store
from searchindex.stores import StoreUnavailable

CORPUS_COLUMNS = ["file", "title", "area", "source address", "print date", "chunks", "last ingested"]
LOG_COLUMNS = ["finished", "seconds", "added", "updated", "removed", "failed"]
REVIEW_COLUMNS = ["file", "title", "date (printed, updated, published…)", "months since", "passages", "passages with currency warnings"]
OLDEST_FIRST = "Oldest print first"
MOST_WARNINGS_FIRST = "Most currency warnings first"


def _documents(settings: Settings) -> dict[str, dict]:
    return (store.read_manifest(settings.index_dir) or {}).get("documents", {})


def corpus_rows(settings: Settings) -> list[list]:
    return [
        [name, d.get("title"), d.get("area") or "not stated", d.get("source_url") or "not stated",
         d.get("print_date") or "not stated", d.get("chunks"), d.get("ingested_at")]
        for name, d in sorted(_documents(settings).items())
    ]


def log_rows(settings: Settings) -> list[list]:
    return [
        [e["finished_at"], e["seconds"], len(e["added"]), len(e["updated"]), len(e["removed"]), len(e["failed"])]
        for e in reversed(_log(settings))
    ]


def _log(settings: Settings, last: int = 20) -> list[dict]:
    try:
        return read_log(settings, last)[0]
    except StoreUnavailable:
        return []  # last_summary says why


def last_summary(settings: Settings) -> str:
    try:
        entries, skipped = read_log(settings, last=1)
    except StoreUnavailable as error:
        return unavailable(error)
    note = skipped_note(skipped, " of the ingest log")
    if not entries:
        return "No ingest has been logged yet." + note
    e = entries[0]
    lines = [f"{e['finished_at']} ({e['seconds']} s): added {len(e['added'])}, updated {len(e['updated'])}, "
             f"unchanged {len(e['unchanged'])}, removed {len(e['removed'])}, failed {len(e['failed'])}{note}"]
    lines += [f"updated: {u}" for u in e["updated"]] + [f"failed: {f}" for f in e["failed"]]
    return "\n".join(lines)


def unavailable(problem: object) -> str:
    return f"Publishing is unavailable: {problem}. Answers go on from this replica's cached build; it reconnects by itself."


def feedback_summary(settings: Settings) -> str:
    try:
        counts, skipped = feedback_tallies(settings)
    except StoreUnavailable:
        return "Feedback: unavailable while the database cannot be reached."
    if not counts:
        return "Feedback: none yet." + skipped_note(skipped, "")
    return "Feedback: " + ", ".join(f"{rating} {count}" for rating, count in counts.items()) + skipped_note(skipped, "")


def review_rows(settings: Settings, chunks: list[Chunk], rules: list[currency.Rule], order: str, today: date) -> list[list]:
    """One row per indexed chapter: how old its stated date is and how many of its passages name
    superseded guidance. An undated chapter counts as the oldest: nobody knows its age."""
    passages = Counter(chunk.source for chunk in chunks)
    warned = Counter(chunk.source for chunk in chunks if currency.superseded(chunk, rules))
    # The date a document states about itself, with its kind (a guidance PDF states when it was
    # published, not printed): the same date its citations show.
    dated = {chunk.source: chunk.dated for chunk in chunks}
    rows = []
    for name, d in _documents(settings).items():
        kind, stated = dated.get(name) or ("printed", d.get("print_date"))
        months = currency.age_in_months(stated, today) if stated else None
        rows.append([name, d.get("title"), f"{kind} {stated}" if stated else "not stated", months, passages[name], warned[name]])
    if order == MOST_WARNINGS_FIRST:
        rows.sort(key=lambda row: (-row[5], _oldest_first(row)))
    else:
        rows.sort(key=lambda row: (_oldest_first(row), -row[5]))
    return [[*row[:3], "unknown" if row[3] is None else row[3], *row[4:]] for row in rows]


def _oldest_first(row: list) -> float:
    return float("-inf") if row[3] is None else -row[3]
