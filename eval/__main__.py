"""Run a question set through the assistant and score it.

Example:
    python -m eval --questions eval/questions.jsonl --out /tmp/results.jsonl
    python -m eval --questions other.jsonl --out results.jsonl --index /tmp/index --k 5
    python -m eval --questions eval/questions.jsonl --out /tmp/results.jsonl --baselines

Every question goes through the same code path as the chat, history included. The index
is built from corpus/ first if there is none. A report (JSON, Markdown table, PNG chart)
goes to eval/reports/<time>/. Exit code 0 when the run completed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from eval.questions import SPLITS


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m eval", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=Path, required=True, help="question file (JSON Lines, shared format)")
    parser.add_argument("--out", type=Path, required=True, help="where to write one result line per question")
    parser.add_argument("--index", type=Path, help="index folder (default: index/)")
    parser.add_argument("--k", type=int, default=5, help="citations kept per answer (default 5)")
    parser.add_argument("--split", choices=SPLITS, default="all",
                        help="dev or test: the questions a stable hash of their id puts on that side (default all)")
    parser.add_argument("--baselines", action="store_true", help="also run dense only, BM25 only and llama-index defaults")
    parser.add_argument("--report-dir", type=Path, default=Path(__file__).parent / "reports", help="where reports go (default eval/reports/)")
    parser.add_argument("--verbose", action="store_true", help="show tracebacks for unexpected errors")
    return parser.parse_args(argv)


def run(systems: dict, questions, k: int, progress: bool) -> dict[str, list[dict]]:
    from tqdm import tqdm

    bar = tqdm(total=len(systems) * len(questions), desc="questions", unit="q", disable=not progress)
    results = {}
    for name, system in systems.items():
        bar.set_postfix_str(name)
        results[name] = []
        for question in questions:
            results[name].append(system(question, k))
            bar.update()
    bar.close()
    return results


def print_summary(scores: dict[str, dict]) -> None:
    from eval.report import TABLE_METRICS

    print("system / kind".ljust(24) + "".join(c[:9].rjust(10) for c in TABLE_METRICS))
    for system, by_kind in scores.items():
        rows = by_kind.items() if system == "ours" else [("all", by_kind["all"])]
        for kind, metrics in rows:
            cells = ["-" if metrics[c] is None else f"{metrics[c]:.3g}" for c in TABLE_METRICS]
            print(f"{system} / {kind}".ljust(24) + "".join(cell.rjust(10) for cell in cells))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from answer.assistant import Assistant
    from config import load_settings
    from eval.metrics import score, score_by_kind
    from eval.report import write_report
    from eval.systems import llama_index_defaults, ours
    from eval.questions import QuestionFileError, in_split, load_questions
    from ingest.embed import ModelError
    from ingest.load import IngestError
    from ingest.store import IndexUnavailable

    try:
        questions = in_split(load_questions(args.questions), args.split)
        if not questions:
            raise QuestionFileError(f"{args.questions}: no questions in the {args.split} split")
        settings = load_settings()
        if args.index:
            settings = settings.with_overrides(index_dir=args.index)
        assistant = Assistant.open(settings.with_overrides(top_k=max(args.k, 1)))
    except (QuestionFileError, IngestError, ModelError, IndexUnavailable, ValueError) as error:
        if args.verbose:
            raise
        print(f"error: {error}", file=sys.stderr)
        return 2
    systems = ours(assistant) if args.baselines else {"ours": ours(assistant)["ours"]}
    if args.baselines:
        systems["llama-index defaults"] = llama_index_defaults(settings.corpus_dir, settings.resolved_model_path())
    results = run(systems, questions, args.k, progress=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in results["ours"]), encoding="utf-8")
    scores = {name: {"all": score(questions, rows), **score_by_kind(questions, rows)} for name, rows in results.items()}
    print_summary(scores)
    report = write_report(args.report_dir, scores, {"questions_file": str(args.questions), "split": args.split, "k": args.k, "index": str(settings.index_dir)})
    print(f"results: {args.out}")
    print(f"report: {report}/report.md, report.json, report.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
