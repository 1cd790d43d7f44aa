"""Admin changes to the corpus folder, read back by ingest step 1 (ingest/load.py): manifest
entries written to manifest.toml after checking, and withdrawn chapters retired.

A retired chapter is moved, with its manifest entry, to retired/<date>/ inside the corpus
folder: ingest reads only the folder's own files, so the next ingest drops it from
answers, and nothing is ever deleted.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date
from pathlib import Path

from ingest.load import MANIFEST_NAME, IngestError, ManifestEntry, find_files, read_manifest, web_address

ARCHIVE = "retired"
MAX_CHARS = {"title": 200, "area": 100}
HEADER_FOR_NEW_FILE = "# Written by the admin screen: title, area and source address per corpus file.\n"


def checked_entry(title: str, area: str, source_url: str) -> ManifestEntry:
    """An entry from the admin's form; a blank field means "not stated". Raises IngestError
    in one line naming the field at fault."""
    given = {"title": title.strip(), "area": area.strip(), "source_url": source_url.strip()}
    for field, value in given.items():
        if not value.isprintable():
            raise IngestError(f"{field}: must be one line of plain text")
        if len(value) > MAX_CHARS.get(field, 2000):
            raise IngestError(f"{field}: at most {MAX_CHARS.get(field, 2000)} characters")
    if given["source_url"] and web_address(given["source_url"]) is None:
        raise IngestError("source_url: only an http:// or https:// address with a host name is accepted")
    return ManifestEntry(**{field: value or None for field, value in given.items()})


def corpus_file(corpus_dir: Path, name: str) -> Path:
    """The corpus file called `name`; anything else (a path, an archived file) is refused."""
    matches = [path for path in find_files([corpus_dir]) if path.name == name]
    if not matches:
        raise IngestError(f"{name!r}: no such file in the corpus folder")
    return matches[0]


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _header(path: Path) -> str:
    """The comment lines that open the manifest, kept when it is rewritten."""
    if not path.exists():
        return HEADER_FOR_NEW_FILE
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    first_table = next((i for i, line in enumerate(lines) if line.startswith("[")), len(lines))
    return "".join(lines[:first_table]).rstrip("\n") + "\n"


def write_manifest(folder: Path, entries: dict[str, ManifestEntry]) -> None:
    """Replace the folder's manifest with `entries` at once, keeping its opening comments."""
    path = folder / MANIFEST_NAME
    blocks = [_header(path)]
    for name, entry in sorted(entries.items()):
        fields = [f"{key} = {_toml_string(value)}" for key, value in asdict(entry).items() if value is not None]
        if fields:
            blocks.append("\n".join([f"[{_toml_string(name)}]", *fields]) + "\n")
    partial = folder / f".{MANIFEST_NAME}.part"
    partial.write_text("\n".join(blocks), encoding="utf-8")
    partial.replace(path)  # an ingest never reads a half-written manifest


def set_entry(corpus_dir: Path, name: str, entry: ManifestEntry) -> None:
    corpus_file(corpus_dir, name)
    entries = read_manifest(corpus_dir)
    entries[name] = entry
    write_manifest(corpus_dir, entries)


def _free_path(folder: Path, name: str) -> Path:
    """`name` in `folder`, numbered "(2)", "(3)"… if a file of that name was retired there already."""
    target, number = folder / name, 1
    while target.exists():
        number += 1
        target = folder / f"{Path(name).stem} ({number}){Path(name).suffix}"
    return target


def retire(corpus_dir: Path, name: str, today: date, *, keep_entry: bool = False) -> Path:
    """Move the chapter and its manifest entry to retired/<today>/; returns where it went.
    With `keep_entry` (a chapter being replaced) the entry is copied there and also stays."""
    source = corpus_file(corpus_dir, name)
    archive = corpus_dir / ARCHIVE / today.isoformat()
    archive.mkdir(parents=True, exist_ok=True)
    target = _free_path(archive, name)
    entries = read_manifest(corpus_dir)
    entry = entries.get(name) if keep_entry else entries.pop(name, None)
    if entry is not None:
        write_manifest(archive, {**read_manifest(archive), target.name: entry})
    source.replace(target)
    if not keep_entry:
        write_manifest(corpus_dir, entries)
    return target
