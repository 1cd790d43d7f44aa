"""Compare two runs, before and after a change: each metric's change, then the questions
that got better and worse, with both runs' top citation side by side.

Example:
    python -m eval compare eval/reports/20260101-090000 eval/reports/20260102-090000
    python -m eval compare /tmp/before.jsonl /tmp/after.jsonl

RUN_A and RUN_B are results files written by `python -m eval --out`, or report folders
(their results-ours.jsonl). Scores are taken over the questions both runs answered. For
false_abstention, passage length and latency lower is better: a rise there is worse.
Exit code 0 once compared, 2 for a missing or malformed file.
"""

from __future__ import annotations

from pathlib import Path

from eval.cli import OneLineParser, fail
from eval.metrics import score
from eval.outcome import credit, verdict
from eval.questions import Question
from eval.report import LOWER_IS_BETTER, TABLE_METRICS, UNRANKED, cell
from eval.results import ResultsFileError, Run, load_run

SHOWN_CHARS = 70  # of a question or a citation title, so each side fits one terminal line


def parse_args(argv: list[str]):
    parser = OneLineParser("python -m eval compare", __doc__)
    parser.add_argument("run_a", type=Path, metavar="RUN_A", help="the run before: results file or report folder")
    parser.add_argument("run_b", type=Path, metavar="RUN_B", help="the run after: results file or report folder")
    parser.add_argument("--verbose", action="store_true", help="show tracebacks for unexpected errors")
    return parser.parse_args(argv)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"


def direction(metric: str, a: float | None, b: float | None) -> str:
    """"better", "worse" or "" (no change, no value, or a count)."""
    if a is None or b is None or a == b or metric in UNRANKED:
        return ""
    return "better" if (b < a) == (metric in LOWER_IS_BETTER) else "worse"


def metric_lines(a: dict, b: dict) -> list[str]:
    lines = ["metric".ljust(22) + "A".rjust(9) + "B".rjust(9) + "change".rjust(9)]
    for metric in TABLE_METRICS:
        change = "" if a[metric] is None or b[metric] is None else f"{b[metric] - a[metric]:+.3g}"
        label = metric + (" ↓" if metric in LOWER_IS_BETTER else "")
        lines.append(label.ljust(22) + cell(a[metric]).rjust(9) + cell(b[metric]).rjust(9) + change.rjust(9)
                     + f"  {direction(metric, a[metric], b[metric])}".rstrip())
    return lines


def _top(line: dict) -> str:
    if line["abstained"]:
        return f"abstained: {line.get('abstention_reason') or 'no reason given'}"
    if not line["citations"]:
        return "nothing cited"
    top = line["citations"][0]
    return f"{top['title']} · {top['source']}"


def _change(qa: Question, a: dict, qb: Question, b: dict) -> list[str]:
    changed = "" if qa == qb else "  (question or gold changed)"
    return [f"  {qa.id} [{qa.kind}] {_short(qa.question)}{changed}",
            f"      A: {verdict(qa, a).ljust(26)} top: {_short(_top(a))}",
            f"      B: {verdict(qb, b).ljust(26)} top: {_short(_top(b))}"]


def in_both(run_a: Run, run_b: Run) -> list[tuple[Question, dict, Question, dict]]:
    """(question A, line A, question B, line B) for each id both runs answered, in A's order;
    each run is judged on its own copy of the question, in case the gold was mended between."""
    by_id = {q.id: (q, line) for q, line in zip(run_b.questions, run_b.lines)}
    return [(qa, la, *by_id[qa.id]) for qa, la in zip(run_a.questions, run_a.lines) if qa.id in by_id]


def changed_questions(pairs: list[tuple[Question, dict, Question, dict]]) -> tuple[list, list]:
    """(better, worse): the pairs whose credit rose or fell, the largest change first."""
    moves = sorted(((credit(qb, lb) - credit(qa, la), (qa, la, qb, lb)) for qa, la, qb, lb in pairs), key=lambda m: m[0])
    return [pair for move, pair in reversed(moves) if move > 0], [pair for move, pair in moves if move < 0]


def report(run_a: Run, run_b: Run) -> list[str]:
    pairs = in_both(run_a, run_b)
    lines = [f"A: {run_a.path} ({len(run_a.lines)} questions)", f"B: {run_b.path} ({len(run_b.lines)} questions)"]
    if not pairs:
        return lines + ["no question id is in both runs"]
    qa, a, qb, b = (list(column) for column in zip(*pairs))
    lines += [f"{len(pairs)} questions in both; scores below are over those", ""]
    lines += metric_lines(score(qa, a), score(qb, b))
    better, worse = changed_questions(pairs)
    for title, moved in (("worse", worse), ("better", better)):
        lines += ["", f"{title} ({len(moved)}):"] + [text for pair in moved for text in _change(*pair)]
    return lines


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    try:
        run_a, run_b = load_run(args.run_a), load_run(args.run_b)
    except ResultsFileError as error:
        if args.verbose:
            raise
        return fail(str(error))
    print("\n".join(report(run_a, run_b)))
    return 0
