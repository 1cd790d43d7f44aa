"""Nearest sentence vectors: exact search, or inverted lists (IVF) on a large corpus.

Training the lists is the slow part (seconds at 200k vectors), so ingest trains them once,
stores the centroids beside the shards and reuses them until the corpus doubles; a reader
only files each vector under its nearest centroid.
"""

from __future__ import annotations

import faiss
import numpy as np

# Inverted lists: sentence vectors cluster by topic (and near-repeats), where HNSW's graph
# loses recall (0.68 at 200k in the bench) and IVF keeps it (1.0 with 32 of ~900 lists probed).
IVF_LISTS_PER_SQRT = 2
IVF_PROBES = 32
IVF_TRAINING_SAMPLE = 50_000
RETRAIN_GROWTH = 2.0  # centroids trained on n vectors serve until the corpus passes this × n


def train_centroids(vectors: np.ndarray) -> np.ndarray:
    """Centroids of inverted lists for about this many vectors, from a fixed sample of them."""
    lists = max(1, min(len(vectors), int(IVF_LISTS_PER_SQRT * np.sqrt(len(vectors)))))
    index = faiss.IndexIVFFlat(faiss.IndexFlatIP(vectors.shape[1]), vectors.shape[1], lists, faiss.METRIC_INNER_PRODUCT)
    sample = np.random.default_rng(0).permutation(len(vectors))[:IVF_TRAINING_SAMPLE]
    index.train(np.ascontiguousarray(vectors[np.sort(sample)], dtype=np.float32))
    return index.quantizer.reconstruct_n(0, lists)


def build_dense(vectors: np.ndarray, centroids: np.ndarray | None) -> faiss.Index:
    """Exact inner-product search, or inverted lists around `centroids` when there are some."""
    if centroids is None:
        index = faiss.IndexFlatIP(vectors.shape[1])
    else:
        quantizer = faiss.IndexFlatIP(vectors.shape[1])
        quantizer.add(np.ascontiguousarray(centroids, dtype=np.float32))
        index = faiss.IndexIVFFlat(quantizer, vectors.shape[1], len(centroids), faiss.METRIC_INNER_PRODUCT)
        index.nprobe = min(len(centroids), IVF_PROBES)
    index.add(vectors)
    return index
