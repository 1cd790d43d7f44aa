"""The benchmark's report: rows of eval/bench.py merged by size, as a table with the targets
beside it (bench.txt), as JSON (bench.json) and as log-log curves (bench.png)."""

from __future__ import annotations

import json
from pathlib import Path

COLUMNS = [
    ("copies", "×"), ("documents", "docs"), ("passages", "passages"), ("sentences", "sentences"),
    ("repeat_share", "repeat"), ("repeat_share_across_documents", "rep x-doc"), ("embedded", "embedded"),
    ("model_load_s", "model s"), ("ingest_s", "ingest s"), ("ingest_texts_per_s", "ingest t/s"),
    ("raw_texts_per_s", "torch t/s"), ("ingest_vs_raw", "÷torch"), ("one_chapter_update_s", "1-chap s"),
    ("unchanged_rerun_s", "unchg s"), ("index_mb", "index MB"), ("question_p50_ms", "q p50 ms"),
    ("question_p95_ms", "q p95 ms"), ("cold_start_s", "cold s"), ("peak_rss_mb", "RSS MB"),
    ("serve_rss_mb", "serve MB"), ("dense_recall_at_10", "r@10"), ("dense_index", "faiss"),
    ("llama_ingest_s", "llama ingest s"), ("llama_question_p95_ms", "llama q p95"), ("embedder", "embedder"),
]
NOTES = """\
repeat: share of sentences whose text another has (a long list's lead-in is repeated in each of its
  passages); rep x-doc: the same, counting repeats within one document once. embedded: texts ingest
  embedded. model s is not in any other time. ingest t/s: texts embedded ÷ whole ingest time; torch
  t/s: sentence-transformers on torch alone on a sample of the same texts. RSS MB: peak of the process
  that ingests, updates and answers; serve MB: peak of the cold-start process (open, first answer).
r@10: the FAISS index (faiss) against exact search over the same vectors, on every eval question."""

# (what, at which size: a number, "all" or "IVF" for the sizes searched approximately, column, limit, at least)
TARGETS = [
    ("ingest ≥ 2× torch raw encode", "all", "ingest_vs_raw", 2.0, True),
    ("cold start to a first answer ≤ 2.5 s at ×1", 1, "cold_start_s", 2.5, False),
    ("serving RSS to a first answer ≤ 400 MB at ×1", 1, "serve_rss_mb", 400, False),
    ("one-chapter update ≤ 2 s at ×1000", 1000, "one_chapter_update_s", 2.0, False),
    ("unchanged re-run ≤ 1 s at ×1000", 1000, "unchanged_rerun_s", 1.0, False),
    ("approximate (IVF) recall@10 ≥ 0.98", "IVF", "dense_recall_at_10", 0.98, True),
]


def read_rows(folder: Path) -> list[dict]:
    path = folder / "bench.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else []


def merge(rows: list[dict], row: dict) -> list[dict]:
    """`row` in place of any earlier row of its size, in order of size."""
    return sorted([r for r in rows if r["copies"] != row["copies"]] + [row], key=lambda r: r["copies"])


def table(rows: list[dict]) -> str:
    widths = [max(len(header), *(len(str(r.get(key, "–"))) for r in rows)) for key, header in COLUMNS]
    lines = [" ".join(header.rjust(w) for (_, header), w in zip(COLUMNS, widths))]
    lines += [" ".join(str(r.get(key, "–")).rjust(w) for (key, _), w in zip(COLUMNS, widths)) for r in rows]
    return "\n".join(lines)


def _chosen(rows: list[dict], where: int | str) -> list[dict]:
    if where == "all":
        return rows
    if where == "IVF":
        return [r for r in rows if "IVF" in r.get("dense_index", "")]
    return [r for r in rows if r["copies"] == where]


def targets(rows: list[dict]) -> str:
    lines = []
    for what, where, key, limit, at_least in TARGETS:
        found = [r for r in _chosen(rows, where) if key in r]
        shown = ", ".join(
            f"×{r['copies']} {r[key]} {'met' if (r[key] >= limit if at_least else r[key] <= limit) else 'NOT met'}" for r in found
        )
        lines.append(f"  {what}: {shown or 'not measured'}")
    return "targets:\n" + "\n".join(lines)


def plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter

    panels = [
        ("seconds", [("ingest_s", "ingest"), ("one_chapter_update_s", "one-chapter update"), ("unchanged_rerun_s", "unchanged re-run"),
                     ("cold_start_s", "cold start"), ("model_load_s", "model load"), ("llama_ingest_s", "llama-index ingest")]),
        ("milliseconds per question", [("question_p50_ms", "p50"), ("question_p95_ms", "p95"), ("llama_question_p95_ms", "llama-index p95")]),
        ("megabytes", [("peak_rss_mb", "peak RSS"), ("serve_rss_mb", "serving RSS"), ("index_mb", "index")]),
        ("texts per second", [("ingest_texts_per_s", "ingest"), ("raw_texts_per_s", "torch raw encode")]),
    ]
    figure, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.8))
    for axis, (title, series) in zip(axes, panels):
        for key, label in series:
            points = [(r["passages"], r[key]) for r in rows if r.get(key)]  # log axes: zeros left out
            if points:
                axis.plot(*zip(*points), "o-", label=label)
        axis.set(xscale="log", yscale="log", xlabel="passages", title=title)
        axis.xaxis.set_minor_formatter(NullFormatter())  # 2×10², 3×10²… run into each other
        if axis.get_lines():
            axis.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def write_report(folder: Path, rows: list[dict]) -> None:
    (folder / "bench.json").write_text(json.dumps(rows, indent=2), encoding="utf-8")
    (folder / "bench.txt").write_text(f"{table(rows)}\n\n{NOTES}\n\n{targets(rows)}\n", encoding="utf-8")
    plot(rows, folder / "bench.png")
