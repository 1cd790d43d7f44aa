"""Step 1 of ingest: find the corpus files, read their text and their manifest entries.

The manifest (corpus/manifest.toml) is optional per file; what it lacks is taken from
the text (the title) or left unstated (area, source URL).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

MANIFEST_NAME = "manifest.toml"
TEXT_SUFFIXES = {".txt", ".md"}


class IngestError(Exception):
    """A problem with one input file, said in one line that names it."""


@dataclass(frozen=True)
class ManifestEntry:
    title: str | None = None
    area: str | None = None
    source_url: str | None = None


@dataclass(frozen=True)
class SourceFile:
    path: Path
    name: str  # the corpus file name, kept for provenance and evaluation
    text: str
    entry: ManifestEntry


def read_manifest(folder: Path) -> dict[str, ManifestEntry]:
    path = folder / MANIFEST_NAME
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise IngestError(f"{path}: not valid TOML ({error})") from None
    entries = {}
    for name, fields in data.items():
        unknown = set(fields) - {"title", "area", "source_url"} if isinstance(fields, dict) else {"?"}
        if unknown:
            raise IngestError(f"{path}: entry [{name!r}] has unknown field(s) {sorted(unknown)}")
        entries[name] = ManifestEntry(**fields)
    return entries


def find_files(paths: list[Path]) -> list[Path]:
    """Corpus files under the given files or folders, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES)
        elif path.exists():
            found.append(path)
        else:
            raise IngestError(f"{path}: no such file or folder")
    return found


def read_text(path: Path) -> str:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise IngestError(f"{path.name}: not UTF-8 text (byte {error.start})") from None
    except OSError as error:
        raise IngestError(f"{path.name}: cannot be read ({error.strerror})") from None
    if not text.strip():
        raise IngestError(f"{path.name}: empty file")
    return text


def load(path: Path, manifest: dict[str, ManifestEntry]) -> SourceFile:
    return SourceFile(path, path.name, read_text(path), manifest.get(path.name, ManifestEntry()))
