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


def record_feedback(settings: Settings, rating: str, sources: list[dict], question: str | None) -> None:
    if settings.database is None:
        feedback.record(settings.feedback_path, rating, sources, question)
        return
    from searchindex import pgstore

    entry = {"at": time.strftime("%Y-%m-%dT%H:%M:%S"), "rating": rating, "sources": sources}
    pgstore.record_feedback(settings.database, {**entry, **({"question": question} if question is not None else {})})


def feedback_tallies(settings: Settings) -> dict[str, int]:
    if settings.database is None:
        return feedback.tallies(settings.feedback_path)
    from searchindex import pgstore

    return pgstore.feedback_tallies(settings.database)


def log_run(settings: Settings, index_dir: Path, report: ingest_report.Report, seconds: float) -> None:
    if settings.database is None:
        ingest_report.append_log(index_dir, report, seconds)
        return
    from searchindex import pgstore

    entry = {"finished_at": time.strftime("%Y-%m-%dT%H:%M:%S"), "seconds": round(seconds, 2), **report.to_json()}
    pgstore.append_log(settings.database, entry)


def read_log(settings: Settings, last: int = 20) -> list[dict]:
    if settings.database is None:
        return ingest_report.read_log(settings.index_dir, last)
    from searchindex import pgstore

    return pgstore.read_log(settings.database, last)
