"""Ingest from end to end: files → prepared chunks → vectors (reused where the text is
unchanged) → a new published index build, with a report of what changed.

Each document is one part of the index. An unchanged file keeps its part from the live
build as it is; a changed one is prepared again and only sentences whose text is new are
embedded; a file that fails keeps its old part, so a bad upload never loses a chapter.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from config import Settings
from ingest.chunk import CHUNKING_VERSION
from ingest.load import IngestError, ManifestEntry, find_files, load, read_manifest, shown
from ingest.lock import ingest_lock
from ingest.prepare import prepare
from ingest.report import Report
from ingest.sentences import split_chunks
from records import Chunk, Sentence
from searchindex import store
from searchindex.embed import Embedder
from searchindex.terms import TERMS_VERSION


@dataclass
class Part:
    """One document's share of the index; sentence `chunk` numbers count from its first chunk."""

    info: dict
    chunks: list[Chunk]
    sentences: list[Sentence]
    vectors: np.ndarray | None = None  # None until embedded
    passage_vectors: np.ndarray | None = None  # one per chunk, of its text with area, title and section in front


def chunking_of(settings: Settings) -> dict:
    return {"pack_words": settings.chunk_pack_words, "max_words": settings.chunk_max_words, "version": CHUNKING_VERSION, "terms": TERMS_VERSION}


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _previous(folder: Path, embedder: Embedder) -> store.IndexData | None:
    try:
        return store.read_index(folder, embedder.identity)
    except store.IndexUnavailable:
        return None  # nothing to reuse: every passage is embedded afresh


def previous_parts(index: store.IndexData | None) -> dict[str, Part]:
    """The live build cut back into its documents (they are stored one after another)."""
    if index is None:
        return {}
    rows: dict[str, list[int]] = {}
    for row, chunk in enumerate(index.chunks):
        rows.setdefault(chunk.source, []).append(row)
    parts = {}
    for name, chunk_rows in rows.items():
        first, last = chunk_rows[0], chunk_rows[-1]
        sentence_rows = range(index.sentence_rows(first).start, index.sentence_rows(last).stop)
        sentences = [replace(index.sentences[r], chunk=index.sentences[r].chunk - first) for r in sentence_rows]
        info = index.manifest.get("documents", {}).get(name, {})
        vectors = index.vectors[index.sentence_vector[sentence_rows.start : sentence_rows.stop]]
        parts[name] = Part(info, index.chunks[first : last + 1], sentences, vectors, index.passage_vectors[first : last + 1])
    return parts


def _new_part(path: Path, manifest: dict, settings: Settings, now: str) -> Part:
    source = load(path, manifest, settings.max_file_mb * 2**20)
    entry = asdict(source.entry)
    document, chunks = prepare(source, settings)
    info = {
        "title": document.title, "area": document.area, "source_url": document.source_url,
        "print_date": document.print_date, "content_hash": document.content_hash,
        "file_hash": source.file_hash, "path": str(path.resolve()), "chunks": len(chunks), "ingested_at": now,
        "manifest_entry": entry,
    }
    return Part(info, chunks, split_chunks(chunks))


def _unchanged(path: Path, old: Part | None, entry: dict, chunking: dict, old_chunking: dict | None) -> bool:
    """Same bytes, same manifest entry, same chunking: the old part stands."""
    if old is None or chunking != old_chunking or old.info.get("manifest_entry") != entry:
        return False
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() == old.info.get("file_hash")
    except OSError:
        return False


def _part_for(path: Path, old: Part | None, manifests: dict, settings: Settings, chunking: dict, old_chunking: dict | None, now: str) -> Part:
    if path.parent not in manifests:
        manifests[path.parent] = read_manifest(path.parent)
    entry = asdict(manifests[path.parent].get(path.name, ManifestEntry()))
    if _unchanged(path, old, entry, chunking, old_chunking):
        return old
    return _new_part(path, manifests[path.parent], settings, now)


def _collect(paths, settings, old_parts, old_chunking, report, progress) -> dict[str, Part]:
    from tqdm import tqdm

    chunking = chunking_of(settings)
    now = time.strftime("%Y-%m-%dT%H:%M:%S")
    parts: dict[str, Part] = {}
    manifests: dict[Path, dict] = {}
    seen_content: dict[str, str] = {}
    for path in tqdm(find_files(paths), desc="files", unit="file", disable=not progress):
        name, old = path.name, old_parts.get(path.name)
        try:
            part = _part_for(path, old, manifests, settings, chunking, old_chunking, now)
            twin = seen_content.get(part.info["content_hash"])
            if twin is not None:
                raise IngestError(f"{shown(name)}: same text as {shown(twin)}, not ingested twice")
            if part is old:
                report.unchanged.append(name)
            else:
                report.note_change(name, old.info if old else None, part.info)
            parts[name] = part
            seen_content[part.info["content_hash"]] = name
        except IngestError as error:
            report.failed.append(str(error))
            if old is not None:
                parts[name] = old  # a failed update keeps the version already served
                report.kept.append(name)
    return parts


