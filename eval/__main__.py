"""Run a question set through the assistant and score it; or compare two runs.

Example:
    python -m eval --questions eval/questions.jsonl --out /tmp/results.jsonl
    python -m eval --questions other.jsonl --out results.jsonl --index /tmp/index --k 5
    python -m eval --questions eval/questions.jsonl --out /tmp/results.jsonl --baselines
    python -m eval --questions held-out.jsonl --out r.jsonl --fail-under hit@1=0.8 'false_abstention<=0.05'
    python -m eval compare RUN_A RUN_B      (see python -m eval compare --help)

Every question goes through the same code path as the chat, history included. The index
is built from corpus/ first if there is none. A report goes to eval/reports/<time>/:
report.html (every question, misses first, filterable by kind), report.json, report.md,
report.png and each system's result lines (results-ours.jsonl, ...).

Exit code 0 when the run completed, whatever the scores; with --fail-under, 1 when our
overall score misses a threshold (one line per threshold missed); 2 for bad input.
"""

from __future__ import annotations

import sys
from pathlib import Path

from eval.cli import OneLineParser, fail
from eval.gate import parse_threshold
from eval.questions import SPLITS


def parse_args(argv: list[str]):
    parser = OneLineParser("python -m eval", __doc__)
    parser.add_argument("--questions", type=Path, required=True, help="question file (JSON Lines, shared format)")
    parser.add_argument("--out", type=Path, required=True, help="where to write one result line per question")
    parser.add_argument("--index", type=Path, help="index folder (default: index/)")
    parser.add_argument("--k", type=int, default=5, help="citations kept per answer (default 5)")
    parser.add_argument("--split", choices=SPLITS, default="all",
                        help="dev or test: the questions a stable hash of their id puts on that side (default all)")
    parser.add_argument("--baselines", action="store_true", help="also run dense only, BM25 only, llama-index defaults and llama-index BM25 (128- and 1,024-token chunks)")
    parser.add_argument("--report-dir", type=Path, default=Path(__file__).parent / "reports", help="where reports go (default eval/reports/)")
    parser.add_argument("--fail-under", type=parse_threshold, nargs="+", action="extend", default=[], metavar="METRIC=VALUE",
                        help="exit 1 unless our overall score meets it: hit@1=0.8 means at least 0.8, "
                             "false_abstention<=0.05 at most 0.05; metric names as in the summary table")
    parser.add_argument("--verbose", action="store_true", help="show tracebacks for unexpected errors")
    return parser.parse_args(argv)


def run(systems: dict, questions, k: int, progress: bool) -> dict[str, list[dict]]:
    from tqdm import tqdm

    from eval.results import with_question

    bar = tqdm(total=len(systems) * len(questions), desc="questions", unit="q", disable=not progress)
    results = {}
    for name, system in systems.items():
        bar.set_postfix_str(name)
        results[name] = []
        for question in questions:
            results[name].append(with_question(question, system(question, k)))
            bar.update()
    bar.close()
    return results


def print_summary(scores: dict[str, dict]) -> None:
    from eval.report import TABLE_METRICS, cell, summary_rows

    print("system / kind".ljust(24) + "".join(c[:9].rjust(10) for c in TABLE_METRICS))
    for system, kind, metrics in summary_rows(scores):
        print(f"{system} / {kind}".ljust(24) + "".join(cell(metrics[c]).rjust(10) for c in TABLE_METRICS))


def prepare(args):
    """The questions of the split, the settings and an open assistant; raises on bad input."""
    from answer.assistant import Assistant
    from config import load_settings
    from eval.questions import QuestionFileError, in_split, load_questions

    questions = in_split(load_questions(args.questions), args.split)
    if not questions:
        raise QuestionFileError(f"{args.questions}: no questions in the {args.split} split")
    settings = load_settings()
    if args.index:
        settings = settings.with_overrides(index_dir=args.index)
    return questions, settings, Assistant.open(settings.with_overrides(top_k=max(args.k, 1)))


def evaluate(args) -> int:
    from eval.gate import missed
    from eval.metrics import score, score_by_kind
    from eval.questions import QuestionFileError
    from eval.report import write_report
    from eval.results import write_results
    from eval.systems import indexed_files, llama_index_bm25, llama_index_defaults, ours, timed_ask
    from ingest.load import IngestError
    from searchindex.embed import ModelError
    from searchindex.store import IndexUnavailable

    try:
        questions, settings, assistant = prepare(args)
        files = indexed_files(assistant.index()) if args.baselines else []
    except (QuestionFileError, IngestError, ModelError, IndexUnavailable, ValueError) as error:
        if args.verbose:
            raise
        return fail(str(error))
    systems = ours(assistant) if args.baselines else {"ours": timed_ask(assistant)}
    if args.baselines:
        systems["llama-index defaults"] = llama_index_defaults(files, settings.resolved_model_path())
        for tokens in (128, 1024):
            systems[f"llama-index BM25 {tokens}"] = llama_index_bm25(files, tokens)
    results = run(systems, questions, args.k, progress=True)
    write_results(args.out, results["ours"])
    scores = {name: {"all": score(questions, rows), **score_by_kind(questions, rows)} for name, rows in results.items()}
    print_summary(scores)
    run_facts = {"questions_file": str(args.questions), "split": args.split, "k": args.k, "index": str(settings.index_dir)}
    report = write_report(args.report_dir, scores, run_facts, questions, results)
    print(f"results: {args.out}")
    print(f"report: {report}/report.html (every question, misses first), report.md, report.json, report.png")
    failures = missed(args.fail_under, scores["ours"]["all"])
    for reason in failures:
        print(f"fail: {reason}", file=sys.stderr)
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # A subcommand by its first word: argparse subparsers would make the plain form need one.
    if argv[:1] == ["compare"]:
        from eval.compare import main as compare

        return compare(argv[1:])
    return evaluate(parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
