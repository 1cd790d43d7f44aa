"""Step 7 of ingest, and the first of answering: the index folder on disk.

Each build is written whole into index/builds/<name>/ and only then named in
index/CURRENT (replaced atomically), so a reader never sees a half-written index.
A build holds the chunks (what is cited), their sentences, one vector per distinct
sentence text (what is searched, and the embedding cache for the next ingest: pages
repeat each other, so many sentences share a vector), a FAISS index over those vectors,
one vector per chunk (its text with area, title and section in front), BM25 data over the
chunks, and a manifest saying what built it.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import bm25s
import faiss
import numpy as np

from records import Chunk, Sentence
from searchindex.embed import ModelIdentity
from searchindex.terms import terms, words

FORMAT_VERSION = 4  # 4: passage vectors
CURRENT = "CURRENT"
BUILDS = "builds"
KEEP_BUILDS = 2  # the live build and the one before it, for readers still loading it


class IndexUnavailable(Exception):
    """No usable index in the folder, said in one sentence."""


@dataclass
class IndexData:
    folder: Path  # the build folder it was read from
    manifest: dict
    chunks: list[Chunk]
    sentences: list[Sentence]
    vectors: np.ndarray  # one unit-length row per distinct sentence text
    sentence_vector: np.ndarray  # for each sentence, its row in `vectors`
    passage_vectors: np.ndarray  # one unit-length row per chunk: its text with area, title and section in front
    dense: faiss.Index
    bm25: bm25s.BM25

    @cached_property
    def _vector_sentences(self) -> tuple[np.ndarray, np.ndarray]:
        order = np.argsort(self.sentence_vector, kind="stable")
        starts = np.searchsorted(self.sentence_vector[order], np.arange(len(self.vectors) + 1))
        return order, starts

    def sentences_with_vectors(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Rows of every sentence whose text has one of the vectors `rows`, and for each the
        position in `rows` of its vector (a repeated sentence shares one vector)."""
        order, starts = self._vector_sentences
        counts = starts[rows + 1] - starts[rows]
        sentence_rows = np.concatenate([order[starts[r] : starts[r + 1]] for r in rows]) if len(rows) else np.empty(0, np.int64)
        return sentence_rows, np.repeat(np.arange(len(rows)), counts)

    @cached_property
    def bm25_idf(self) -> np.ndarray:
        """Lucene's BM25 idf of each vocabulary entry, from the document frequencies BM25 keeps."""
        frequency = np.diff(self.bm25.scores["indptr"])
        return np.log(1 + (len(self.chunks) - frequency + 0.5) / (frequency + 0.5)).astype(np.float32)

    @cached_property
    def corpus_words(self) -> frozenset[str]:
        return frozenset(w for chunk in self.chunks for w in words(chunk.text))

    @cached_property
    def sentence_chunk(self) -> np.ndarray:
        """For each sentence, the row of its chunk."""
        return np.fromiter((s.chunk for s in self.sentences), dtype=np.int64, count=len(self.sentences))

    @cached_property
    def says_nothing(self) -> np.ndarray:
        """Lead-ins ("… should:", whose list holds the content) and pointers to lost links."""
        return np.fromiter((s.says_nothing for s in self.sentences), dtype=bool, count=len(self.sentences))

    def in_area(self, area: str) -> np.ndarray:
        """Chunks of that area's procedures or of no stated area."""
        return (self._chunk_area == area) | (self._chunk_area == "")

    @cached_property
    def _chunk_area(self) -> np.ndarray:
        return np.array([c.area or "" for c in self.chunks])

    @cached_property
    def _sentence_starts(self) -> np.ndarray:
        return np.searchsorted(self.sentence_chunk, np.arange(len(self.chunks) + 1))

    def sentence_rows(self, chunk: int) -> range:
        """Rows of a chunk's sentences (they are stored in chunk order)."""
        return range(int(self._sentence_starts[chunk]), int(self._sentence_starts[chunk + 1]))


def _fsync_write(path: Path, data: bytes) -> None:
    with path.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def build_bm25(chunks: list[Chunk]) -> bm25s.BM25:
    retriever = bm25s.BM25()
    # bm25s needs at least one token per document; "" stands for an empty passage.
    retriever.index([terms(c.embed_text) or [""] for c in chunks], show_progress=False)
    return retriever


# Inverted lists: sentence vectors cluster by topic (and near-repeats), where HNSW's graph
# loses recall (0.68 at 200k in the bench) and IVF keeps it (1.0 with 32 of ~900 lists probed).
IVF_LISTS_PER_SQRT = 2
IVF_PROBES = 32
IVF_TRAINING_SAMPLE = 50_000


def build_dense(vectors: np.ndarray, approximate_above: int) -> faiss.Index:
    """Exact inner-product search, or inverted lists (IVF) past `approximate_above` vectors."""
    if len(vectors) <= approximate_above:
        index = faiss.IndexFlatIP(vectors.shape[1])
    else:
        lists = max(1, int(IVF_LISTS_PER_SQRT * np.sqrt(len(vectors))))
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(vectors.shape[1]), vectors.shape[1], lists, faiss.METRIC_INNER_PRODUCT)
        sample = np.random.default_rng(0).permutation(len(vectors))[:IVF_TRAINING_SAMPLE]
        index.train(vectors[np.sort(sample)])
        index.nprobe = min(lists, IVF_PROBES)
    index.add(vectors)
    return index