def _texts(part: Part) -> list[str]:
    """What is embedded for a part: each sentence, then each whole passage in its context."""
    return [s.embed_text for s in part.sentences] + [c.embed_text for c in part.chunks]


def _embed(parts: dict[str, Part], old_parts: dict[str, Part], embedder: Embedder, report: Report, progress: bool) -> None:
    """Vectors for new parts, each text embedded once and only if never seen before."""
    cache = {
        text_key(text): vector
        for part in old_parts.values()
        for text, vector in zip(_texts(part), np.concatenate([part.vectors, part.passage_vectors]))
    }
    fresh = [p for p in parts.values() if p.vectors is None]
    missing = list(dict.fromkeys(text for p in fresh for text in _texts(p) if text_key(text) not in cache))
    for text, vector in zip(missing, embedder.encode(missing, progress=progress)):
        cache[text_key(text)] = vector
    report.embedded = len(missing)
    report.reused = sum(len(_texts(p)) for p in fresh) - len(missing)
    dimension = embedder.identity.dimension
    for part in fresh:
        vectors = [cache[text_key(text)] for text in _texts(part)]
        every = np.stack(vectors).astype(np.float32) if vectors else np.zeros((0, dimension), np.float32)
        part.vectors, part.passage_vectors = every[: len(part.sentences)], every[len(part.sentences) :]


def _assemble(parts: dict[str, Part]) -> tuple[list[Chunk], list[Sentence], np.ndarray, np.ndarray, np.ndarray]:
    """All parts in one list each, with one vector per distinct sentence text and one per chunk."""
    chunks: list[Chunk] = []
    sentences: list[Sentence] = []
    for part in parts.values():
        sentences += [replace(s, chunk=s.chunk + len(chunks)) for s in part.sentences]
        chunks += part.chunks
    every = np.concatenate([p.vectors for p in parts.values()]).astype(np.float32)
    distinct: dict[str, int] = {}
    sentence_vector = np.fromiter((distinct.setdefault(s.embed_text, len(distinct)) for s in sentences), dtype=np.int32, count=len(sentences))
    _, first_of = np.unique(sentence_vector, return_index=True)  # ids run 0…n-1: first sentence of each
    passage_vectors = np.concatenate([p.passage_vectors for p in parts.values()]).astype(np.float32)
    return chunks, sentences, every[first_of], sentence_vector, passage_vectors


def build_index(
    paths: list[Path], index_dir: Path, settings: Settings, embedder: Embedder, *, keep_missing: bool = False, progress: bool = False
) -> Report:
    """Ingest `paths` (files or folders) into a new build of `index_dir` and publish it.

    A document of the live build whose file is gone from a scanned folder is dropped,
    unless `keep_missing`; documents outside the scanned folders are left as they are.
    """
    with ingest_lock(index_dir):
        return _build(paths, index_dir, settings, embedder, keep_missing, progress)


def _build(paths: list[Path], index_dir: Path, settings: Settings, embedder: Embedder, keep_missing: bool, progress: bool) -> Report:
    report = Report()
    store.clear_staging(index_dir)
    previous = _previous(index_dir, embedder)
    old_parts = previous_parts(previous)
    old_chunking = previous.manifest.get("chunking") if previous else None
    parts = _collect(paths, settings, old_parts, old_chunking, report, progress)
    scanned = {str(p.resolve()) for p in paths if p.is_dir()}
    for name, old in old_parts.items():
        if name in parts:
            continue
        if keep_missing or str(Path(old.info.get("path", "")).parent) not in scanned:
            parts[name] = old
        else:
            report.removed.append(name)
    if not parts:
        raise IngestError("no document could be ingested: " + "; ".join(report.failed or ["no files found"]))
    if previous is not None and not report.removed and all(p.vectors is not None for p in parts.values()):
        report.build = previous.folder  # nothing changed: the live build stays as it is
        return report
    _embed(parts, old_parts, embedder, report, progress)
    chunks, sentences, vectors, sentence_vector, passage_vectors = _assemble(parts)
    documents = {name: part.info for name, part in parts.items()}
    manifest = {
        "model": embedder.identity.to_json(),
        "chunking": chunking_of(settings),
        "libraries": _library_versions(),
        "corpus_hash": text_key("\n".join(f"{n} {d['content_hash']} {d['print_date']}" for n, d in sorted(documents.items()))),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "documents": documents,
    }
    report.build = store.write_index(
        index_dir, manifest, chunks, sentences, vectors, sentence_vector, passage_vectors, settings.approximate_above
    )
    return report


def _library_versions() -> dict[str, str]:
    from importlib.metadata import version

    return {name: version(name) for name in ("sentence-transformers", "torch", "faiss-cpu", "bm25s")}
