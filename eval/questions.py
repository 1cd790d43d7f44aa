"""Question sets in the shared format (../shared/eval-format.md): load and check them.

A bad line gets one error naming the file, line and field; nothing is half-loaded.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

KINDS = {"direct", "paraphrase", "hard", "follow_up", "unanswerable"}
SPLITS = ("dev", "test", "all")
DEV_SHARE = 70  # percent of questions, by a stable hash of their id, that weights may be tuned on


class QuestionFileError(Exception):
    pass


@dataclass(frozen=True)
class Gold:
    file: str
    quote: str


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    history: tuple[str, ...]
    gold: tuple[Gold, ...]
    answer_keywords: tuple[str, ...]
    print_date: dict[str, str]
    kind: str


def _field(data: dict, name: str, kind: type, where: str, default=None):
    if name not in data:
        if default is not None:
            return default
        raise QuestionFileError(f"{where}: missing field '{name}'")
    value = data[name]
    if not isinstance(value, kind):
        raise QuestionFileError(f"{where}: field '{name}' should be {kind.__name__}, got {type(value).__name__}")
    return value


def parse_question(data: object, where: str) -> Question:
    """One question in the shared format; a results line carrying its question parses too."""
    if not isinstance(data, dict):
        raise QuestionFileError(f"{where}: expected a JSON object")
    gold = []
    for i, item in enumerate(_field(data, "gold", list, where)):
        if not isinstance(item, dict) or not isinstance(item.get("file"), str) or not isinstance(item.get("quote"), str):
            raise QuestionFileError(f"{where}: gold[{i}] needs string 'file' and 'quote'")
        gold.append(Gold(item["file"], item["quote"]))
    kind = _field(data, "kind", str, where)
    if kind not in KINDS:
        raise QuestionFileError(f"{where}: field 'kind' is {kind!r}, not one of {sorted(KINDS)}")
    history = _field(data, "history", list, where, default=[])
    if not all(isinstance(h, str) for h in history):
        raise QuestionFileError(f"{where}: field 'history' should list strings")
    return Question(
        id=_field(data, "id", str, where),
        question=_field(data, "question", str, where),
        history=tuple(history),
        gold=tuple(gold),
        answer_keywords=tuple(_field(data, "answer_keywords", list, where, default=[])),
        print_date=dict(_field(data, "print_date", dict, where, default={})),
        kind=kind,
    )


def json_lines(path: Path) -> list[tuple[str, object]]:
    """("file:line", value) for each non-blank line; an unreadable file or a line that is not
    JSON raises QuestionFileError naming it."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise QuestionFileError(f"{path}: cannot be read ({getattr(error, 'strerror', None) or error})") from None
    values = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            try:
                values.append((f"{path}:{number}", json.loads(line)))
            except json.JSONDecodeError as error:
                raise QuestionFileError(f"{path}:{number}: not valid JSON ({error.msg})") from None
    return values


def load_questions(path: Path) -> list[Question]:
    questions, seen = [], set()
    for where, data in json_lines(path):
        question = parse_question(data, where)
        if question.id in seen:
            raise QuestionFileError(f"{where}: id {question.id!r} is used twice")
        seen.add(question.id)
        questions.append(question)
    if not questions:
        raise QuestionFileError(f"{path}: no questions")
    return questions


def split_of(question_id: str) -> str:
    """"dev" or "test", fixed by the id alone, so a question never changes side."""
    bucket = int.from_bytes(hashlib.sha256(question_id.encode("utf-8")).digest()[:4], "big") % 100
    return "dev" if bucket < DEV_SHARE else "test"


def in_split(questions: list[Question], split: str) -> list[Question]:
    return questions if split == "all" else [q for q in questions if split_of(q.id) == split]
