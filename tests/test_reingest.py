"""Admins re-ingest updated chapters: the chat cites the new text and date at once, only
new sentences are embedded, bad files fail alone, and a killed ingest loses nothing."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
from conftest import ROOT

from answer.assistant import Assistant
from eval.match import holds
from ingest.build import build_index
from ingest.report import read_log
from searchindex import shards, store

MK = "003_59e7203d59049fa8.txt"
OLD_PARAGRAPH = "Effective safeguarding systems are child centred. Failings in safeguarding systems are too often the result of losing sight of the needs and views of the children within them, or placing the interests of adults ahead of the needs of children."
NEW_PARAGRAPH = "Practitioners must record every missed health appointment for a looked after child and tell the allocated social worker within one working day."


@pytest.fixture
def local(settings, corpus, tmp_path):
    return settings.with_overrides(corpus_dir=corpus, index_dir=tmp_path / "index")


@pytest.fixture
def live(local, embedder):
    build_index([local.corpus_dir], local.index_dir, local, embedder)
    return Assistant(local, embedder)


def test_edited_chapter_is_cited_with_its_new_paragraph_and_date_and_the_old_one_is_gone(live, local, corpus, embedder):
    assert live.ask("why do safeguarding systems fail children?").citations  # the chat is running on the old text
    page = corpus / MK
    text = page.read_text(encoding="utf-8").replace(OLD_PARAGRAPH, NEW_PARAGRAPH)
    page.write_text(text.replace("Friday 22nd of November 2019", "Tuesday 4th of March 2025"), encoding="utf-8")

    report = build_index([corpus], local.index_dir, local, embedder)
    assert report.updated == [f"{MK} (print date 2019-11-22 → 2025-03-04)"]
    assert 0 < report.embedded < 10  # only the new sentences

    answer = live.ask("when must a missed health appointment for a looked after child be reported?")
    top = answer.citations[0]
    assert top.chunk.source == MK and NEW_PARAGRAPH in top.chunk.text and top.chunk.print_date == "2025-03-04"
    index = live.index()
    assert not any(c.source == MK and holds(c.text, OLD_PARAGRAPH[:60]) for c in index.chunks)
    assert all(c.print_date == "2025-03-04" for c in index.chunks if c.source == MK)


def test_a_reprint_changes_the_date_shown_and_re_embeds_only_its_print_line(live, local, corpus, embedder):
    page = corpus / "000_7e969022eef22aac.txt"
    page.write_text(page.read_text(encoding="utf-8").replace("Saturday 21st of December 2024", "Monday 2nd of June 2025"), encoding="utf-8")
    report = build_index([corpus], local.index_dir, local, embedder)
    # the stamp passage's one sentence and its passage vector; every other passage is kept as it was
    assert report.embedded == 2 and report.updated == ["000_7e969022eef22aac.txt (print date 2024-12-21 → 2025-06-02)"]
    answer = live.ask("which local authority areas do the west midlands procedures cover?")
    assert answer.citations[0].chunk.print_date == "2025-06-02"
    printed = live.ask("when was the west midlands introduction printed?")
    assert printed.text.startswith("This page is correct as printed on Monday 2nd of June 2025") and "2024" not in printed.text


def test_a_removed_chapter_is_dropped_unless_kept(live, local, corpus, embedder):
    (corpus / "004_d47f850b34cc143b.txt").rename(local.index_dir.parent / "aside.txt")
    kept = build_index([corpus], local.index_dir, local, embedder, keep_missing=True)
    assert not kept.removed and "004_d47f850b34cc143b.txt" in store.read_manifest(local.index_dir)["documents"]
    dropped = build_index([corpus], local.index_dir, local, embedder)
    assert dropped.removed == ["004_d47f850b34cc143b.txt"]
    assert all(c.source != "004_d47f850b34cc143b.txt" for c in live.index().chunks)


def test_ingesting_one_file_leaves_the_others_in_place(live, local, tmp_path, embedder):
    extra = tmp_path / "uploads" / "escalation.md"
    extra.parent.mkdir()
    extra.write_text("# Escalation\n\nPractitioners should escalate unresolved professional disagreements to their line manager.\n", encoding="utf-8")
    report = build_index([extra], local.index_dir, local, embedder)
    assert report.added == ["escalation.md"] and not report.removed
    assert len(store.read_manifest(local.index_dir)["documents"]) == 6


def write_bad_files(corpus):
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "junk.txt").write_bytes(bytes(range(256)) * 40)
    (corpus / "windows.txt").write_bytes("Fees\n\nThe \u201cannual fee\u201d of \u00a340 is waived for foster carers.\n".encode("cp1252"))
    with (corpus / "huge.txt").open("wb") as big:
        big.truncate(60 * 2**20)
    shutil.copy(corpus / "002_6e6ee004ff62726c.txt", corpus / "copy of practitioners.txt")
    (corpus / "gone.txt").symlink_to(corpus / "no-such-target.txt")
    (corpus / "odd\nname ü.txt").write_bytes(b"\x00\x01binary")
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60)  # a scan has pictures, not text
    pdf.output(str(corpus / "scan.pdf"))


def test_bad_files_fail_one_line_each_and_the_rest_go_in(local, corpus, tmp_path):
    write_bad_files(corpus)
    env = {**os.environ, "ASSISTANT_INDEX_DIR": str(local.index_dir), "HF_HUB_OFFLINE": "1"}
    run = subprocess.run([sys.executable, "-m", "ingest", str(corpus)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stderr[-1500:]
    failed = [line.strip() for line in run.stdout.splitlines() if line.strip().startswith("failed:")]
    reasons = {
        "empty.txt": "empty file",
        "junk.txt": "binary data",
        "huge.txt": "too large (60.0 MB",
        "copy of practitioners.txt": "same text as 002_6e6ee004ff62726c.txt",
        "gone.txt": "cannot be read",
        "odd\\nname ü.txt": "binary data",
        "scan.pdf": "no text layer",
    }
    assert len(failed) == len(reasons), run.stdout
    for name, reason in reasons.items():
        assert any(line.startswith(f"failed: {name}: ") and reason in line for line in failed), (name, failed)
    documents = store.read_manifest(local.index_dir)["documents"]
    assert set(documents) == {p.name for p in (ROOT / "corpus").glob("*.txt")} | {"windows.txt"}
    log = read_log(local.index_dir)[-1]
    assert len(log["failed"]) == len(reasons) and "windows.txt" in log["added"]


def test_cp1252_text_is_read_correctly(local, corpus, embedder):
    write_bad_files(corpus)
    build_index([corpus], local.index_dir, local, embedder)
    answer = Assistant(local, embedder).ask("is the annual fee waived for foster carers?")
    assert "\u201cannual fee\u201d of \u00a340" in answer.citations[0].chunk.text


def test_a_failed_update_keeps_the_version_already_served(live, local, corpus, embedder):
    (corpus / MK).write_bytes(b"\x00\x00 corrupted upload \x00")
    report = build_index([corpus], local.index_dir, local, embedder)
    assert report.kept == [MK] and len(report.failed) == 1 and MK in report.failed[0]
    assert any(c.source == MK and "MKSCB" in c.text for c in live.index().chunks)


def test_a_crash_while_writing_leaves_the_live_build_serving(live, local, corpus, embedder, monkeypatch):
    before = store.current_build(local.index_dir)
    (corpus / "000_7e969022eef22aac.txt").write_text("Title\n\nA completely new first chapter about record keeping for practitioners.\n", encoding="utf-8")

    def crash(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(shards, "_fsync_write", crash)
    with pytest.raises(OSError):
        build_index([corpus], local.index_dir, local, embedder)
    assert store.current_build(local.index_dir) == before
    assert not live.ask("which local authority areas do the west midlands procedures cover?").abstained


def test_killing_an_ingest_midway_leaves_the_old_index_complete_and_served(live, local, corpus, tmp_path):
    before = store.current_build(local.index_dir)
    for n in range(120):  # enough new text that embedding takes a while
        lines = [f"Paragraph {n}-{i}: practitioners in team {n} review case {i} and record decision {n * i} promptly." for i in range(40)]
        (corpus / f"bulk-{n:03d}.txt").write_text(f"Bulk chapter {n}\n\n" + "\n\n".join(lines) + "\n", encoding="utf-8")
    env = {**os.environ, "ASSISTANT_INDEX_DIR": str(local.index_dir), "HF_HUB_OFFLINE": "1"}
    process = subprocess.Popen([sys.executable, "-m", "ingest", str(corpus)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    seen = b""
    while b"embedding" not in seen and time.monotonic() < deadline and process.poll() is None:
        seen += process.stderr.read1(4096)  # the embedding progress bar has started
    assert b"embedding" in seen, "ingest finished or stalled before it embedded"
    time.sleep(1)
    assert process.poll() is None, "ingest finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert store.current_build(local.index_dir) == before
    answer = live.ask("which local authority areas do the west midlands procedures cover?")
    assert not answer.abstained and answer.citations[0].chunk.source == "000_7e969022eef22aac.txt"
    assert json.loads((before / "manifest.json").read_text())["chunk_count"] == len(live.index().chunks)
