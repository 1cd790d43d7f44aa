"""Admin uploads: a chapter file from a browser → a safely named file in the corpus folder.

The type and size are checked before anything is written, and the name is reduced to
plain characters so "../../etc/passwd.txt" or a name with control characters cannot
escape the folder or break a log line.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from ingest.formats import SUFFIXES
from ingest.load import IngestError

SAFE_CHARACTERS = re.compile(r"[^A-Za-z0-9 ._()\-]+")


def safe_name(name: str) -> str:
    """The last path component, with anything but letters, digits and . _ ( ) - space replaced."""
    base = re.split(r"[\\/]", name)[-1]
    cleaned = SAFE_CHARACTERS.sub("_", base).strip(" .")
    stem, dot, suffix = cleaned.rpartition(".")
    if not dot or not stem.strip("_ "):
        raise IngestError(f"{name!r}: not a usable file name")
    return f"{stem[:120]}.{suffix.lower()}"


def save_upload(source: Path, original_name: str, corpus_dir: Path, max_bytes: int) -> Path:
    name = safe_name(original_name)
    suffix = Path(name).suffix
    if suffix not in SUFFIXES:
        raise IngestError(f"{name}: unsupported file type (use {', '.join(sorted(SUFFIXES))})")
    size = source.stat().st_size
    if size > max_bytes:
        raise IngestError(f"{name}: too large ({size / 2**20:.1f} MB; the limit is {max_bytes / 2**20:.0f} MB)")
    target = corpus_dir / name
    partial = corpus_dir / f".{name}.part"
    shutil.copyfile(source, partial)
    partial.replace(target)  # an ingest never reads a half-copied upload
    return target
