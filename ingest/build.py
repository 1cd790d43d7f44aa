"""Ingest from end to end: files → prepared chunks → vectors (reused where the text is
unchanged) → shards → a new published build, with a report of what changed.

Each document is one shard of the index. An unchanged file keeps its shard as it is, and
is not even read back; a changed one is prepared again, only sentences whose text is new
are embedded, and a new shard is written for it; a file that fails keeps its old shard, so
a bad upload never loses a chapter. Publishing the new build is one atomic step.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import asdict, dataclass
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
from searchindex.dense import RETRAIN_GROWTH, train_centroids
from searchindex.embed import Embedder, package_version
from searchindex.lexical import TermCounts
from searchindex.shards import Shard, ShardStore, ShardUnreadable
from searchindex.stores import StoreBusy, open_store
from searchindex.terms import TERMS_VERSION


@dataclass
class Part:
    """A changed or new document, prepared and waiting for its vectors."""

    info: dict
    chunks: list[Chunk]
    sentences: list[Sentence]


def chunking_of(settings: Settings) -> dict:
    return {"pack_words": settings.chunk_pack_words, "max_words": settings.chunk_max_words, "version": CHUNKING_VERSION, "terms": TERMS_VERSION}


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def served_with(settings: Settings) -> dict[str, str | None]:
    """What a replica reads at answer time besides the shards, published with the build so
    every replica answers alike: the corpus folder's thesaurus and currency rules, and the
    ranker's weights (a single machine reads these files themselves)."""
    corpus = settings.corpus_dir
    files = {"thesaurus": corpus / "thesaurus.toml", "currency_rules": corpus / "currency.toml", "ranker": settings.ranker_path}
    return {name: path.read_text(encoding="utf-8") if path.is_file() else None for name, path in files.items()}


def _reusable(index_store: ShardStore, embedder: Embedder) -> dict | None:
    """The live build's manifest, when its shards can be kept: same format, same model, and
    every shard it names still there (unchanged documents' shards are not read back)."""
    live = index_store.live()
    if live is None:
        return None
    try:
        manifest = index_store.manifest(live)
        if manifest.get("format_version") != store.FORMAT_VERSION:
            return None
        store.check_model(manifest, embedder.identity, index_store.build_folder(live))
        if all(index_store.has_shard(d["shard"]) for d in manifest["documents"].values()):
            return manifest
    except (ShardUnreadable, store.IndexUnavailable, KeyError, TypeError):
        pass
    return None  # nothing to keep: every document is prepared and embedded afresh


def _new_part(path: Path, manifest: dict, settings: Settings, now: str) -> Part:
    source = load(path, manifest, settings)
    entry = asdict(source.entry)
    document, chunks = prepare(source, settings)
    info = {
        "title": document.title, "area": document.area, "source_url": document.source_url,
        "print_date": document.print_date, "content_hash": document.content_hash,
        "file_hash": source.file_hash, "path": str(path.resolve()), "chunks": len(chunks), "ingested_at": now,
        "manifest_entry": entry,
    }
    sentences = split_chunks(chunks)
    return Part({**info, "sentences": len(sentences)}, chunks, sentences)


def _unchanged(path: Path, old: dict | None, entry: dict, chunking: dict, old_chunking: dict | None) -> bool:
    """Same bytes, same manifest entry, same chunking: the old shard stands."""
    if old is None or chunking != old_chunking or old.get("manifest_entry") != entry:
        return False
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() == old.get("file_hash")
    except OSError:
        return False


def _collect(paths, settings, old_docs, old_chunking, report, progress) -> tuple[dict[str, dict], dict[str, Part]]:
    """Every document's description (a kept one's names its shard), and the changed ones prepared."""
    from tqdm import tqdm

    chunking = chunking_of(settings)
    now = time.strftime("%Y-%m-%dT%H:%M:%S")
    docs: dict[str, dict] = {}
    fresh: dict[str, Part] = {}
    manifests: dict[Path, dict] = {}
    seen_content: dict[str, str] = {}
    for path in tqdm(find_files(paths), desc="files", unit="file", disable=not progress):
        name, old = path.name, old_docs.get(path.name)
        try:
            if path.parent not in manifests:
                manifests[path.parent] = read_manifest(path.parent)
            entry = asdict(manifests[path.parent].get(path.name, ManifestEntry()))
            part = None if _unchanged(path, old, entry, chunking, old_chunking) else _new_part(path, manifests[path.parent], settings, now)
            info = part.info if part else old
            twin = seen_content.get(info["content_hash"])
            if twin is not None:
                raise IngestError(f"{shown(name)}: same text as {shown(twin)}, not ingested twice")
            if part is None:
                report.unchanged.append(name)
            else:
                report.note_change(name, old, part.info)
                fresh[name] = part
            docs[name] = info
            seen_content[info["content_hash"]] = name
        except IngestError as error:
            report.failed.append(str(error))
            if old is not None:
                docs[name] = old  # a failed update keeps the version already served
                report.kept.append(name)
    return docs, fresh


def _texts(part: Part | Shard) -> list[str]:
    """What is embedded for a document: each sentence, then each whole passage in its context."""
    return [s.embed_text for s in part.sentences] + [c.embed_text for c in part.chunks]


