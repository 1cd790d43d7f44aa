"""What one ingest run did: the summary printed at the end and kept, one JSON line per
run, in the index folder's ingest log."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from jsonl import append_jsonl, read_jsonl

LOG_NAME = "ingest-log.jsonl"
LOG_FIELDS = ("finished_at", "seconds", "added", "updated", "unchanged", "removed", "failed")


@dataclass
class Report:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)  # "name (print date old → new)" where it moved
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # one line each, naming the file and the reason
    kept: list[str] = field(default_factory=list)  # failed files whose earlier version is still served
    embedded: int = 0  # sentences that needed the model
    reused: int = 0  # sentences whose vectors came from the previous build
    build: Path | None = None

    def note_change(self, name: str, old: dict | None, new: dict) -> None:
        if old is None:
            self.added.append(name)
            return
        dates = (old.get("print_date"), new["print_date"])
        if dates[0] != dates[1]:
            self.updated.append(f"{name} (print date {dates[0] or 'not stated'} → {dates[1] or 'not stated'})")
        elif any(old.get(k) != new[k] for k in ("content_hash", "title", "area", "source_url")):
            self.updated.append(name)
        else:
            self.unchanged.append(name)

    def lines(self) -> list[str]:
        out = [
            f"added {len(self.added)}, updated {len(self.updated)}, unchanged {len(self.unchanged)}, "
            f"removed {len(self.removed)}, failed {len(self.failed)}; "
            f"embedded {self.embedded} sentences, reused {self.reused}"
        ]
        out += [f"  added: {name}" for name in self.added]
        out += [f"  updated: {name}" for name in self.updated]
        out += [f"  removed: {name}" for name in self.removed]
        out += [f"  failed: {line}" for line in self.failed]
        out += [f"  kept the earlier version of: {name}" for name in self.kept]
        return out

    def to_json(self) -> dict:
        data = asdict(self)
        data["build"] = str(self.build) if self.build else None
        return data


def append_log(index_dir: Path, report: Report, seconds: float) -> None:
    entry = {"finished_at": time.strftime("%Y-%m-%dT%H:%M:%S"), "seconds": round(seconds, 2), **report.to_json()}
    append_jsonl(index_dir / LOG_NAME, entry)


def read_log(index_dir: Path, last: int = 20) -> list[dict]:
    return read_log_counted(index_dir, last)[0]


def read_log_counted(index_dir: Path, last: int = 20) -> tuple[list[dict], int]:
    """The last `last` readable runs, and how many lines of the log could not be read."""
    entries, skipped = read_jsonl(index_dir / LOG_NAME, required=LOG_FIELDS)
    return entries[-last:], skipped
