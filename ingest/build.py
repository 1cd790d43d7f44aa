"""Ingest from end to end: files → prepared chunks → vectors (reused where the text is
unchanged) → a new published index build, with a report of what changed.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from config import Settings
from ingest import store
from ingest.embed import Embedder
from ingest.load import IngestError, find_files, load, read_manifest
from ingest.prepare import prepare
from ingest.sentences import Sentence, split_chunks
from records import Chunk, Document


@dataclass
class Report:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)  # "name (print date old → new)"
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # one line each, naming the file
    embedded: int = 0  # sentences that needed the model
    reused: int = 0  # sentences whose vectors came from the previous build
    build: Path | None = None

    def lines(self) -> list[str]:
        out = [
            f"added {len(self.added)}, updated {len(self.updated)}, unchanged {len(self.unchanged)}, "
            f"removed {len(self.removed)}, failed {len(self.failed)}; "
            f"embedded {self.embedded} sentences, reused {self.reused}"
        ]
        out += [f"  added: {name}" for name in self.added]
        out += [f"  updated: {name}" for name in self.updated]
        out += [f"  removed: {name}" for name in self.removed]
        out += [f"  failed: {line}" for line in self.failed]
        return out


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _previous(folder: Path, embedder: Embedder) -> store.IndexData | None:
    try:
        return store.read_index(folder, embedder.identity)
    except store.IndexUnavailable:
        return None  # nothing to reuse: every passage is embedded afresh


def _prepare_all(paths: list[Path], settings: Settings, report: Report) -> dict[str, tuple[Document, list[Chunk]]]:
    prepared: dict[str, tuple[Document, list[Chunk]]] = {}
    manifests: dict[Path, dict] = {}
    for path in find_files(paths):
        try:
            folder = path.parent
            if folder not in manifests:
                manifests[folder] = read_manifest(folder)
            prepared[path.name] = prepare(load(path, manifests[folder]), settings)
        except IngestError as error:
            report.failed.append(str(error))
    return prepared


def _document_info(document: Document, chunks: list[Chunk], ingested_at: str) -> dict:
    return {
        "title": document.title,
        "area": document.area,
        "source_url": document.source_url,
        "print_date": document.print_date,
        "content_hash": document.content_hash,
        "chunks": len(chunks),
        "ingested_at": ingested_at,
    }


def _classify(name: str, document: Document, old_docs: dict, report: Report) -> None:
    old = old_docs.get(name)
    if old is None:
        report.added.append(name)
    elif old["content_hash"] != document.content_hash or old["print_date"] != document.print_date:
        dates = f" (print date {old['print_date'] or 'not stated'} → {document.print_date or 'not stated'})"
        report.updated.append(name + (dates if old["print_date"] != document.print_date else ""))
    else:
        report.unchanged.append(name)


def build_index(paths: list[Path], index_dir: Path, settings: Settings, embedder: Embedder, progress: bool = False) -> Report:
    """Ingest `paths` (files or folders) into a new build of `index_dir` and publish it."""
    report = Report()
    prepared = _prepare_all(paths, settings, report)
    previous = _previous(index_dir, embedder)
    old_docs = previous.manifest.get("documents", {}) if previous else {}
    now = time.strftime("%Y-%m-%dT%H:%M:%S")
    chunks: list[Chunk] = []
    documents: dict[str, dict] = {}
    for name, (document, doc_chunks) in prepared.items():
        _classify(name, document, old_docs, report)
        chunks += doc_chunks
        documents[name] = _document_info(document, doc_chunks, now)
    report.removed = sorted(set(old_docs) - set(prepared))

    if not chunks:
        raise IngestError("no document could be ingested: " + "; ".join(report.failed or ["no files found"]))
    sentences = split_chunks(chunks)
    vectors = _vectors(sentences, previous, embedder, report, progress)

    corpus_hash = text_key("\n".join(f"{n} {d['content_hash']} {d['print_date']}" for n, d in sorted(documents.items())))
    chunking = {"pack_words": settings.chunk_pack_words, "max_words": settings.chunk_max_words}
    if previous is not None and not report.added + report.updated + report.removed and (
        previous.manifest.get("corpus_hash"), previous.manifest.get("chunking")
    ) == (corpus_hash, chunking):
        report.build = previous.folder  # nothing changed: the live build stays as it is
        return report
    manifest = {
        "model": embedder.identity.to_json(),
        "chunking": chunking,
        "libraries": _library_versions(),
        "corpus_hash": corpus_hash,
        "built_at": now,
        "documents": documents,
    }
    report.build = store.write_index(index_dir, manifest, chunks, sentences, vectors)
    return report


def _vectors(sentences: list[Sentence], previous: store.IndexData | None, embedder: Embedder, report: Report, progress: bool) -> np.ndarray:
    """Sentence vectors, taken from the previous build where the same model saw the same text."""
    cache = {}
    if previous is not None:
        cache = {text_key(s.embed_text): previous.vectors[i] for i, s in enumerate(previous.sentences)}
    missing = list(dict.fromkeys(s.embed_text for s in sentences if text_key(s.embed_text) not in cache))
    for text, vector in zip(missing, embedder.encode(missing, progress=progress)):
        cache[text_key(text)] = vector
    report.embedded, report.reused = len(missing), len(sentences) - len(missing)
    return np.stack([cache[text_key(s.embed_text)] for s in sentences]).astype(np.float32)


def _library_versions() -> dict[str, str]:
    from importlib.metadata import version

    return {name: version(name) for name in ("sentence-transformers", "torch", "faiss-cpu", "bm25s")}
