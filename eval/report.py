"""The run's report under eval/reports/<time>/: JSON, a Markdown table and a PNG chart of
the main metrics per system and per question kind."""

from __future__ import annotations

import json
import time
from pathlib import Path

CHART_METRICS = ["hit@1", "hit@3", "mrr", "answer_has_gold", "print_dates_right", "abstention_recall", "false_abstention"]
TABLE_METRICS = ["questions", "hit@1", "hit@3", "hit@5", "mrr", "answer_has_gold", "keyword_coverage", "print_dates_right",
                 "abstention_recall", "false_abstention", "median_passage_words", "latency_p50_ms", "latency_p95_ms"]


def _cell(value) -> str:
    return "–" if value is None else f"{value:.3g}"


def markdown(scores: dict[str, dict]) -> str:
    lines = ["| system | kind | " + " | ".join(TABLE_METRICS) + " |", "|" + "---|" * (len(TABLE_METRICS) + 2)]
    for system, by_kind in scores.items():
        for kind, metrics in by_kind.items():
            lines.append(f"| {system} | {kind} | " + " | ".join(_cell(metrics[m]) for m in TABLE_METRICS) + " |")
    return "\n".join(lines) + "\n"


def chart(scores: dict[str, dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    kinds = list(next(iter(scores.values())))
    figure, axes = plt.subplots(len(kinds), 1, figsize=(11, 2.6 * len(kinds)), squeeze=False)
    width = 0.8 / len(scores)
    for axis, kind in zip(axes[:, 0], kinds):
        for i, (system, by_kind) in enumerate(scores.items()):
            values = [by_kind[kind][m] or 0.0 for m in CHART_METRICS]
            axis.bar([x + i * width for x in range(len(CHART_METRICS))], values, width, label=system)
        axis.set_title(kind, loc="left", fontsize=10)
        axis.set_ylim(0, 1.05)
        axis.set_xticks([x + width * (len(scores) - 1) / 2 for x in range(len(CHART_METRICS))], CHART_METRICS, fontsize=8)
    axes[0, 0].legend(fontsize=8, ncols=len(scores))
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def write_report(folder: Path, scores: dict[str, dict], run: dict) -> Path:
    out = folder / time.strftime("%Y%m%d-%H%M%S")
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps({"run": run, "scores": scores}, indent=2), encoding="utf-8")
    (out / "report.md").write_text(f"# Evaluation {run['questions_file']}\n\n" + markdown(scores), encoding="utf-8")
    chart(scores, out / "report.png")
    return out
