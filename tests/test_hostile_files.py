"""Broken and hostile corpus files fail alone, each in one line naming it, and the rest go in:
a text file named .docx, a Word file with truncated XML, a zip bomb, a Word file of
thousands of parts. The files are made with python-docx and zipfile here."""

import io
import os
import shutil
import subprocess
import sys
import zipfile

import pytest
from conftest import ROOT

from answer.assistant import Assistant
from ingest.build import build_index
from searchindex import store

GOOD = {p.name for p in (ROOT / "corpus").glob("*.txt")}


def word_file(*paragraphs: str) -> bytes:
    from docx import Document

    document = Document()
    document.add_heading("Escalation", level=1)
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def rewritten(docx: bytes, change) -> bytes:
    """The same Word file with each part's bytes passed through `change(name, data)`."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, change(info.filename, source.read(info)))
    return out.getvalue()


def truncated_xml(docx: bytes) -> bytes:
    return rewritten(docx, lambda name, data: data[: len(data) // 2] if name == "word/document.xml" else data)


BROKEN = {
    "notes.docx": (lambda: b"These are my notes, saved from a text editor with the wrong name.\n", "not a"),
    "half-saved.docx": (lambda: truncated_xml(word_file("Practitioners should escalate within two days.")), "not a readable .docx file (XMLSyntaxError"),
}


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", folder)
    return folder


def write_broken(corpus):
    for name, (make, _) in BROKEN.items():
        (corpus / name).write_bytes(make())


def test_a_text_file_named_docx_and_a_truncated_one_fail_one_line_each_and_the_rest_go_in(corpus, tmp_path):
    write_broken(corpus)
    env = {**os.environ, "ASSISTANT_INDEX_DIR": str(tmp_path / "index"), "HF_HUB_OFFLINE": "1"}
    run = subprocess.run([sys.executable, "-m", "ingest", str(corpus)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stderr[-1500:]
    assert "Traceback" not in run.stderr
    failed = [line.strip() for line in run.stdout.splitlines() if line.strip().startswith("failed:")]
    assert len(failed) == len(BROKEN), run.stdout
    for name, (_, reason) in BROKEN.items():
        assert any(line.startswith(f"failed: {name}: ") and reason in line for line in failed), (name, failed)
    assert set(store.read_manifest(tmp_path / "index")["documents"]) == GOOD


def test_re_ingest_from_the_admin_page_names_the_broken_files_and_publishes_the_rest(settings, embedder, corpus, tmp_path):
    from admin import AdminPage

    local = settings.with_overrides(corpus_dir=corpus, index_dir=tmp_path / "index", admin_password="a long enough password")
    build_index([corpus], local.index_dir, local, embedder)
    write_broken(corpus)
    assistant = Assistant(local, embedder)
    tables = AdminPage(local, lambda: assistant).reingest(True, "Oldest print first")
    summary = tables[1]
    assert "failed 2" in summary
    for name in BROKEN:
        assert f"failed: {name}: " in summary


def test_the_chat_starts_over_a_damaged_index_with_a_broken_word_file_in_the_corpus(settings, embedder, corpus, tmp_path):
    local = settings.with_overrides(corpus_dir=corpus, index_dir=tmp_path / "index")
    build_index([corpus], local.index_dir, local, embedder)
    (store.current_build(local.index_dir) / "manifest.json").write_text("{ damaged", encoding="utf-8")
    write_broken(corpus)
    assistant = Assistant.open(local, embedder)
    assert not assistant.ask("what age is a child?").abstained
    assert {c.source for c in assistant.index().chunks} == GOOD
