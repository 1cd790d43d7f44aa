"""Broken and hostile corpus files fail alone, each in one line naming it, and the rest go in:
a text file named .docx, a Word file with truncated XML, a zip bomb, a Word file of
thousands of parts. The files are made with python-docx and zipfile here."""

import io
import os
import re
import subprocess
import sys
import zipfile

from conftest import ROOT, signed_in_admin_page

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
    "half-saved.docx": (lambda: truncated_xml(word_file("Practitioners should escalate within two days.")), "not a readable Word document ("),
}


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
    local = settings.with_overrides(corpus_dir=corpus, index_dir=tmp_path / "index")
    build_index([corpus], local.index_dir, local, embedder)
    write_broken(corpus)
    assistant = Assistant(local, embedder)
    page, request = signed_in_admin_page(local, lambda: assistant)
    tables = page.reingest("Oldest print first", request)
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


PARAGRAPHS = b"<w:p><w:r><w:t>The child was seen at home.</w:t></w:r></w:p>" * 1000
# Run in a process of its own, its address space capped, so that the old code's blow-up
# stays bounded on a shared machine: loads one file and prints the error and its peak RSS.
LOAD_ONE = """
import resource, sys
from pathlib import Path
resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))
from config import Settings
from ingest.load import IngestError, load
try:
    load(Path(sys.argv[1]), {}, Settings())  # the default limits: 20 MB a file
    print("ingested")
except IngestError as error:
    print(error)
# This process's own peak (ru_maxrss would count the pytest process it was forked from).
print(next(int(line.split()[1]) // 1024 for line in open("/proc/self/status") if line.startswith("VmHWM:")))
"""


def zip_bomb(expanded_mb: int) -> bytes:
    """A real Word file whose document part is `expanded_mb` MB of paragraphs: about 1 MB on disk."""
    source, out = zipfile.ZipFile(io.BytesIO(word_file("x"))), io.BytesIO()
    with source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for info in source.infolist():
            if info.filename != "word/document.xml":
                target.writestr(info.filename, source.read(info))
                continue
            head, _, tail = source.read(info).partition(b"<w:body>")
            with target.open("word/document.xml", "w", force_zip64=True) as part:
                part.write(head + b"<w:body>")
                for _ in range(expanded_mb * 2**20 // len(PARAGRAPHS)):
                    part.write(PARAGRAPHS)
                part.write(tail)
    return out.getvalue()


def load_one(path) -> tuple[str, int]:
    run = subprocess.run([sys.executable, "-c", LOAD_ONE, str(path)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    lines = run.stdout.strip().splitlines()
    assert run.returncode == 0 and len(lines) == 2, run.stderr[-1500:]
    return lines[0], int(lines[1])


def test_a_word_file_expanding_to_256_mb_is_refused_unread_in_one_line(tmp_path):
    bomb = tmp_path / "bomb.docx"
    bomb.write_bytes(zip_bomb(256))
    assert bomb.stat().st_size < 2 * 2**20
    message, peak_mb = load_one(bomb)
    assert re.fullmatch(r"bomb\.docx: expands to 25\d MB \(the limit is 100 MB\): refused unread as a possible zip bomb", message), message
    assert peak_mb < 200, f"peak RSS {peak_mb} MB while refusing it"


def test_a_word_file_of_thousands_of_parts_is_refused_and_the_rest_go_in(settings, embedder, corpus, tmp_path):
    many = rewritten(word_file("Practitioners should escalate within two days."), lambda name, data: data)
    out = io.BytesIO(many)
    with zipfile.ZipFile(out, "a") as archive:
        for number in range(3000):
            archive.writestr(f"customXml/extra{number}.xml", b"<x/>")
    (corpus / "many-parts.docx").write_bytes(out.getvalue())
    (corpus / "bomb.docx").write_bytes(zip_bomb(120))
    local = settings.with_overrides(corpus_dir=corpus, index_dir=tmp_path / "index")
    report = build_index([corpus], local.index_dir, local, embedder)
    bomb, many_parts = sorted(report.failed)
    assert re.fullmatch(r"bomb\.docx: expands to 12\d MB \(the limit is 100 MB\): refused unread as a possible zip bomb", bomb)
    assert many_parts == f"many-parts.docx: has {len(zipfile.ZipFile(out).infolist())} parts (the limit is 1000): refused unread"
    assert set(report.added) == GOOD
