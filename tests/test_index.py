"""The index folder: what built it, atomic publishing, reuse of unchanged text, and a
clear refusal when the model does not match."""

import hashlib
import json
import shutil

import pytest

from answer.assistant import Assistant
from ingest.build import build_index
from ingest.chunk import CHUNKING_VERSION
from searchindex import store
from searchindex.dense import build_dense, train_centroids
from searchindex.embed import ModelError, ModelIdentity, open_embedder
from searchindex.store import IndexUnavailable
from searchindex.terms import TERMS_VERSION


def test_manifest_records_model_identity_chunking_and_corpus(settings, built_index):
    manifest = store.read_manifest(settings.index_dir)
    assert manifest["model"]["sha256"] == "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
    assert manifest["model"]["dimension"] == 384
    assert manifest["chunking"] == {"pack_words": settings.chunk_pack_words, "max_words": settings.chunk_max_words, "version": CHUNKING_VERSION, "terms": TERMS_VERSION}
    assert set(manifest["documents"]) == {p.name for p in settings.corpus_dir.glob("*.txt")}
    assert manifest["documents"]["000_7e969022eef22aac.txt"]["print_date"] == "2024-12-21"
    assert manifest["documents"]["001_85fc01a5fa2a4b07.txt"]["print_date"] is None
    assert len(manifest["corpus_hash"]) == 64 and manifest["built_at"]


def test_rerunning_an_unchanged_corpus_embeds_nothing_and_keeps_the_build(settings, embedder, built_index):
    before = store.current_build(settings.index_dir)
    report = build_index([settings.corpus_dir], settings.index_dir, settings, embedder)
    assert report.embedded == 0 and report.unchanged and not report.added
    assert store.current_build(settings.index_dir) == before


def test_a_build_chunked_by_older_code_is_chunked_again(settings, embedder, built_index, tmp_path):
    folder = tmp_path / "index"
    shutil.copytree(settings.index_dir, folder)
    manifest_path = store.current_build(folder) / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["chunking"]["version"] = CHUNKING_VERSION - 1
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    before = store.current_build(folder)
    report = build_index([settings.corpus_dir], folder, settings, embedder)
    assert store.current_build(folder) != before and report.embedded == 0  # cut again; no text is new
    assert store.read_manifest(folder)["chunking"]["version"] == CHUNKING_VERSION


def test_a_build_made_with_another_model_is_refused_in_one_sentence(settings, embedder, built_index, tmp_path):
    folder = tmp_path / "index"
    shutil.copytree(settings.index_dir, folder)
    other = ModelIdentity("other-model", "/nowhere", "0" * 64, 768)
    with pytest.raises(IndexUnavailable, match="built with model .* configured model is other-model"):
        store.read_index(folder, other)


def test_wrong_model_weights_are_refused(settings):
    with pytest.raises(ModelError, match="not the expected"):
        open_embedder(settings.with_overrides(model_sha256="f" * 64))


def test_a_half_written_build_is_never_served(settings, embedder, built_index, tmp_path):
    folder = tmp_path / "index"
    shutil.copytree(settings.index_dir, folder)
    live = store.current_build(folder)
    # A crashed ingest leaves a staging folder behind; CURRENT still names the complete build.
    (folder / "shards" / ".staging-crashed").mkdir()
    (folder / "shards" / ".staging-crashed" / "shard.json").write_text("{", encoding="utf-8")
    assert store.read_index(folder, embedder.identity).folder == live


def test_a_damaged_build_says_so(settings, embedder, built_index, tmp_path):
    folder = tmp_path / "index"
    shutil.copytree(settings.index_dir, folder)
    shard = folder / "shards" / store.read_manifest(folder)["documents"]["001_85fc01a5fa2a4b07.txt"]["shard"]
    head = json.loads((shard / "shard.json").read_text(encoding="utf-8"))
    head["chunks"].pop()
    (shard / "shard.json").write_text(json.dumps(head), encoding="utf-8")
    with pytest.raises(IndexUnavailable, match="does not match the checksum"):
        store.read_index(folder, embedder.identity)
    # Damage the checksums would not see (a part rewritten with its checksum) is caught too.
    sums = json.loads((shard / "checksums.json").read_text(encoding="utf-8"))
    sums["shard.json"] = hashlib.sha256((shard / "shard.json").read_bytes()).hexdigest()
    (shard / "checksums.json").write_text(json.dumps(sums), encoding="utf-8")
    with pytest.raises(IndexUnavailable, match="disagree on counts"):
        store.read_index(folder, embedder.identity)


def test_assistant_builds_the_index_when_there_is_none(settings, embedder, tmp_path):
    fresh = settings.with_overrides(index_dir=tmp_path / "empty-index")
    assistant = Assistant.open(fresh, embedder)
    assert store.current_build(fresh.index_dir) is not None
    assert not assistant.ask("what age is a child?").abstained


def test_a_newly_published_build_is_served_on_the_next_question(settings, embedder, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Escalation\n\nPractitioners should escalate unresolved disagreements to a senior manager.\n", encoding="utf-8")
    local = settings.with_overrides(index_dir=tmp_path / "index", corpus_dir=corpus)
    assistant = Assistant.open(local, embedder)
    assert assistant.ask("who do I escalate a disagreement to?").citations[0].chunk.source == "a.txt"
    (corpus / "b.txt").write_text("Bruising\n\nAny bruising in a baby who is not yet mobile must be referred to children's social care.\n", encoding="utf-8")
    build_index([corpus], local.index_dir, local, embedder)
    answer = assistant.ask("what should happen about bruising in a baby who is not mobile?")
    assert answer.citations[0].chunk.source == "b.txt"
    assert json.loads((store.current_build(local.index_dir) / "manifest.json").read_text())["chunk_count"] == 2


@pytest.mark.parametrize("backend", ["flat", "ivf"])
def test_vector_backends_find_the_nearest_vectors(backend):
    import numpy as np

    rng = np.random.default_rng(7)
    topics = rng.standard_normal((100, 384)).astype(np.float32)  # sentence vectors gather by topic
    vectors = topics[rng.integers(0, 100, 4000)] / np.sqrt(384) + 0.03 * rng.standard_normal((4000, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    queries = vectors[:50] + 0.05 * rng.standard_normal((50, 384)).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    index = build_dense(vectors, train_centroids(vectors) if backend == "ivf" else None)
    assert type(index).__name__ == ("IndexFlatIP" if backend == "flat" else "IndexIVFFlat")
    _, found = index.search(queries, 10)
    exact = np.argsort(-(queries @ vectors.T), axis=1)[:, :10]
    recall = np.mean([len(set(f) & set(e)) / 10 for f, e in zip(found, exact)])
    assert (found[:, 0] == np.arange(50)).all()
    assert recall == 1.0 if backend == "flat" else recall >= 0.95
