"""Per-document shards: an update rewrites only the changed chapter, answers exactly as a
full rebuild would, and a writer killed at any write leaves the served build whole."""

import os
import shutil
import signal
import subprocess
import sys

import numpy as np
import pytest
from conftest import ROOT

from answer.assistant import Assistant
from ingest.build import build_index
from searchindex import store

EDITED = "001_85fc01a5fa2a4b07.txt"
ADDED = "Practitioners must tell the designated safeguarding lead about every missed health appointment of a looked after child within one working day."
QUESTIONS = [
    "what age is a child?",
    "who do i tell if im worried about a child",
    "what does child centred mean",
    "what happens to a missed health appointment of a looked after child?",
    "which local authority areas do the west midlands procedures cover?",
]


@pytest.fixture
def local(settings, embedder, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    local = settings.with_overrides(corpus_dir=corpus, index_dir=tmp_path / "index")
    build_index([corpus], local.index_dir, local, embedder)
    return local


def edit_one_chapter(corpus) -> None:
    path = corpus / EDITED
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\n\n", f"\n\n{ADDED}\n\n", 1), encoding="utf-8")


def shard_folders(settings) -> dict[str, tuple[str, int]]:
    """Each document's shard, and when its folder was last written."""
    documents = store.read_manifest(settings.index_dir)["documents"]
    folders = {name: settings.index_dir / "shards" / d["shard"] for name, d in documents.items()}
    return {name: (folder.name, folder.stat().st_mtime_ns) for name, folder in folders.items()}


def answers(settings, embedder) -> list[tuple]:
    assistant = Assistant(settings, embedder)
    return [(a.text, [c.chunk.id for c in a.citations]) for a in map(assistant.ask, QUESTIONS)]


def test_a_one_chapter_update_writes_only_that_chapters_shard(local, embedder):
    before = shard_folders(local)
    edit_one_chapter(local.corpus_dir)
    report = build_index([local.corpus_dir], local.index_dir, local, embedder)
    after = shard_folders(local)
    assert report.updated == [EDITED] and 0 < report.embedded <= 4  # the new sentence and the passages it moved
    assert after[EDITED][0] != before[EDITED][0]
    assert {n: s for n, s in after.items() if n != EDITED} == {n: s for n, s in before.items() if n != EDITED}
    assert len(list((local.index_dir / "shards").iterdir())) == len(after) + 1  # the old shard stays for the previous build


def test_a_shard_update_answers_exactly_as_a_full_rebuild(local, embedder, tmp_path):
    edit_one_chapter(local.corpus_dir)
    build_index([local.corpus_dir], local.index_dir, local, embedder)
    rebuilt = local.with_overrides(index_dir=tmp_path / "rebuilt")
    build_index([local.corpus_dir], rebuilt.index_dir, rebuilt, embedder, reuse=False)
    updated, full = (store.read_index(s.index_dir, embedder.identity) for s in (local, rebuilt))
    assert updated.chunks == full.chunks and updated.sentences == full.sentences
    assert np.allclose(updated.vectors, full.vectors, atol=1e-5) and np.allclose(updated.passage_vectors, full.passage_vectors, atol=1e-5)
    assert answers(local, embedder) == answers(rebuilt, embedder)
    assert ADDED in answers(local, embedder)[3][0]


def test_inverted_lists_are_trained_once_and_kept_across_an_update(local, embedder, tmp_path):
    approximate = local.with_overrides(index_dir=tmp_path / "ivf", approximate_above=0)
    build_index([local.corpus_dir], approximate.index_dir, approximate, embedder)
    trained = store.read_manifest(approximate.index_dir)["dense"]
    assert type(store.read_index(approximate.index_dir, embedder.identity).dense).__name__ == "IndexIVFFlat"
    assert answers(approximate, embedder) == answers(local, embedder)
    edit_one_chapter(local.corpus_dir)
    build_index([local.corpus_dir], approximate.index_dir, approximate, embedder)
    assert store.read_manifest(approximate.index_dir)["dense"] == trained


# Writes each file in two halves and stops between them at the chosen write, to be killed there.
TORN_WRITER = """
import sys, time
from searchindex import shards
stop_at, count = int(sys.argv[1]), [0]
def torn(path, data):
    count[0] += 1
    with path.open("wb") as handle:
        handle.write(data[: len(data) // 2])
        handle.flush()
        if count[0] == stop_at:
            print("torn", path, flush=True)
            time.sleep(120)
        handle.write(data[len(data) // 2 :])
shards._fsync_write = torn
from ingest.__main__ import main
sys.exit(main(sys.argv[2:]))
"""
WRITES = 6  # an update of one chapter: its vectors, term counts, text and checksums, the build manifest, the pointer


@pytest.mark.parametrize("stop_at", range(1, WRITES + 1))
def test_kill_9_at_any_write_of_an_update_leaves_the_served_build_whole(local, embedder, stop_at, tmp_path):
    before, served = store.current_build(local.index_dir), answers(local, embedder)
    edit_one_chapter(local.corpus_dir)
    env = {**os.environ, "ASSISTANT_INDEX_DIR": str(local.index_dir), "HF_HUB_OFFLINE": "1"}
    errors = (tmp_path / "stderr").open("w")
    writer = subprocess.Popen(
        [sys.executable, "-c", TORN_WRITER, str(stop_at), str(local.corpus_dir)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=errors, text=True,
    )
    line = writer.stdout.readline()
    assert line.startswith("torn"), (tmp_path / "stderr").read_text()[-2000:]
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=30)
    assert store.current_build(local.index_dir) == before
    assert answers(local, embedder) == served
    report = build_index([local.corpus_dir], local.index_dir, local, embedder)  # the next ingest tidies up and finishes
    assert report.updated == [EDITED]
    assert not list(local.index_dir.glob("*/.staging-*")) and not list(local.index_dir.glob(".CURRENT.tmp-*"))
    assert before.is_dir()  # the build it replaced stays for readers still loading it
    assert ADDED in answers(local, embedder)[3][0]


def test_vectors_overwritten_with_nan_are_refused_in_one_sentence_not_served(local, embedder, caplog):
    """A valid .npy of the right shape, every value NaN: it loads, and served changed answers."""
    shard = local.index_dir / "shards" / store.read_manifest(local.index_dir)["documents"][EDITED]["shard"]
    vectors = np.load(shard / "vectors.npy")
    np.save(shard / "vectors.npy", np.full_like(vectors, np.nan))
    with pytest.raises(store.IndexUnavailable) as refused:
        store.read_index(local.index_dir, embedder.identity)
    message = str(refused.value)
    assert "vectors.npy does not match the checksum written at ingest" in message and "\n" not in message
    assistant = Assistant.open(local, embedder)  # the chat rebuilds from the corpus rather than serve it
    assert "building a new index" in caplog.text
    assert not np.isnan(assistant.index().vectors).any()