def _embed(fresh: dict[str, Part], earlier: list[Shard], embedder: Embedder, report: Report, progress: bool) -> dict[str, Shard]:
    """Shards for the changed documents, each text embedded once and only if never seen before."""
    cache = {
        text_key(text): vector
        for shard in earlier
        for text, vector in zip(_texts(shard), np.concatenate([shard.vectors, shard.passage_vectors]))
    }
    missing = list(dict.fromkeys(text for p in fresh.values() for text in _texts(p) if text_key(text) not in cache))
    for text, vector in zip(missing, embedder.encode(missing, progress=progress)):
        cache[text_key(text)] = vector
    report.embedded = len(missing)
    report.reused = sum(len(_texts(p)) for p in fresh.values()) - len(missing)
    dimension = embedder.identity.dimension
    shards = {}
    for name, part in fresh.items():
        vectors = [cache[text_key(text)] for text in _texts(part)]
        every = np.stack(vectors).astype(np.float32) if vectors else np.zeros((0, dimension), np.float32)
        counts = TermCounts.of([c.embed_text for c in part.chunks])
        shards[name] = Shard(part.info, part.chunks, part.sentences, every[: len(part.sentences)], every[len(part.sentences) :], counts)
    return shards


def _earlier_shards(index_store: ShardStore, old_docs: dict[str, dict], names) -> list[Shard]:
    """The old shards of documents that changed: most of their text, and its vectors, stays."""
    found = []
    for name in names:
        if name in old_docs:
            try:
                found.append(index_store.read_shard(old_docs[name]["shard"]))
            except ShardUnreadable:
                pass  # its text is embedded afresh
    return found


def _inverted_lists(index_store: ShardStore, live: dict | None, docs: dict[str, dict], written: dict[str, Shard], above: int) -> dict | None:
    """Exact search (None) up to `above` sentences; past it, the live build's IVF centroids
    while the corpus has not outgrown them, else centroids trained on every document's vectors."""
    sentences = sum(d["sentences"] for d in docs.values())
    if sentences <= above:
        return None
    earlier = (live or {}).get("dense")
    if earlier and sentences <= RETRAIN_GROWTH * earlier["trained_on"] and index_store.has_shard(earlier["centroids"]):
        return earlier
    try:
        vectors = np.concatenate([written[n].vectors if n in written else index_store.read_shard(d["shard"]).vectors for n, d in docs.items()])
    except ShardUnreadable as error:
        raise IngestError(f"{error}: run `python -m ingest --rebuild`") from None
    return {"centroids": index_store.write_centroids(train_centroids(vectors)), "trained_on": sentences}


def build_index(
    paths: list[Path], index_dir: Path, settings: Settings, embedder: Embedder, *,
    keep_missing: bool = False, progress: bool = False, reuse: bool = True,
) -> Report:
    """Ingest `paths` (files or folders) into a new build of `index_dir` and publish it.

    A document of the live build whose file is gone from a scanned folder is dropped,
    unless `keep_missing`; documents outside the scanned folders are left as they are.
    Without `reuse`, nothing of the live build is kept (it is known to be damaged).
    """
    with ingest_lock(index_dir):
        try:
            with open_store(settings, index_dir) as index_store:
                return _build(paths, index_store, settings, embedder, keep_missing, progress, reuse)
        except StoreBusy as error:
            raise IngestError(str(error)) from None


def _build(paths: list[Path], index_store: ShardStore, settings: Settings, embedder: Embedder, keep_missing: bool, progress: bool, reuse: bool) -> Report:
    report = Report()
    index_store.tidy()
    live = _reusable(index_store, embedder) if reuse else None
    old_docs = live["documents"] if live else {}
    docs, fresh = _collect(paths, settings, old_docs, live.get("chunking") if live else None, report, progress)
    scanned = {str(p.resolve()) for p in paths if p.is_dir()}
    for name, old in old_docs.items():
        if name in docs:
            continue
        if keep_missing or str(Path(old.get("path", "")).parent) not in scanned:
            docs[name] = old
        else:
            report.removed.append(name)
    if not docs:
        raise IngestError("no document could be ingested: " + "; ".join(report.failed or ["no files found"]))
    served = served_with(settings) if settings.database else None
    if live is not None and not report.removed and not fresh and live.get("served_with") == served:
        report.build = index_store.build_folder(index_store.live())  # nothing changed: the live build stays as it is
        return report
    written = _embed(fresh, _earlier_shards(index_store, old_docs, fresh), embedder, report, progress)
    for name, shard in written.items():
        docs[name] = {**shard.info, "shard": index_store.write_shard(shard)}
    dense = _inverted_lists(index_store, live, docs, written, settings.approximate_above)
    manifest = {
        "format_version": store.FORMAT_VERSION,
        "model": embedder.identity.to_json(),
        "chunking": chunking_of(settings),
        "libraries": _library_versions(),
        "corpus_hash": text_key("\n".join(f"{n} {d['content_hash']} {d['print_date']}" for n, d in sorted(docs.items()))),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "chunk_count": sum(d["chunks"] for d in docs.values()),
        "dense": dense,
        "documents": dict(sorted(docs.items())),
        **({"served_with": served} if served else {}),
    }
    report.build = index_store.build_folder(index_store.publish(manifest))
    return report


def _library_versions() -> dict[str, str | None]:
    return {name: package_version(name) for name in ("onnxruntime", "tokenizers", "sentence-transformers", "torch", "faiss-cpu", "numpy")}
