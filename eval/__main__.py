"""Run a question set through the assistant and score it.

Example:
    python -m eval --questions eval/questions.jsonl --out /tmp/results.jsonl
    python -m eval --questions other.jsonl --out results.jsonl --index /tmp/index --k 5

Every question goes through the same code path as the chat, history included. The index
is built from corpus/ first if there is none. Exit code 0 when the run completed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m eval", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=Path, required=True, help="question file (JSON Lines, shared format)")
    parser.add_argument("--out", type=Path, required=True, help="where to write one result line per question")
    parser.add_argument("--index", type=Path, help="index folder (default: index/)")
    parser.add_argument("--k", type=int, default=5, help="citations kept per answer (default 5)")
    parser.add_argument("--verbose", action="store_true", help="show tracebacks for unexpected errors")
    return parser.parse_args(argv)


def run(questions, assistant, k: int, progress: bool) -> list[dict]:
    from tqdm import tqdm

    from eval.results import result_json

    results = []
    for question in tqdm(questions, desc="questions", unit="q", disable=not progress):
        started = time.perf_counter()
        answer = assistant.ask(question.question, list(question.history))
        results.append(result_json(question.id, answer, (time.perf_counter() - started) * 1000, k))
    return results


def print_summary(overall: dict, by_kind: dict[str, dict]) -> None:
    columns = ["questions", "hit@1", "hit@3", "hit@5", "mrr", "answer_has_gold", "keyword_coverage", "print_dates_right",
               "abstention_recall", "false_abstention", "median_passage_words", "latency_p50_ms", "latency_p95_ms"]
    rows = [("all", overall), *by_kind.items()]
    print("kind".ljust(13) + "".join(c[:9].rjust(10) for c in columns))
    for name, metrics in rows:
        cells = ["-" if metrics[c] is None else f"{metrics[c]:.3g}" for c in columns]
        print(name.ljust(13) + "".join(cell.rjust(10) for cell in cells))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from answer.assistant import Assistant
    from config import load_settings
    from eval.metrics import score, score_by_kind
    from eval.questions import QuestionFileError, load_questions
    from ingest.embed import ModelError
    from ingest.load import IngestError
    from ingest.store import IndexUnavailable

    try:
        questions = load_questions(args.questions)
        settings = load_settings()
        if args.index:
            settings = settings.with_overrides(index_dir=args.index)
        assistant = Assistant.open(settings.with_overrides(top_k=max(args.k, 1)))
    except (QuestionFileError, IngestError, ModelError, IndexUnavailable, ValueError) as error:
        if args.verbose:
            raise
        print(f"error: {error}", file=sys.stderr)
        return 2
    results = run(questions, assistant, args.k, progress=sys.stderr.isatty())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in results), encoding="utf-8")
    print_summary(score(questions, results), score_by_kind(questions, results))
    print(f"results: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
