"""Answering step 0a: the field's vocabulary (corpus/thesaurus.toml) as data.

Acronyms, lay words and chat spellings, each mapped to the words procedures use. A bad
entry is one error naming the file and line; nothing half-loaded is ever used.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from searchindex.terms import words

TABLES = ("acronyms", "lay", "chat")
MAX_PHRASE_WORDS = 3


class ThesaurusError(ValueError):
    """The thesaurus file cannot be used, said in one line naming the file and line."""


@dataclass(frozen=True)
class Thesaurus:
    acronyms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    lay: dict[str, tuple[str, ...]] = field(default_factory=dict)
    chat: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def expansions(self, phrase: str) -> tuple[str, ...]:
        """What an acronym or a lay phrase stands for in procedure wording (empty if neither)."""
        return self.acronyms.get(phrase) or self.lay.get(phrase) or ()

    def knows(self, word: str) -> bool:
        return word in self.acronyms or word in self.lay or word in self.chat


def _line_of(raw: str, key: str) -> int:
    """The line an entry is written on, for the error message."""
    for number, line in enumerate(raw.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith((key + " ", key + "=", f'"{key}"', f"[{key}]")):
            return number
    return 0


def _table(raw: str, path: Path, name: str, entries: object) -> dict[str, tuple[str, ...]]:
    if not isinstance(entries, dict):
        raise ThesaurusError(f"{path}: [{name}] should be a table of entries")
    table: dict[str, tuple[str, ...]] = {}
    for key, value in entries.items():
        where = f"{path}:{_line_of(raw, key)}"
        found = words(key)
        if not found or len(found) > MAX_PHRASE_WORDS or key != " ".join(found):
            raise ThesaurusError(f"{where}: [{name}] key {key!r} should be 1–{MAX_PHRASE_WORDS} lower-case words (letters, digits, an apostrophe)")
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
            raise ThesaurusError(f"{where}: [{name}] {key} should be a list of one or more phrases, like [\"child\"]")
        table[key] = tuple(v.strip().lower() for v in value)
    return table


def load_thesaurus(path: Path) -> Thesaurus:
    """The thesaurus at `path`; an empty one when there is no such file."""
    if not path.exists():
        return Thesaurus()
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ThesaurusError(f"{path}: cannot be read ({error})") from None
    return parse_thesaurus(raw, path)


def parse_thesaurus(raw: str, path: Path | str) -> Thesaurus:
    """The thesaurus written in `raw` (a file's text, or the copy a build carries: see
    ingest/build.py's served_with); `path` names it in errors."""
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as error:
        raise ThesaurusError(f"{path}: {error}") from None
    unknown = sorted(set(data) - set(TABLES))
    if unknown:
        raise ThesaurusError(f"{path}:{_line_of(raw, unknown[0])}: unknown table [{unknown[0]}]; expected {', '.join(TABLES)}")
    return Thesaurus(**{name: _table(raw, path, name, data.get(name, {})) for name in TABLES})
