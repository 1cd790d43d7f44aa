"""Scores of one run: retrieval (hit@k, MRR), answer quality, print dates, abstention,
passage length and latency, overall and per question kind."""

from __future__ import annotations

import re
import statistics

from eval.match import answer_holds, fold, holds
from eval.questions import Question


def holds_gold(question: Question, citation: dict) -> bool:
    return any(holds(citation["text"], g.quote, g.file) for g in question.gold)


def first_hit_rank(question: Question, result: dict) -> int | None:
    for citation in result["citations"]:
        if holds_gold(question, citation):
            return citation["rank"]
    return None


def dates_right(question: Question, result: dict) -> bool | None:
    """Whether every citing source of a gold file shows that file's print date (null where none)."""
    gold_files = {g.file for g in question.gold}
    checked = None
    for citation in result["citations"]:
        if not holds_gold(question, citation):
            continue
        for source in [citation, *citation.get("also_in", [])]:
            if source["source"] in gold_files:
                checked = (checked is not False) and source["print_date"] == question.print_date.get(source["source"])
    return checked


def keyword_coverage(question: Question, result: dict) -> float | None:
    if not question.answer_keywords:
        return None
    answer = fold(result["answer"])
    return sum(fold(k) in answer for k in question.answer_keywords) / len(question.answer_keywords)


QUOTED = re.compile(r"^(?P<piece>.*?)\s*\[\d+\]$")
ENDS = ".!?:;)\"'’”"
LINE_MARK = re.compile(r"(?:^|\n)\s*(?:[-•*–▪◦]|\[\d+\]|\(?[a-z0-9]{1,3}[.)])$")  # a bullet or note label opening a line


def _whole(piece: str, passages: list[str]) -> bool:
    """A quoted piece is whole when a cited passage holds it from a sentence's start (the
    passage's start, a line's, or after closing punctuation) to its end (closing punctuation,
    or a line's end)."""
    for text in passages:
        at = text.find(piece)
        while at >= 0:
            before, after = text[:at].rstrip(" "), text[at + len(piece):]
            starts = not before or before.endswith("\n") or before[-1] in ENDS or bool(LINE_MARK.search(before))
            if starts and (piece[-1] in ENDS or not after or after.startswith("\n")):
                return True
            at = text.find(piece, at + 1)
    return False


def whole_sentences(result: dict) -> float | None:
    """Share of an answer's quoted pieces (sentences and list items, each with its [n]) that
    are whole sentences of the cited passages; None for an abstention."""
    if result["abstained"]:
        return None
    passages = [c["text"] for c in result["citations"]]
    pieces = [m.group("piece").removeprefix("• ").strip() for line in result["answer"].splitlines() if (m := QUOTED.match(line.strip()))]
    return sum(_whole(p, passages) for p in pieces) / len(pieces) if pieces else None


def _mean(values: list) -> float | None:
    values = [float(v) for v in values if v is not None]
    return round(sum(values) / len(values), 4) if values else None


def _percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1)


def score(questions: list[Question], results: list[dict]) -> dict:
    answerable = [(q, r) for q, r in zip(questions, results) if q.gold]
    unanswerable = [(q, r) for q, r in zip(questions, results) if not q.gold]
    ranks = [first_hit_rank(q, r) for q, r in answerable]
    lengths = [len(c["text"].split()) for r in results for c in r["citations"]]
    latencies = [r["latency_ms"] for r in results]
    return {
        "questions": len(results),
        "hit@1": _mean([rank is not None and rank <= 1 for rank in ranks]),
        "hit@3": _mean([rank is not None and rank <= 3 for rank in ranks]),
        "hit@5": _mean([rank is not None and rank <= 5 for rank in ranks]),
        "mrr": _mean([1 / rank if rank else 0.0 for rank in ranks]),
        "answer_has_gold": _mean([any(answer_holds(r["answer"], g.quote, g.file) for g in q.gold) for q, r in answerable]),
        "keyword_coverage": _mean([keyword_coverage(q, r) for q, r in answerable]),
        "whole_sentences": _mean([whole_sentences(r) for r in results]),
        "print_dates_right": _mean([dates_right(q, r) for q, r in answerable]),
        "abstention_recall": _mean([r["abstained"] for _, r in unanswerable]),
        "false_abstention": _mean([r["abstained"] for _, r in answerable]),
        "median_passage_words": statistics.median(lengths) if lengths else None,
        "latency_p50_ms": _percentile(latencies, 0.5),
        "latency_p95_ms": _percentile(latencies, 0.95),
    }


def score_by_kind(questions: list[Question], results: list[dict]) -> dict[str, dict]:
    kinds = sorted({q.kind for q in questions})
    return {
        kind: score(*zip(*[(q, r) for q, r in zip(questions, results) if q.kind == kind]))
        for kind in kinds
    }
