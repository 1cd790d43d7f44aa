"""Step 1 of ingest: find the corpus files, read their text and their manifest entries.

The manifest (corpus/manifest.toml) is optional per file; what it lacks is taken from
the text (the title) or left unstated (area, source URL).
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from config import Settings
from ingest.blocks import StructuredDocument
from ingest.formats import SUFFIXES, FormatError, read

MANIFEST_NAME = "manifest.toml"
MAX_URL_CHARS = 2000
# Characters that have no place in an address a page is linked to (spaces, quotes,
# angle brackets, backslashes, control characters): an address holding one is not linked.
_NOT_IN_ADDRESS = re.compile(r"[\s\x00-\x1f\x7f<>\"'`\\]")
_HOST = re.compile(r"[a-z0-9-]+(?:\.[a-z0-9-]+)*")


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
    read: str | StructuredDocument  # plain text and Markdown as text, other formats structured
    entry: ManifestEntry
    file_hash: str  # of the bytes on disk: the same hash means nothing to redo


def web_address(url: str) -> str | None:
    """`url` if it is a plain http(s) address with a host name (no user or password), else None."""
    if len(url) > MAX_URL_CHARS or _NOT_IN_ADDRESS.search(url):
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or parts.username is not None or not _HOST.fullmatch(parts.hostname or ""):
        return None
    return url


def shown(name: str) -> str:
    """A file name safe to print on one line: control characters escaped."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in name)


def one_line(error: BaseException, limit: int = 200) -> str:
    """An exception as a short single line: its type, and its message with newlines folded."""
    message = " ".join(str(error).split())
    return f"{type(error).__name__}: {message[:limit]}" if message else type(error).__name__


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
        entry = ManifestEntry(**fields)
        if entry.source_url is not None and web_address(entry.source_url) is None:
            raise IngestError(f"{path}: entry [{name!r}] source_url is not an http:// or https:// address")
        entries[name] = entry
    return entries


def find_files(paths: list[Path]) -> list[Path]:
    """Corpus files under the given files or folders, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(
                p for p in path.iterdir()
                if (p.is_file() or p.is_symlink()) and p.suffix.lower() in SUFFIXES and not p.name.startswith(".")
            )
        elif path.exists() or path.is_symlink():
            found.append(path)
        else:
            raise IngestError(f"{shown(str(path))}: no such file or folder")
    return found


def read_bytes(path: Path, max_bytes: int) -> bytes:
    name = shown(path.name)
    if path.suffix.lower() not in SUFFIXES:
        raise IngestError(f"{name}: unsupported file type (use {', '.join(sorted(SUFFIXES))})")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise IngestError(f"{name}: too large ({size / 2**20:.1f} MB; the limit is {max_bytes / 2**20:.0f} MB)")
        return path.read_bytes()
    except OSError as error:
        raise IngestError(f"{name}: cannot be read ({error.strerror or error})") from None


def load(path: Path, manifest: dict[str, ManifestEntry], settings: Settings) -> SourceFile:
    """The file read (within the settings' size and zip-expansion limits) and its text extracted."""
    data = read_bytes(path, settings.max_file_mb * 2**20)
    try:
        content = read(path.suffix, data, **settings.zip_limits())
    except FormatError as error:
        raise IngestError(f"{shown(path.name)}: {error}") from None
    except MemoryError:
        raise
    except Exception as error:  # noqa: BLE001 - a library failing on a damaged file (a zip or XML error) fails that file alone
        raise IngestError(f"{shown(path.name)}: not a readable {path.suffix.lower()} file ({one_line(error)})") from None
    if not (content.strip() if isinstance(content, str) else any(b.text.strip() for b in content.blocks)):
        raise IngestError(f"{shown(path.name)}: empty file")
    entry = manifest.get(path.name, ManifestEntry())
    return SourceFile(path, path.name, content, entry, hashlib.sha256(data).hexdigest())
