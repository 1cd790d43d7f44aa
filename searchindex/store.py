"""The index as served: the live build's shards put together for searching.

Documents are stored as shards (see searchindex/shards.py); reading a build joins them,
in order of document name, into one list of chunks and sentences, one vector per distinct
sentence text (pages repeat each other, so many sentences share one), a FAISS index over
those vectors, one vector per chunk, and BM25 over the chunks. Shards already loaded for
the previous build are reused, so a new build costs only its changed documents' reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import faiss
import numpy as np

from records import Chunk, Sentence
from searchindex.dense import build_dense
from searchindex.embed import ModelIdentity
from searchindex.lexical import Bm25
from searchindex.shards import FolderStore, Shard, ShardUnreadable
from searchindex.terms import term_set, words

FORMAT_VERSION = 6  # 5: per-document shards; 6: each shard file's checksum beside it


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
    bm25: Bm25
    shards: dict[str, Shard]  # by id, for the next build to reuse

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
    def corpus_words(self) -> frozenset[str]:
        return frozenset(w for chunk in self.chunks for w in words(chunk.text))

    @cached_property
    def chunk_terms(self) -> list[frozenset[str]]:
        """Each chunk's stemmed content words, area, title and section included (as searched)."""
        return [term_set(chunk.embed_text) for chunk in self.chunks]

    @cached_property
    def sentence_chunk(self) -> np.ndarray:
        """For each sentence, the row of its chunk."""
        return np.fromiter((s.chunk for s in self.sentences), dtype=np.int64, count=len(self.sentences))

    @cached_property
    def says_nothing(self) -> np.ndarray:
        """Lead-ins ("… should:", whose list holds the content) and pointers to lost links."""
        return np.fromiter((s.says_nothing for s in self.sentences), dtype=bool, count=len(self.sentences))

    @cached_property
    def silent(self) -> np.ndarray:
        """Sentences whose closeness to a question is no sign that their passage answers it:
        those that say nothing, and signposts to other guidance: in so many words, or a link's text."""
        signposts = (s.signposts or any(s.text in link for link in self.chunks[s.chunk].links) for s in self.sentences)
        return self.says_nothing | np.fromiter(signposts, dtype=bool, count=len(self.sentences))

    @cached_property
    def is_stamp(self) -> np.ndarray:
        """Chunks that are a page's own print or update line."""
        return np.fromiter((c.stamp for c in self.chunks), dtype=bool, count=len(self.chunks))

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


def current_build(folder: Path) -> Path | None:
    """The live build's folder: its name changes with every publish."""
    store = FolderStore(folder)
    live = store.live()
    return store.build_folder(live) if live else None


def read_manifest(folder: Path) -> dict | None:
    store = FolderStore(folder)
    live = store.live()
    try:
        return store.manifest(live) if live else None
    except ShardUnreadable:
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
    # fp32 vectors are the same from torch and ONNX, so either serves the other's index; int8 ones are not.
    variant = built_with.get("variant", "fp32")  # builds from before backends were recorded are torch fp32
    if variant != identity.variant:
        raise IndexUnavailable(
            f"{build} was built with {variant} vectors ({built_with.get('backend', 'torch')}) but the configured "
            f"embedder gives {identity.variant} ({identity.backend}): set ASSISTANT_EMBED_BACKEND to match or re-run `python -m ingest`"
        )
    # Quantised vectors depend on the file the quantiser wrote, which a new onnxruntime may write differently.
    if identity.variant != "fp32" and built_with.get("onnx_sha256") != identity.onnx_sha256:
        raise IndexUnavailable(
            f"{build} was built with another {identity.variant} model file (sha256 {str(built_with.get('onnx_sha256'))[:12]}…, "
            f"configured {str(identity.onnx_sha256)[:12]}…): re-run `python -m ingest`"
        )


def read_index(folder: Path, identity: ModelIdentity, previous: IndexData | None = None) -> IndexData:
    """The live build, ready to search; shards `previous` holds are not read again. A build
    replaced (and pruned) while it was being read is passed over for the one replacing it."""
    store = FolderStore(folder)
    live = store.live()
    try:
        return _read_build(store, live, identity, previous)
    except IndexUnavailable:
        if live is None or store.live() == live:
            raise
        return _read_build(store, store.live(), identity, previous)


def _read_build(store: FolderStore, live: str | None, identity: ModelIdentity, previous: IndexData | None) -> IndexData:
    if live is None:
        raise IndexUnavailable(f"no index in {store.folder}: run `python -m ingest`")
    build = store.build_folder(live)
    try:
        manifest = store.manifest(live)
        if manifest.get("format_version") != FORMAT_VERSION:
            raise IndexUnavailable(f"{build}: index format {manifest.get('format_version')} is not {FORMAT_VERSION}: re-run `python -m ingest`")
        check_model(manifest, identity, build)
        kept = previous.shards if previous else {}
        ids = [manifest["documents"][name]["shard"] for name in sorted(manifest["documents"])]
        shards = {i: kept[i] if i in kept else store.read_shard(i) for i in ids}
        centroids = store.read_centroids(manifest["dense"]["centroids"]) if manifest.get("dense") else None
        return assemble(build, manifest, [shards[i] for i in ids], shards, centroids)
    except ShardUnreadable as error:
        raise IndexUnavailable(f"{build}: index is damaged ({error})") from None
    except (KeyError, TypeError) as error:
        raise IndexUnavailable(f"{build}: index is damaged (manifest lacks {error})") from None
    except ValueError as error:  # shards whose vectors cannot be joined
        raise IndexUnavailable(f"{build}: index is damaged ({error})") from None


def assemble(folder: Path, manifest: dict, ordered: list[Shard], shards: dict[str, Shard], centroids: np.ndarray | None) -> IndexData:
    chunks: list[Chunk] = []
    sentences: list[Sentence] = []
    for shard in ordered:
        sentences += [Sentence(s.chunk + len(chunks), s.position, s.text, s.lead) for s in shard.sentences]
        chunks += shard.chunks
    dimension = int(manifest["model"]["dimension"])
    every = np.concatenate([s.vectors for s in ordered]) if ordered else np.zeros((0, dimension), np.float32)
    distinct: dict[str, int] = {}
    sentence_vector = np.fromiter((distinct.setdefault(s.embed_text, len(distinct)) for s in sentences), np.int64, len(sentences))
    _, first = np.unique(sentence_vector, return_index=True)  # ids run 0…n-1: the first sentence of each
    vectors = np.ascontiguousarray(every[first], dtype=np.float32)
    passage_vectors = np.concatenate([s.passage_vectors for s in ordered]) if ordered else np.zeros((0, dimension), np.float32)
    dense = build_dense(vectors, centroids)
    return IndexData(folder, manifest, chunks, sentences, vectors, sentence_vector, passage_vectors.astype(np.float32), dense, Bm25([s.terms for s in ordered]), shards)
