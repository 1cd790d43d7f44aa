"""How one question went, for the report's rows and for comparing two runs question by
question: right at rank 1, gold lower down or not cited, a right or a wrong abstention."""

from __future__ import annotations

from eval.metrics import first_hit_rank
from eval.questions import Question

RIGHT = ("gold at rank 1", "abstained rightly")


def verdict(question: Question, line: dict) -> str:
    if not question.gold:
        return "abstained rightly" if line["abstained"] else "answered the unanswerable"
    if line["abstained"]:
        return "false abstention"
    rank = first_hit_rank(question, line)
    return f"gold at rank {rank}" if rank else "gold not cited"


def is_miss(question: Question, line: dict) -> bool:
    """A miss is anything but gold cited first or an abstention where the corpus has no answer."""
    return verdict(question, line) not in RIGHT


def credit(question: Question, line: dict) -> float:
    """Reciprocal rank of gold (none when abstaining); for an unanswerable question, 1 for abstaining."""
    if not question.gold:
        return float(line["abstained"])
    rank = None if line["abstained"] else first_hit_rank(question, line)
    return 1 / rank if rank else 0.0
