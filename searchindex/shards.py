"""Where the index lives: one shard per document, and builds that name their shards.

A shard holds one document's passages, sentences, vectors and term counts, and never
changes once written. A build is a small manifest saying which shard serves each document
(and, on a large corpus, which centroids its inverted lists use). Publishing a build is a
single atomic step, so a reader sees the old build or the new one, whole, even when the
writer is killed half way. A re-ingest writes shards only for the documents that changed.

`ShardStore` is what ingest and the index reader need from a store; `FolderStore` keeps it
in a folder. Another backend (a database shared by several chat replicas) implements the same
methods and leaves retrieval alone.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol

import numpy as np

from records import Chunk, Sentence
from searchindex.lexical import TermCounts

CURRENT = "CURRENT"
BUILDS = "builds"
SHARDS = "shards"
STAGING = ".staging-"
CHECKSUMS = "checksums.json"  # each file's sha256, written at ingest and checked on every read


class ShardUnreadable(Exception):
    """A shard or build manifest is missing or damaged, said in one sentence."""


@dataclass(frozen=True)
class Shard:
    """One document's share of the index; sentence `chunk` numbers count from its first chunk."""

    info: dict  # what the document is: title, area, print date, hashes, where it came from
    chunks: list[Chunk]
    sentences: list[Sentence]
    vectors: np.ndarray  # one unit-length row per sentence
    passage_vectors: np.ndarray  # one per chunk: its text with area, title and section in front
    terms: TermCounts  # BM25 term counts per chunk


class ShardStore(Protocol):
    def build_folder(self, build: str) -> Path | str:
        """Where a build is, as reports and messages name it."""

    def live(self) -> str | None:
        """The name of the published build, if any."""

    def manifest(self, build: str) -> dict:
        """A build's manifest: how it was made, and `documents` with each one's `shard`."""

    def read_shard(self, shard_id: str) -> Shard: ...

    def has_shard(self, shard_id: str) -> bool: ...

    def write_centroids(self, centroids: np.ndarray) -> str:
        """Store the inverted lists' centroids (see searchindex/dense.py) and return their id."""

    def read_centroids(self, centroids_id: str) -> np.ndarray: ...

    def write_shard(self, shard: Shard) -> str:
        """Store a shard durably (not yet served) and return its id."""

    def publish(self, manifest: dict) -> str:
        """Make a build of already written shards the live one, atomically; return its name."""

    def tidy(self) -> None:
        """Remove what a killed writer left half written (the writer's lock held)."""


def _fsync_write(path: Path, data: bytes) -> None:
    with path.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def _new_name() -> str:
    """Unique, and in order of creation when sorted (builds are pruned oldest first)."""
    return time.strftime("%Y%m%dT%H%M%S") + f".{time.time_ns() % 10**9:09d}-{uuid.uuid4().hex[:8]}"


# A shard's parts are the same bytes in every store (files here, rows in searchindex/pgstore.py);
# encode_shard gives them in the order written, its text last.
CENTROIDS = "centroids.npy"


def encode_shard(shard: Shard) -> dict[str, bytes]:
    head = {
        "info": shard.info, "chunks": [c.to_json() for c in shard.chunks],
        "sentences": [s.to_json() for s in shard.sentences], "vocabulary": shard.terms.vocabulary,
    }
    return with_checksums({
        "vectors.npy": _npy(np.concatenate([shard.vectors, shard.passage_vectors]).astype(np.float32)),
        "terms.npy": _npy(np.concatenate([shard.terms.indptr, shard.terms.ids, shard.terms.counts]).astype(np.int32)),
        "shard.json": json.dumps(head, ensure_ascii=False).encode("utf-8"),
    })


def encode_centroids(centroids: np.ndarray) -> dict[str, bytes]:
    return with_checksums({CENTROIDS: _npy(centroids.astype(np.float32))})


def with_checksums(parts: dict[str, bytes]) -> dict[str, bytes]:
    """The parts and, in CHECKSUMS, each one's sha256, checked on every read (checked_reader):
    a part changed where it is kept (vectors overwritten with NaN once served changed answers,
    issue 24) is refused."""
    sums = {name: hashlib.sha256(data).hexdigest() for name, data in parts.items()}
    return {**parts, CHECKSUMS: json.dumps(sums, indent=1).encode("utf-8")}


def checked_reader(read: Callable[[str], bytes], where: str) -> Callable[[str], bytes]:
    """`read`, with each part refused in one sentence unless it matches its checksum."""
    try:
        sums = json.loads(read(CHECKSUMS).decode("utf-8"))
    except (OSError, KeyError, ValueError):
        raise ShardUnreadable(f"{where}: shard has no readable {CHECKSUMS}: rebuild with `python -m ingest --rebuild`") from None

    def checked(part: str) -> bytes:
        data = read(part)
        if part not in sums or hashlib.sha256(data).hexdigest() != sums[part]:
            raise ShardUnreadable(f"{where}: {part} does not match the checksum written at ingest (changed or damaged)")
        return data

    return checked


