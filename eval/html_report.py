"""The report page an evaluator opens: the summary with baselines and the chart, then one
row per question, misses first, filterable by kind. One file, nothing fetched from elsewhere."""

from __future__ import annotations

import base64
from html import escape

from eval.metrics import first_hit_rank, holds_gold
from eval.outcome import is_miss, verdict
from eval.questions import Question
from eval.report import LOWER_IS_BETTER, TABLE_METRICS, cell, summary_rows

STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; } th, td { border: 1px solid #ccc; padding: 4px 6px; vertical-align: top; text-align: left; }
.summary td { text-align: right; } .summary th.lower { background: #fbeaea; }
.questions td { max-width: 34em; } tr.miss > td:first-child { border-left: 4px solid #c0392b; }
.verdict { font-weight: 600; } tr.miss .verdict { color: #c0392b; }
li.gold { background: #e6f4ea; } .warning { color: #a04000; } .quote { font-style: italic; }
.filters { margin: 1em 0; } .muted { color: #666; } img { max-width: 100%; }
"""

# The kind filter and the misses-only toggle hide rows with the `hidden` attribute.
SCRIPT = """
const kind = document.getElementById("kind-filter"), misses = document.getElementById("misses-only");
function applyFilters() {
  let shown = 0;
  for (const row of document.querySelectorAll("tr.question")) {
    row.hidden = !((!kind.value || row.dataset.kind === kind.value) && (!misses.checked || row.dataset.miss === "1"));
    shown += !row.hidden;
  }
  document.getElementById("shown-count").textContent = shown + " shown";
}
kind.addEventListener("change", applyFilters);
misses.addEventListener("change", applyFilters);
applyFilters();
"""


def _summary(scores: dict[str, dict]) -> str:
    header = "".join(f'<th class="lower">{escape(m)} ↓ lower is better</th>' if m in LOWER_IS_BETTER else f"<th>{escape(m)}</th>"
                     for m in TABLE_METRICS)
    rows = "".join(f"<tr><th>{escape(system)}</th><th>{escape(kind)}</th>" + "".join(f"<td>{cell(metrics[m])}</td>" for m in TABLE_METRICS) + "</tr>"
                   for system, kind, metrics in summary_rows(scores))
    return f'<table class="summary"><tr><th>system</th><th>kind</th>{header}</tr>{rows}</table>'


def _passage(citation: dict, gold: bool) -> str:
    date = f"printed {citation['print_date']}" if citation["print_date"] else "no print date"
    warnings = "".join(f'<div class="warning">⚠ {escape(w)}</div>' for w in citation["warnings"])
    place = " · ".join(escape(part) for part in (citation["title"], citation["section"], citation["source"]) if part)
    mark = ' class="gold"' if gold else ""
    return (f'<li value="{int(citation["rank"])}"{mark}>{place} · {escape(date)}{" · holds gold" if gold else ""}'
            f"{warnings}<details><summary>passage</summary>{escape(citation['text'])}</details></li>")


def _passages(question: Question, citations: list[dict]) -> str:
    return "<ol>" + "".join(_passage(c, holds_gold(question, c)) for c in citations) + "</ol>"


def _asked(question: Question, line: dict) -> str:
    history = "".join(f"<li>{escape(turn)}</li>" for turn in question.history)
    earlier = f'<div class="muted">after:</div><ol class="muted">{history}</ol>' if history else ""
    return f"{earlier}<div>{escape(question.question)}</div><details><summary>answer</summary>{escape(line['answer'])}</details>"


def _gold(question: Question) -> str:
    if not question.gold:
        return '<span class="muted">none: the procedures do not answer it</span>'
    return "".join(f'<div>{escape(g.file)}: <span class="quote">“{escape(g.quote)}”</span></div>' for g in question.gold)


def _cited(question: Question, line: dict) -> str:
    if line["abstained"]:
        reason = escape(line.get("abstention_reason") or "no reason given")
        related = line.get("related") or []
        nearest = f'<div class="muted">nearest passages, shown apart:</div>{_passages(question, related)}' if related else ""
        return f"<div>abstained: {reason}</div>{nearest}"
    return _passages(question, line["citations"]) if line["citations"] else '<span class="muted">nothing cited</span>'


def _row(question: Question, line: dict) -> str:
    miss = is_miss(question, line)
    rank = first_hit_rank(question, line)
    return (f'<tr class="question{" miss" if miss else ""}" data-kind="{escape(question.kind)}" data-miss="{int(miss)}" id="q-{escape(question.id)}">'
            f'<td>{escape(question.id)}<div class="muted">{escape(question.kind)}</div></td>'
            f'<td><div class="verdict">{escape(verdict(question, line))}</div><div class="muted">gold rank: {rank or "–"}</div></td>'
            f"<td>{_asked(question, line)}</td><td>{_gold(question)}</td><td>{_cited(question, line)}</td></tr>")


def _questions(questions: list[Question], lines: list[dict]) -> str:
    pairs = sorted(zip(questions, lines), key=lambda pair: not is_miss(*pair))  # stable: file order within each group
    kinds = "".join(f'<option value="{escape(k)}">{escape(k)}</option>' for k in sorted({q.kind for q in questions}))
    misses = sum(is_miss(*pair) for pair in pairs)
    return (f'<div class="filters"><label>Kind <select id="kind-filter"><option value="">all kinds</option>{kinds}</select></label> '
            f'<label><input type="checkbox" id="misses-only"> misses only ({misses})</label> <span id="shown-count"></span></div>'
            '<table class="questions"><thead><tr><th>id</th><th>outcome</th><th>question</th><th>gold passage</th><th>cited, ranks 1–5</th></tr></thead>'
            "<tbody>" + "".join(_row(q, line) for q, line in pairs) + "</tbody></table>")


def page(run: dict, scores: dict[str, dict], questions: list[Question], lines: list[dict], png: bytes) -> str:
    """The whole page; every piece of text from questions, passages or answers is escaped."""
    title = escape(f"Evaluation of {run['questions_file']}")
    facts = escape(f"split {run['split']} · k {run['k']} · index {run['index']} · {len(questions)} questions")
    chart = base64.b64encode(png).decode("ascii")
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title><style>{STYLE}</style></head>'
            f'<body><h1>{title}</h1><p class="muted">{facts}</p><h2>Summary</h2>{_summary(scores)}'
            f'<p><img alt="Chart of the main metrics per system and question kind" src="data:image/png;base64,{chart}"></p>'
            f"<h2>Questions, misses first</h2>{_questions(questions, lines)}<script>{SCRIPT}</script></body></html>\n")
