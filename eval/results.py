"""One result line per question: the evaluation contract's fields, then extra fields (the
question, its gold, the gold's rank, why the assistant abstained) so that a results file
alone is enough to report on and compare; and reading such files back."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from eval.metrics import first_hit_rank
from eval.questions import Question, QuestionFileError, json_lines, parse_question, split_of
from eval.report import results_file_name
from records import Answer, Chunk, Citation

CONTRACT_FIELDS = ("id", "answer", "abstained", "citations", "latency_ms")
CITATION_FIELDS = {"rank", "text", "title", "source"}  # what scoring and comparing read of a citation


class ResultsFileError(Exception):
    pass


def _source(chunk: Chunk) -> dict:
    return {"source": chunk.source, "print_date": chunk.print_date}


def citation_json(citation: Citation) -> dict:
    chunk = citation.chunk
    return {
        "rank": citation.rank,
        "text": chunk.text,
        "title": chunk.title,
        "source": chunk.source,
        "section": chunk.section,
        "area": chunk.area,
        "print_date": chunk.print_date,
        "also_in": [_source(other) for other in citation.also_in],
        "warnings": list(citation.warnings),
    }


def result_json(question_id: str, answer: Answer, latency_ms: float, k: int) -> dict:
    return {
        "id": question_id,
        "answer": answer.text,
        "abstained": answer.abstained,
        "citations": [citation_json(c) for c in answer.citations[:k]],
        "latency_ms": round(latency_ms, 1),
        "abstention_reason": answer.notes[0] if answer.abstained and answer.notes else None,
        "notes": list(answer.notes),
        "related": [citation_json(c) for c in answer.related[:k]],
    }


def with_question(question: Question, line: dict) -> dict:
    """The line with the question it answers, as in the question file, and where gold was cited."""
    return {
        **line,
        "question": question.question,
        "history": list(question.history),
        "kind": question.kind,
        "gold": [{"file": g.file, "quote": g.quote} for g in question.gold],
        "answer_keywords": list(question.answer_keywords),
        "print_date": question.print_date,
        "gold_rank": first_hit_rank(question, line),
        "split": split_of(question.id),
    }


def write_results(path: Path, lines: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")


@dataclass(frozen=True)
class Run:
    """One system's result lines and the questions they answer, read back from a results file."""

    path: Path
    questions: list[Question]
    lines: list[dict]


def _line(line: object, where: str) -> tuple[Question, dict]:
    if not isinstance(line, dict):
        raise ResultsFileError(f"{where}: expected a JSON object")
    missing = [name for name in CONTRACT_FIELDS if name not in line]
    if missing:
        raise ResultsFileError(f"{where}: missing field '{missing[0]}'")
    citations = line["citations"]
    if not isinstance(citations, list) or not all(isinstance(c, dict) and CITATION_FIELDS <= set(c) for c in citations):
        raise ResultsFileError(f"{where}: field 'citations' should list objects with {', '.join(sorted(CITATION_FIELDS))}")
    if not isinstance(line["abstained"], bool):
        raise ResultsFileError(f"{where}: field 'abstained' should be true or false")
    if "gold" not in line or "kind" not in line:
        raise ResultsFileError(f"{where}: no 'gold' or 'kind' field; results written before this runner cannot be compared, run it again")
    return parse_question(line, where), line


def load_run(path: Path) -> Run:
    """A results file, or a report folder (its results of our system)."""
    file = path / results_file_name("ours") if path.is_dir() else path
    try:
        pairs = [_line(line, where) for where, line in json_lines(file)]
    except QuestionFileError as error:  # the file, a line's JSON or the question it carries
        raise ResultsFileError(str(error)) from None
    if not pairs:
        raise ResultsFileError(f"{file}: no result lines")
    return Run(file, [q for q, _ in pairs], [line for _, line in pairs])
