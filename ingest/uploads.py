"""Admin uploads: a chapter file from a browser → a safely named file in the corpus folder.

The type and size are checked before anything is written, and the name is reduced to
letters, digits and a little punctuation so "../../etc/passwd.txt" or a name with control
characters cannot escape the folder or break a log line. Letters of any script are kept
(ASCII-only cleaning made "résumé 名前.txt" and "r_sum_ _.txt" one file). A chapter of the
same name, in any case, is replaced only when the admin asks, and the replaced file is kept
in retired/<date>/ as retiring keeps it: an upload once silently overwrote a live chapter.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from datetime import date
from pathlib import Path

from ingest.formats import SUFFIXES
from ingest.load import IngestError, find_files
from ingest.manifest import retire

# Anything but letters and digits of any script, and . _ ( ) - space (\w is Unicode-aware).
UNSAFE_CHARACTERS = re.compile(r"[^\w .()\-]+")


def safe_name(name: str) -> str:
    """The last path component in NFC, with each run of other characters replaced by one _."""
    base = unicodedata.normalize("NFC", re.split(r"[\\/]", name)[-1])
    cleaned = UNSAFE_CHARACTERS.sub("_", base).strip(" .")
    stem, dot, suffix = cleaned.rpartition(".")
    if not dot or not stem.strip("_ "):
        raise IngestError(f"{name!r}: not a usable file name")
    return f"{stem[:120]}.{suffix.lower()}"


def _same_name(corpus_dir: Path, name: str) -> Path | None:
    """The corpus file whose name is `name` but for case (.TXT and .txt are one chapter to a person)."""
    return next((path for path in find_files([corpus_dir]) if path.name.casefold() == name.casefold()), None)


def save_upload(source: Path, original_name: str, corpus_dir: Path, max_bytes: int, *, replace: bool = False, today: date | None = None) -> Path:
    """Copy an upload into the corpus; a chapter of the same name only with `replace`, the
    replaced file (with its manifest entry, which stays for the new one) moved to retired/<today>/."""
    name = safe_name(original_name)
    suffix = Path(name).suffix
    if suffix not in SUFFIXES:
        raise IngestError(f"{name}: unsupported file type (use {', '.join(sorted(SUFFIXES))})")
    size = source.stat().st_size
    if size > max_bytes:
        raise IngestError(f"{name}: too large ({size / 2**20:.1f} MB; the limit is {max_bytes / 2**20:.0f} MB)")
    existing = _same_name(corpus_dir, name)
    if existing is not None and not replace:
        raise IngestError(f"{name}: a chapter of that name is already in the corpus ({existing.name}); tick \"Replace\" to replace it")
    if existing is not None:
        name = existing.name  # the same chapter: its manifest entry goes on applying
    partial = corpus_dir / f".{name}.part"
    shutil.copyfile(source, partial)
    if existing is not None:
        retire(corpus_dir, existing.name, today or date.today(), keep_entry=True)
    partial.replace(corpus_dir / name)  # an ingest never reads a half-copied upload
    return corpus_dir / name
