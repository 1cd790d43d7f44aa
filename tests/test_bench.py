"""The benchmark's scaled corpus and report, without the model (seconds, not minutes)."""

from __future__ import annotations

from collections import Counter
from types import SimpleNamespace

import faiss
import numpy as np
import pytest

from config import load_settings
from eval.bench import dense_recall, edit_chapter
from eval.bench_corpus import locality, scaled_corpus
from eval.bench_report import merge, read_rows, targets, write_report
from ingest.load import find_files, load, read_manifest
from ingest.prepare import prepare
from ingest.sentences import split_chunks


@pytest.fixture(scope="module")
def scaled(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scaled") / "corpus"
    scaled_corpus(load_settings().corpus_dir, folder, 4)
    return folder


def _documents(folder):
    settings, manifest = load_settings(), read_manifest(folder)
    return {path.name: prepare(load(path, manifest, settings), settings) for path in find_files([folder])}


def test_first_copy_is_the_shipped_corpus(scaled):
    for path in find_files([load_settings().corpus_dir]):
        assert (scaled / f"0000-{path.name}").read_bytes() == path.read_bytes()


def test_copies_reword_every_sentence_so_none_repeats_in_another_copy(scaled):
    in_copies = {(s.text, name[:4]) for name, (_, chunks) in _documents(scaled).items() for s in split_chunks(chunks)}
    copies_of = Counter(text for text, _ in in_copies)
    assert [text for text, copies in copies_of.items() if copies > 1] == []


def test_copies_keep_print_dates_and_name_their_locality(scaled):
    documents = _documents(scaled)
    for name, (document, chunks) in documents.items():
        original = documents["0000-" + name[5:]][0]
        assert document.print_date == original.print_date
        if not name.startswith("0000"):
            place = locality(int(name[:4]), seed=7)
            assert document.area == place and document.title.endswith(place)
            assert len(chunks) >= len(documents["0000-" + name[5:]][1])


def test_localities_never_repeat_across_a_thousand_copies():
    assert len({locality(copy, seed=7) for copy in range(1, 1000)}) == 999


def test_a_chapter_edit_changes_a_paragraph_and_adds_one(tmp_path):
    path = tmp_path / "chapter.txt"
    long = "Practitioners should record every concern about a child in writing. " * 5
    path.write_text(f"Heading\n\n{long}\n\nShort closing line.", encoding="utf-8")
    edit_chapter(path)
    blocks = path.read_text(encoding="utf-8").split("\n\n")
    assert len(blocks) == 4 and blocks[1] != long and "must record" in blocks[1] and blocks[3] == "Short closing line."


def test_exact_search_has_full_recall_and_a_crippled_index_does_not():
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(500, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    exact = faiss.IndexFlatIP(16)
    exact.add(vectors)
    half = faiss.IndexFlatIP(16)
    half.add(vectors[:250])
    queries = vectors[:40] + 0.1
    assert dense_recall(SimpleNamespace(vectors=vectors, dense=exact), queries) == 1.0
    assert dense_recall(SimpleNamespace(vectors=vectors, dense=half), queries) < 0.8


def test_a_size_measured_again_replaces_its_row_in_the_report(tmp_path):
    first = {"copies": 1, "passages": 56, "ingest_s": 2.0, "cold_start_s": 3.1}
    rows = merge(merge([], {"copies": 1000, "passages": 60000, "one_chapter_update_s": 1.5}), first)
    write_report(tmp_path, rows)
    rows = merge(read_rows(tmp_path), {**first, "cold_start_s": 2.0})
    assert [(r["copies"], r.get("cold_start_s")) for r in rows] == [(1, 2.0), (1000, None)]
    summary = targets(rows)
    assert "at ×1: ×1 2.0 met" in summary and "×1000 1.5 met" in summary and "(IVF) recall@10 ≥ 0.98: not measured" in summary
    assert (tmp_path / "bench.png").stat().st_size > 0