def decode_shard(read: Callable[[str], bytes], where: str) -> Shard:
    """A shard from its parts, `read(part)` giving each one's bytes; `where` names it in errors."""
    read = checked_reader(read, where)
    try:
        head = json.loads(read("shard.json").decode("utf-8"))
        chunks = [Chunk.from_json(row) for row in head["chunks"]]
        sentences = [Sentence.from_json(row) for row in head["sentences"]]
        vectors = np.load(io.BytesIO(read("vectors.npy")))
        packed = np.load(io.BytesIO(read("terms.npy")))
        ends = np.cumsum([len(chunks) + 1, packed[len(chunks)], packed[len(chunks)]])
        indptr, ids, counts = np.split(packed, ends[:2])
        terms = TermCounts(head["vocabulary"], indptr.astype(np.int64), ids, counts)
    except ShardUnreadable:
        raise
    except Exception as error:  # any unreadable part makes the shard unusable
        raise ShardUnreadable(f"{where}: shard is damaged ({type(error).__name__}: {error})") from None
    if (
        len(vectors) != len(sentences) + len(chunks) or len(counts) != indptr[-1] or ends[-1] != len(packed)
        or any(not 0 <= s.chunk < len(chunks) for s in sentences) or (len(ids) and ids.max() >= len(head["vocabulary"]))
    ):
        raise ShardUnreadable(f"{where}: shard is damaged (its parts disagree on counts)")
    return Shard(head["info"], chunks, sentences, vectors[: len(sentences)], vectors[len(sentences) :], terms)


def decode_centroids(read: Callable[[str], bytes], where: str) -> np.ndarray:
    try:
        return np.load(io.BytesIO(checked_reader(read, where)(CENTROIDS)))
    except ShardUnreadable:
        raise
    except Exception as error:
        raise ShardUnreadable(f"{where}: unreadable ({type(error).__name__}: {error})") from None


class FolderStore:
    """index/CURRENT names the live build; index/builds/<name>/manifest.json names its shards
    in index/shards/<id>/. Everything is written under a staging name, flushed, then renamed."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def live(self) -> str | None:
        pointer = self.folder / CURRENT
        try:
            return pointer.read_text(encoding="utf-8").strip() or None
        except FileNotFoundError:
            return None

    def build_folder(self, build: str) -> Path:
        return self.folder / BUILDS / build

    def manifest(self, build: str) -> dict:
        path = self.build_folder(build) / "manifest.json"
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise ShardUnreadable(f"{path}: unreadable ({type(error).__name__}: {error})") from None

    def read_shard(self, shard_id: str) -> Shard:
        folder = self.folder / SHARDS / shard_id
        return decode_shard(lambda part: (folder / part).read_bytes(), str(folder))

    def has_shard(self, shard_id: str) -> bool:
        return (self.folder / SHARDS / shard_id).is_dir()

    def write_shard(self, shard: Shard) -> str:
        return self.put_parts(_new_name(), encode_shard(shard))

    def write_centroids(self, centroids: np.ndarray) -> str:
        return self.put_parts(_new_name(), encode_centroids(centroids))

    def put_parts(self, shard_id: str, parts: dict[str, bytes]) -> str:
        """A shard's (or centroids') files under `shard_id`; a replica caches another store's
        shards here under their own ids (searchindex/replica.py)."""
        staging = self.folder / SHARDS / (STAGING + shard_id)
        staging.mkdir(parents=True)
        for part, data in parts.items():
            _fsync_write(staging / part, data)
        staging.rename(self.folder / SHARDS / shard_id)
        return shard_id

    def read_centroids(self, centroids_id: str) -> np.ndarray:
        folder = self.folder / SHARDS / centroids_id
        return decode_centroids(lambda part: (folder / part).read_bytes(), str(folder))

    def publish(self, manifest: dict, name: str | None = None) -> str:
        """`name`: a replica caching another store's build keeps that build's name."""
        name = name or _new_name()
        staging = self.folder / BUILDS / (STAGING + name)
        staging.mkdir(parents=True)
        _fsync_write(staging / "manifest.json", json.dumps(manifest, indent=1, ensure_ascii=False).encode("utf-8"))
        staging.rename(self.build_folder(name))
        previous = self.live()
        pointer = self.folder / f".{CURRENT}.tmp-{os.getpid()}"
        _fsync_write(pointer, name.encode("utf-8"))
        os.replace(pointer, self.folder / CURRENT)
        self._prune(keep={name, previous})
        return name

    def tidy(self) -> None:
        """Remove what a killed writer left half written (the writer's lock held)."""
        for kind in (BUILDS, SHARDS):
            for stale in (self.folder / kind).glob(STAGING + "*"):
                shutil.rmtree(stale, ignore_errors=True)
        for pointer in self.folder.glob(f".{CURRENT}.tmp-*"):
            pointer.unlink(missing_ok=True)

    def _prune(self, keep: set[str | None]) -> None:
        """Every build but the new one and the one it replaced (readers may still be loading
        that), whatever their names; then the shards and centroids neither of them names."""
        builds = self.folder / BUILDS
        for old in [p for p in builds.iterdir() if not p.name.startswith(".") and p.name not in keep]:
            shutil.rmtree(old, ignore_errors=True)
        named = set()
        for build in (p.name for p in builds.iterdir() if not p.name.startswith(".")):
            try:
                manifest = self.manifest(build)
                named |= {d.get("shard") for d in manifest.get("documents", {}).values()}
                named.add((manifest.get("dense") or {}).get("centroids"))
            except ShardUnreadable:
                return  # cannot tell what an unreadable build needs: keep every shard
        for shard in (self.folder / SHARDS).iterdir():
            if not shard.name.startswith(".") and shard.name not in named:
                shutil.rmtree(shard, ignore_errors=True)
