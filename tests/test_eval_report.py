"""What an evaluator gets from a run: result lines that say why, a report page with every
question (misses first, filterable by kind), two runs compared question by question, and
--fail-under to fail a CI job when a score drops."""

import json
import re
import subprocess
import sys

import pytest
from browser import browser_page, screenshot
from conftest import ROOT
from playwright.sync_api import expect

from eval.compare import main as compare
from eval.questions import split_of

HIT = json.loads((ROOT / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines()[0]) | {"id": "hit"}
QUESTIONS = [
    HIT,  # the West Midlands areas: cited first
    # Gold planted in a passage about offenders, which a question on working together does not find.
    {"id": "miss", "question": "and who must work together?", "history": ["what age is a child?"],
     "gold": [{"file": "003_59e7203d59049fa8.txt", "quote": "Risk management of offenders;"}], "answer_keywords": [], "kind": "follow_up"},
    {"id": "lado", "question": "who is the LADO?", "gold": [], "answer_keywords": [], "kind": "unanswerable"},
    {"id": "hostile", "question": "<script>window.pwned = 1</script> what's the capital of France?",
     "gold": [{"file": "001_85fc01a5fa2a4b07.txt", "quote": "has not yet reached their 18th birthday"}], "answer_keywords": [], "kind": "direct"},
]


def run_eval(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "eval", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def evaluated(settings, built_index, tmp_path_factory):
    """One run of the four questions, with a threshold hit@1 misses and one it meets."""
    root = tmp_path_factory.mktemp("eval-report")
    questions = root / "questions.jsonl"
    questions.write_text("".join(json.dumps(q) + "\n" for q in QUESTIONS), encoding="utf-8")
    process = run_eval("--questions", str(questions), "--out", str(root / "results.jsonl"), "--index", str(settings.index_dir),
                       "--report-dir", str(root / "reports"), "--fail-under", "hit@1=0.9", "false_abstention<=0.5")
    assert (root / "results.jsonl").exists(), process.stderr[-2000:]
    lines = {line["id"]: line for line in map(json.loads, (root / "results.jsonl").read_text(encoding="utf-8").splitlines())}
    return {"root": root, "questions": questions, "process": process, "lines": lines, "report": next((root / "reports").iterdir())}


def question_rows(html: str) -> dict[str, str]:
    """Each question's table row by id, in page order."""
    return dict(re.findall(r'<tr class="question[^"]*"[^>]*id="q-([^"]+)">(.*?)</tr>(?=<tr class="question|</tbody>)', html, re.S))


def test_result_lines_keep_the_question_where_gold_was_and_why_it_abstained(evaluated):
    lines = evaluated["lines"]
    assert list(lines) == ["hit", "miss", "lado", "hostile"]
    assert lines["hit"]["gold_rank"] == 1 and lines["hit"]["abstention_reason"] is None and not lines["hit"]["abstained"]
    assert lines["miss"]["gold_rank"] is None and lines["miss"]["history"] == ["what age is a child?"] and lines["miss"]["kind"] == "follow_up"
    assert lines["miss"]["gold"] == QUESTIONS[1]["gold"] and lines["miss"]["question"] == QUESTIONS[1]["question"]
    for abstained in (lines["lado"], lines["hostile"]):
        assert abstained["abstained"] and abstained["abstention_reason"] and abstained["abstention_reason"] == abstained["notes"][0]
        assert isinstance(abstained["related"], list)
    assert all(line["split"] == split_of(id_) for id_, line in lines.items())
    kept = evaluated["report"] / "results-ours.jsonl"
    assert kept.read_text(encoding="utf-8") == (evaluated["root"] / "results.jsonl").read_text(encoding="utf-8")


def test_report_page_shows_misses_first_with_gold_citations_and_reasons(evaluated):
    html = (evaluated["report"] / "report.html").read_text(encoding="utf-8")
    rows = question_rows(html)
    assert list(rows) == ["miss", "hostile", "hit", "lado"]
    assert "gold not cited" in rows["miss"] and "Risk management of offenders;" in rows["miss"] and "what age is a child?" in rows["miss"]
    assert re.search(r'<li value="1">[^<]*· (printed \d{4}-\d\d-\d\d|no print date)', rows["miss"])
    assert "false abstention" in rows["hostile"] and f"abstained: {evaluated['lines']['hostile']['abstention_reason']}" in rows["hostile"]
    assert 'class="gold"' in rows["hit"] and "holds gold" in rows["hit"] and "printed 2024-12-21" in rows["hit"]
    assert "abstained rightly" in rows["lado"]
    assert "<script>window.pwned" not in html and "&lt;script&gt;window.pwned = 1&lt;/script&gt;" in html
    assert "false_abstention ↓ lower is better" in html and "<tr><th>ours</th><th>unanswerable</th><td>1</td>" in html
    assert not re.search(r'(src|href)="(?!data:image/png;base64,)', html) and "<link" not in html


def test_a_missed_threshold_exits_1_naming_it_and_still_writes_the_report(evaluated):
    process = evaluated["process"]
    assert process.returncode == 1, process.stderr[-2000:]
    failures = [line for line in process.stderr.splitlines() if line.startswith("fail:")]
    assert failures == ["fail: hit@1 is 0.333, below 0.9 (hit@1=0.9)"]
    assert {"report.html", "report.png", "report.json", "report.md"} <= {p.name for p in evaluated["report"].iterdir()}


def test_thresholds_met_exit_0(evaluated, settings, tmp_path):
    process = run_eval("--questions", str(evaluated["questions"]), "--out", str(tmp_path / "r.jsonl"), "--index", str(settings.index_dir),
                       "--report-dir", str(tmp_path), "--fail-under", "hit@1=0.3", "--fail-under", "false_abstention<=0.34")
    assert process.returncode == 0 and "fail:" not in process.stderr, process.stderr[-2000:]


@pytest.mark.parametrize("threshold, named", [("hit@9=0.5", "unknown metric 'hit@9'"), ("hit@1<0.5", "'hit@1<0.5' is not metric=value"),
                                              ("mrr=high", "'high' is not a number")])
def test_a_bad_threshold_is_one_line_exit_2(threshold, named, tmp_path):
    process = run_eval("--questions", str(tmp_path / "q.jsonl"), "--out", str(tmp_path / "r.jsonl"), "--fail-under", threshold)
    assert process.returncode == 2 and process.stderr.count("\n") == 1
    assert "--fail-under" in process.stderr and named in process.stderr


def renumbered(citations: list[dict]) -> list[dict]:
    return [c | {"rank": rank} for rank, c in enumerate(citations, start=1)]


def planted(lines: dict[str, dict]) -> list[dict]:
    """Run B: the hit's gold falls to last place, the unanswerable question is answered, the
    miss now cites its gold first, and the false abstention answers (still without gold)."""
    hit, miss, lado, hostile = (lines[id_] for id_ in ("hit", "miss", "lado", "hostile"))
    found = miss["citations"][0] | {"text": "Support for families. Risk management of offenders; and more."}
    return [
        hit | {"citations": renumbered([*hit["citations"][1:], hit["citations"][0]])},
        miss | {"citations": [found, *miss["citations"][1:]]},
        lado | {"abstained": False, "abstention_reason": None, "citations": hit["citations"][:1]},
        hostile | {"abstained": False, "abstention_reason": None},
    ]


def test_compare_shows_metric_changes_and_the_questions_that_got_worse_and_better(evaluated, tmp_path, capsys):
    after = tmp_path / "after.jsonl"
    after.write_text("".join(json.dumps(line) + "\n" for line in planted(evaluated["lines"])), encoding="utf-8")
    assert compare([str(evaluated["report"]), str(after)]) == 0  # a report folder and a results file
    out = capsys.readouterr().out
    assert re.search(r"^hit@1 +0\.333 +0\.333 +\+0$", out, re.M)  # one gold at rank 1 lost, one gained
    assert re.search(r"^abstention_recall +1 +0 +-1  worse$", out, re.M)
    assert re.search(r"^false_abstention ↓ +0\.333 +0 +-0\.333  better$", out, re.M)  # lower is better
    worse, better = out.split("worse (2):")[1].split("better (1):")
    assert re.findall(r"^  (\w+) \[", worse, re.M) == ["lado", "hit"]
    assert "A: abstained rightly" in worse and "B: answered the unanswerable" in worse
    assert "A: gold at rank 1" in worse and f"top: {evaluated['lines']['hit']['citations'][1]['title']}" in worse
    assert re.findall(r"^  (\w+) \[", better, re.M) == ["miss"] and "A: gold not cited" in better and "B: gold at rank 1" in better


def test_compare_names_a_missing_or_malformed_results_file(evaluated, tmp_path, capsys):
    assert compare([str(tmp_path / "nowhere.jsonl"), str(evaluated["root"] / "results.jsonl")]) == 2
    assert "nowhere.jsonl: cannot be read" in capsys.readouterr().err
    broken = tmp_path / "broken.jsonl"
    broken.write_text(json.dumps(evaluated["lines"]["hit"]) + "\n{not json\n", encoding="utf-8")
    assert compare([str(evaluated["root"] / "results.jsonl"), str(broken)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "broken.jsonl:2: not valid JSON" in err
    contract_only = tmp_path / "old.jsonl"
    contract_only.write_text(json.dumps({k: evaluated["lines"]["hit"][k] for k in ("id", "answer", "abstained", "citations", "latency_ms")}) + "\n")
    assert compare([str(contract_only), str(broken)]) == 2 and "old.jsonl:1: no 'gold'" in capsys.readouterr().err
    bare = tmp_path / "bare.jsonl"
    bare.write_text(json.dumps(evaluated["lines"]["hit"] | {"citations": [{"rank": 1}]}) + "\n", encoding="utf-8")
    assert compare([str(bare), str(broken)]) == 2 and "bare.jsonl:1: field 'citations' should list objects" in capsys.readouterr().err


def test_report_page_filters_by_kind_and_misses_in_a_browser(evaluated):
    with browser_page() as page:
        page.goto((evaluated["report"] / "report.html").as_uri())
        rows = page.locator("tr.question")
        expect(rows).to_have_count(4)
        expect(page.locator("#shown-count")).to_have_text("4 shown")
        page.select_option("#kind-filter", "unanswerable")
        expect(page.locator("tr.question:visible")).to_have_count(1)
        expect(page.locator("#q-lado")).to_be_visible()
        expect(page.locator("#q-miss")).to_be_hidden()
        page.select_option("#kind-filter", "")
        page.get_by_label(re.compile("misses only")).check()
        expect(page.locator("#shown-count")).to_have_text("2 shown")
        assert [row.get_attribute("id") for row in page.locator("tr.question:visible").all()] == ["q-miss", "q-hostile"]
        expect(page.locator("#q-hit")).to_be_hidden()
        assert page.evaluate("window.pwned === undefined")
        screenshot(page, "eval-report-misses")
