"""Where feedback and the ingest log are kept: JSON Lines files on a single machine
(feedback.py, ingest/report.py), PostgreSQL tables when the store is a database shared by
several replicas (searchindex/pgstore.py), where many writers are safe.

With a database, each call raises StoreUnavailable (one line) while it cannot be reached.
"""

from __future__ import annotations

import time
from pathlib import Path

import feedback
from config import Settings
from ingest import report as ingest_report


def record_feedback(settings: Settings, answer: str, rating: str | None, sources: list[dict], question: str | None) -> bool:
    """An answer's new rating (None: taken back), as feedback.py keeps it; whether it was written."""
    if settings.database is None:
        return feedback.record(settings.feedback_path, answer, rating, sources, question)
    from searchindex import pgstore

    return feedback.record_to(lambda entry: pgstore.record_feedback(settings.database, entry), answer, rating, sources, question)


def feedback_tallies(settings: Settings) -> tuple[dict[str, int], int]:
    """Answers per current rating, and how many records could not be read (a file's damaged lines)."""
    if settings.database is None:
        return feedback.tallies(settings.feedback_path)
    from searchindex import pgstore

    return pgstore.feedback_tallies(settings.database), 0


def log_run(settings: Settings, index_dir: Path, report: ingest_report.Report, seconds: float) -> None:
    if settings.database is None:
        ingest_report.append_log(index_dir, report, seconds)
        return
    from searchindex import pgstore

    entry = {"finished_at": time.strftime("%Y-%m-%dT%H:%M:%S"), "seconds": round(seconds, 2), **report.to_json()}
    pgstore.append_log(settings.database, entry)


def read_log(settings: Settings, last: int = 20) -> tuple[list[dict], int]:
    """The last `last` runs, oldest first, and how many log records could not be read."""
    if settings.database is None:
        return ingest_report.read_log_counted(settings.index_dir, last)
    from searchindex import pgstore

    return pgstore.read_log(settings.database, last), 0