def current_build(folder: Path) -> Path | None:
    pointer = folder / CURRENT
    if not pointer.exists():
        return None
    name = pointer.read_text(encoding="utf-8").strip()
    return folder / BUILDS / name if name else None


def _jsonl(rows: list) -> bytes:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode("utf-8")


def write_index(
    folder: Path, manifest: dict, chunks: list[Chunk], sentences: list[Sentence], vectors: np.ndarray,
    sentence_vector: np.ndarray, passage_vectors: np.ndarray, approximate_above: int,
) -> Path:
    """Write a complete build beside the live one, then publish it in one rename."""
    builds = folder / BUILDS
    builds.mkdir(parents=True, exist_ok=True)
    name = time.strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}-{time.monotonic_ns() % 10**6}"
    staging = builds / f".staging-{name}"
    staging.mkdir()
    np.save(staging / "vectors.npy", vectors)
    np.save(staging / "sentence_vector.npy", sentence_vector.astype(np.int32))
    np.save(staging / "passage_vectors.npy", passage_vectors)
    faiss.write_index(build_dense(vectors, approximate_above), str(staging / "dense.faiss"))
    build_bm25(chunks).save(str(staging / "bm25"))
    _fsync_write(staging / "chunks.jsonl", _jsonl([c.to_json() for c in chunks]))
    _fsync_write(staging / "sentences.jsonl", _jsonl([s.to_json() for s in sentences]))
    counts = {"chunk_count": len(chunks), "sentence_count": len(sentences), "vector_count": len(vectors)}
    full_manifest = {"format_version": FORMAT_VERSION, **manifest, **counts}
    _fsync_write(staging / "manifest.json", json.dumps(full_manifest, indent=2).encode("utf-8"))
    final = builds / name
    staging.rename(final)
    pointer_tmp = folder / f".{CURRENT}.tmp-{os.getpid()}"
    _fsync_write(pointer_tmp, name.encode("utf-8"))
    os.replace(pointer_tmp, folder / CURRENT)
    _prune(builds, keep=name)
    return final


def clear_staging(folder: Path) -> None:
    """Remove half-written builds left by a killed ingest (call with the ingest lock held)."""
    builds = folder / BUILDS
    if builds.is_dir():
        for stale in builds.glob(".staging-*"):
            shutil.rmtree(stale, ignore_errors=True)


def _prune(builds: Path, keep: str) -> None:
    others = sorted(p for p in builds.iterdir() if not p.name.startswith(".") and p.name != keep)
    for old in others[: max(0, len(others) - (KEEP_BUILDS - 1))]:
        shutil.rmtree(old, ignore_errors=True)


def read_manifest(folder: Path) -> dict | None:
    build = current_build(folder)
    if build is None:
        return None
    try:
        return json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def check_model(manifest: dict, identity: ModelIdentity, build: Path) -> None:
    built_with = manifest.get("model", {})
    if built_with.get("sha256") != identity.sha256 or built_with.get("dimension") != identity.dimension:
        raise IndexUnavailable(
            f"{build} was built with model {built_with.get('name')} "
            f"(sha256 {str(built_with.get('sha256'))[:12]}…, dimension {built_with.get('dimension')}) "
            f"but the configured model is {identity.name} (sha256 {identity.sha256[:12]}…, "
            f"dimension {identity.dimension}): re-run `python -m ingest`"
        )


def read_index(folder: Path, identity: ModelIdentity) -> IndexData:
    build = current_build(folder)
    if build is None:
        raise IndexUnavailable(f"no index in {folder}: run `python -m ingest`")
    try:
        manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("format_version") != FORMAT_VERSION:
            raise IndexUnavailable(f"{build}: index format {manifest.get('format_version')} is not {FORMAT_VERSION}")
        check_model(manifest, identity, build)
        with (build / "chunks.jsonl").open(encoding="utf-8") as handle:
            chunks = [Chunk.from_json(json.loads(line)) for line in handle]
        with (build / "sentences.jsonl").open(encoding="utf-8") as handle:
            sentences = [Sentence.from_json(json.loads(line)) for line in handle]
        vectors = np.load(build / "vectors.npy")
        sentence_vector = np.load(build / "sentence_vector.npy")
        passage_vectors = np.load(build / "passage_vectors.npy")
        dense = faiss.read_index(str(build / "dense.faiss"))
        bm25 = bm25s.BM25.load(str(build / "bm25"))
    except IndexUnavailable:
        raise
    except Exception as error:  # any unreadable part makes the whole build unusable
        raise IndexUnavailable(f"{build}: index is damaged ({type(error).__name__}: {error})") from None
    if not (
        len(sentences) == len(sentence_vector) == manifest.get("sentence_count")
        and len(vectors) == dense.ntotal == manifest.get("vector_count")
        and len(chunks) == manifest.get("chunk_count") == len(passage_vectors)
        and (len(sentence_vector) == 0 or int(sentence_vector.max()) < len(vectors))
    ):
        raise IndexUnavailable(f"{build}: index is damaged (its parts and its manifest disagree on counts)")
    return IndexData(build, manifest, chunks, sentences, vectors, sentence_vector, passage_vectors, dense, bm25)
