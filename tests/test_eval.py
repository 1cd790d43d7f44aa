"""The evaluation: our question set is valid, the runner keeps the shared contract on any
question file, the metrics are right on a case worked out by hand, and the abstention model
can be refitted over a larger corpus."""

import json
import os
import subprocess
import sys
from collections import Counter

import pytest
from conftest import ROOT, corpus_text

from eval.match import answer_holds, fold, holds
from eval.metrics import score
from eval.questions import Gold, Question, QuestionFileError, load_questions

QUESTIONS = ROOT / "eval" / "questions.jsonl"


def test_question_set_is_valid_and_every_quote_is_in_its_file():
    questions = load_questions(QUESTIONS)
    assert len(questions) >= 60
    kinds = Counter(q.kind for q in questions)
    assert kinds["follow_up"] >= 8 and kinds["unanswerable"] >= 8
    assert all(q.history for q in questions if q.kind == "follow_up")
    covered = set()
    for q in questions:
        for gold in q.gold:
            assert gold.quote in corpus_text(gold.file), (q.id, gold.file, gold.quote[:60])
            covered.add(gold.file)
        assert set(q.print_date) <= {g.file for g in q.gold}, q.id
        assert (not q.gold) == (q.kind == "unanswerable"), q.id
    assert covered == {p.name for p in (ROOT / "corpus").glob("*.txt")}


def test_folding_follows_the_contract():
    assert fold("Children’s  social\n care – now") == "children's social care - now"
    assert holds("…should make a referral to local authority children's social care.", "make a referral to local authority children’s social care")
    quote = "a" * 70 + " continues in the next passage"
    assert holds("x " + "a" * 70, quote) and not holds("x " + "a" * 50, quote)
    assert answer_holds("Working Together defines it as: protecting children from maltreatment [1]", "defines it as:\n  • protecting children from maltreatment")


def q(id_, gold=(), kind="direct", dates=None, keywords=()):
    return Question(id_, "question", (), tuple(Gold(f, quote) for f, quote in gold), tuple(keywords), dates or {}, kind)


def cite(rank, text, source, date=None, also=()):
    return {"rank": rank, "text": text, "source": source, "print_date": date, "also_in": [{"source": s, "print_date": d} for s, d in also]}


def test_metrics_on_a_hand_made_case():
    questions = [
        q("a", [("f1", "alpha beta")], dates={"f1": "2024-01-02"}, keywords=("alpha", "gamma")),
        q("b", [("f2", "delta")]),
        q("c", [("f3", "omega")]),
        q("d", kind="unanswerable"),
        q("e", kind="unanswerable"),
    ]
    results = [
        {"answer": "Alpha beta. [1]", "abstained": False, "latency_ms": 10, "citations": [cite(1, "the ALPHA  beta text", "f1", "2024-01-02")]},
        {"answer": "Something. [1]", "abstained": False, "latency_ms": 20, "citations": [cite(1, "nothing", "f9"), cite(2, "x delta y", "f2", "2020-01-01")]},
        {"answer": "Not covered.", "abstained": True, "latency_ms": 30, "citations": []},
        {"answer": "Not covered.", "abstained": True, "latency_ms": 40, "citations": []},
        {"answer": "Made up. [1]", "abstained": False, "latency_ms": 50, "citations": [cite(1, "one two three four", "f1")]},
    ]
    metrics = score(questions, results)
    assert metrics["hit@1"] == pytest.approx(1 / 3, abs=1e-3)
    assert metrics["hit@3"] == pytest.approx(2 / 3, abs=1e-3)
    assert metrics["mrr"] == pytest.approx((1 + 0.5 + 0) / 3, abs=1e-3)
    assert metrics["answer_has_gold"] == pytest.approx(1 / 3, abs=1e-3)
    assert metrics["keyword_coverage"] == pytest.approx(0.5)  # only question a has keywords: alpha yes, gamma no
    assert metrics["print_dates_right"] == pytest.approx(0.5)  # a right; b shows a date its file does not state
    assert metrics["abstention_recall"] == pytest.approx(0.5)
    assert metrics["false_abstention"] == pytest.approx(1 / 3, abs=1e-3)
    assert metrics["median_passage_words"] == 3.5  # passages of 4, 1, 3 and 4 words
    assert metrics["latency_p50_ms"] == 30


