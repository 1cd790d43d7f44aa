"""The run's report under eval/reports/<time>/: JSON, a Markdown table, a PNG chart of the
main metrics per system and kind, an HTML page with every question, and each system's lines."""

from __future__ import annotations

import json
import time
from pathlib import Path

from eval.questions import Question

CHART_METRICS = ["hit@1", "hit@3", "mrr", "answer_has_gold", "print_dates_right", "abstention_recall"]
CHART_LOWER_METRICS = ["false_abstention"]  # drawn apart: a tall bar there is bad
TABLE_METRICS = ["questions", "hit@1", "hit@3", "hit@5", "mrr", "answer_has_gold", "keyword_coverage", "whole_sentences", "print_dates_right",
                 "abstention_recall", "false_abstention", "median_passage_words", "latency_p50_ms", "latency_p95_ms"]
LOWER_IS_BETTER = {"false_abstention", "median_passage_words", "latency_p50_ms", "latency_p95_ms"}
UNRANKED = {"questions"}  # a count, neither better nor worse when it moves


def cell(value) -> str:
    return "–" if value is None else f"{value:.3g}"


def summary_rows(scores: dict[str, dict]) -> list[tuple[str, str, dict]]:
    """(system, kind, metrics): ours overall and per kind, every other system overall."""
    return [(system, kind, metrics)
            for system, by_kind in scores.items()
            for kind, metrics in (by_kind.items() if system == "ours" else [("all", by_kind["all"])])]


def results_file_name(system: str) -> str:
    return f"results-{system.replace(' ', '-')}.jsonl"


def markdown(scores: dict[str, dict]) -> str:
    lines = ["| system | kind | " + " | ".join(TABLE_METRICS) + " |", "|" + "---|" * (len(TABLE_METRICS) + 2)]
    for system, by_kind in scores.items():
        for kind, metrics in by_kind.items():
            lines.append(f"| {system} | {kind} | " + " | ".join(cell(metrics[m]) for m in TABLE_METRICS) + " |")
    return "\n".join(lines) + "\n"


def _bars(axis, scores: dict[str, dict], kind: str, metrics: list[str], hatch: str | None) -> None:
    width = 0.8 / len(scores)
    for i, (system, by_kind) in enumerate(scores.items()):
        values = [by_kind[kind][m] or 0.0 for m in metrics]
        axis.bar([x + i * width for x in range(len(metrics))], values, width, label=system, color=f"C{i}", hatch=hatch)
    axis.set_ylim(0, 1.05)
    axis.set_xticks([x + width * (len(scores) - 1) / 2 for x in range(len(metrics))], metrics, fontsize=8)


def chart(scores: dict[str, dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    kinds = list(next(iter(scores.values())))
    figure, axes = plt.subplots(len(kinds), 2, figsize=(12, 2.6 * len(kinds)), squeeze=False,
                                gridspec_kw={"width_ratios": [len(CHART_METRICS), 1.6]})
    for (higher, lower), kind in zip(axes, kinds):
        _bars(higher, scores, kind, CHART_METRICS, hatch=None)
        higher.set_title(f"{kind}: higher is better", loc="left", fontsize=10)
        _bars(lower, scores, kind, CHART_LOWER_METRICS, hatch="//")
        lower.set_title("lower is better", loc="left", fontsize=10, color="firebrick")
    axes[0, 0].legend(fontsize=8, ncols=len(scores))
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def write_report(folder: Path, scores: dict[str, dict], run: dict, questions: list[Question], results: dict[str, list[dict]]) -> Path:
    from eval.html_report import page
    from eval.results import write_results

    out = folder / time.strftime("%Y%m%d-%H%M%S")
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps({"run": run, "scores": scores}, indent=2), encoding="utf-8")
    (out / "report.md").write_text(f"# Evaluation {run['questions_file']}\n\n" + markdown(scores), encoding="utf-8")
    chart(scores, out / "report.png")
    for system, lines in results.items():
        write_results(out / results_file_name(system), lines)
    html = page(run, scores, questions, results["ours"], (out / "report.png").read_bytes())
    (out / "report.html").write_text(html, encoding="utf-8")
    return out