def test_runner_keeps_the_contract_on_any_question_file(settings, built_index, tmp_path):
    questions = tmp_path / "mine.jsonl"
    rows = [
        {"id": "x1", "question": "what age is a child?", "gold": [{"file": "001_85fc01a5fa2a4b07.txt", "quote": "has not yet reached their 18th birthday"}], "answer_keywords": ["18th"], "kind": "direct"},
        {"id": "x2", "question": "and for schools?", "history": ["who is responsible for safeguarding?"], "gold": [], "answer_keywords": [], "kind": "follow_up"},
        {"id": "x3", "question": "who is the LADO?", "gold": [], "answer_keywords": [], "kind": "unanswerable"},
    ]
    questions.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    out, reports = tmp_path / "results.jsonl", tmp_path / "reports"
    run = subprocess.run(
        [sys.executable, "-m", "eval", "--questions", str(questions), "--out", str(out), "--index", str(settings.index_dir), "--k", "3", "--report-dir", str(reports)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    results = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in results] == ["x1", "x2", "x3"]
    for r in results:
        assert {"id", "answer", "abstained", "citations", "latency_ms"} <= set(r)  # the contract; extra fields are allowed
        assert isinstance(r["abstained"], bool) and r["latency_ms"] > 0 and len(r["citations"]) <= 3
        assert [c["rank"] for c in r["citations"]] == list(range(1, len(r["citations"]) + 1))
        for c in r["citations"]:
            assert {"rank", "text", "title", "source", "section", "area", "print_date", "also_in", "warnings"} <= set(c)
    assert results[2]["abstained"] and results[2]["citations"] == []
    report = next(reports.iterdir())
    assert {"report.json", "report.md", "report.png"} <= {p.name for p in report.iterdir()}
    assert "report:" in run.stdout and "hit@1" in run.stdout


def test_a_bad_question_file_gets_one_line_naming_line_and_field(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "1", "question": "q", "gold": [], "answer_keywords": [], "kind": "direct"}\n{"id": "2", "question": "q", "gold": [], "kind": "sideways"}\n', encoding="utf-8")
    with pytest.raises(QuestionFileError, match=r"bad.jsonl:2: field 'kind' is 'sideways'"):
        load_questions(bad)
    run = subprocess.run([sys.executable, "-m", "eval", "--questions", str(bad), "--out", str(tmp_path / "o.jsonl")], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and run.stderr.strip().count("\n") == 0 and "bad.jsonl:2" in run.stderr


def test_quoted_pieces_count_as_whole_only_from_a_sentence_start_to_its_end():
    from eval.metrics import whole_sentences

    passage = "Staff should act at once. They must tell the designated safeguarding lead:\n• about any concern\n[2] A note."
    cited = [{"text": passage}]
    whole = {"abstained": False, "citations": cited, "answer": "Staff should act at once. [1]\n• about any concern [1]\nA note. [1]"}
    cut = {"abstained": False, "citations": cited, "answer": "should act at once. [1]\nThey must tell the designated [1]"}
    assert whole_sentences(whole) == 1.0 and whole_sentences(cut) == 0.0
    assert whole_sentences({"abstained": True, "citations": [], "answer": "not covered"}) is None


def test_the_abstention_model_can_be_refitted_over_a_larger_corpus_keeping_the_ranking(settings, embedder, built_index, corpus, tmp_path):
    # A second, larger corpus: the five pages and a long extra chapter.
    from ingest.build import build_index

    chapter = "\n\n".join(f"## Part {n}\n\nPractitioners in service {n} should record each concern and share it with the designated lead." for n in range(60))
    (corpus / "extra.md").write_text("# Extra chapter\n\n" + chapter + "\n", encoding="utf-8")
    larger = tmp_path / "larger-index"
    assert not build_index([corpus], larger, settings.with_overrides(index_dir=larger), embedder).failed
    out = tmp_path / "ranker.json"
    run = subprocess.run(
        [sys.executable, "-m", "eval.fit", "--questions", "eval/heldout3.jsonl", "--also", "eval/heldout3.jsonl", str(larger), "--keep-passage-model", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600, env={**os.environ, "ASSISTANT_INDEX_DIR": str(settings.index_dir)},
    )
    assert run.returncode == 0, run.stderr[-2000:]
    written, shipped = json.loads(out.read_text(encoding="utf-8")), json.loads((ROOT / "answer" / "ranker.json").read_text(encoding="utf-8"))
    assert written["passage"] == shipped["passage"]  # ranking untouched
    assert "corpus_size" in written["question"]["features"] and 0 < written["abstain_above"] < 1
    assert "also on the dev split of eval/heldout3.jsonl over larger-index" in written["chosen_on"]


def test_refitting_over_a_missing_index_or_question_file_is_one_line_naming_it(tmp_path):
    for extra, named in (
        (["--questions", "eval/heldout3.jsonl", "--also", "eval/heldout3.jsonl", str(tmp_path / "no-index")], "no-index"),
        (["--questions", str(tmp_path / "none.jsonl")], "none.jsonl"),
    ):
        run = subprocess.run([sys.executable, "-m", "eval.fit", *extra, "--out", str(tmp_path / "r.json")], cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert run.returncode == 2 and named in run.stderr and len(run.stderr.strip().splitlines()) == 1, run.stderr[-800:]
        assert not (tmp_path / "no-index").exists() and not (tmp_path / "r.json").exists()


def test_the_baselines_read_the_files_the_index_was_built_from_not_the_shipped_corpus(settings, embedder, tmp_path):
    # An index over a folder of its own, with ASSISTANT_CORPUS_DIR left at the shipped corpus:
    # baselines that read corpus/ would score 0 here without saying why.
    from ingest.build import build_index

    folder, index = tmp_path / "own-corpus", tmp_path / "own-index"
    folder.mkdir()
    chapter = folder / "ferries.md"
    chapter.write_text("# School trips\n\n## Ferries\n\nA child crossing by ferry on a school trip must wear the orange wristband issued at the harbour office.\n", encoding="utf-8")
    assert not build_index([folder], index, settings.with_overrides(index_dir=index), embedder).failed
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"id": "f1", "question": "what does a child wear on the ferry", "gold": [{"file": "ferries.md", "quote": "must wear the orange wristband"}], "answer_keywords": [], "kind": "direct"}) + "\n", encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key != "ASSISTANT_CORPUS_DIR"}
    command = [sys.executable, "-m", "eval", "--questions", str(questions), "--out", str(tmp_path / "r.jsonl"), "--index", str(index), "--baselines", "--report-dir", str(tmp_path / "reports")]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600, env=env)
    assert run.returncode == 0, run.stderr[-2000:]
    scores = json.loads(next((tmp_path / "reports").glob("*/report.json")).read_text(encoding="utf-8"))["scores"]
    for system in ("llama-index defaults", "llama-index BM25 128", "llama-index BM25 1024"):
        assert scores[system]["all"]["hit@1"] == 1.0, system

    # Edited since: the baselines would read other words than ours answers from, so the run stops.
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nA later line.\n", encoding="utf-8")
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600, env=env)
    assert run.returncode == 2 and len(run.stderr.strip().splitlines()) == 1 and "ferries.md: changed since it was indexed" in run.stderr, run.stderr[-800:]
