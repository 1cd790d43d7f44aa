"""Answering step 1: a question → ranked passages, by dense (FAISS) and BM25 rankings
fused with reciprocal rank fusion.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from config import Settings
from ingest.store import IndexData
from ingest.terms import terms


@dataclass(frozen=True)
class Hit:
    position: int  # row of the chunk in the index
    fused: float
    dense: float  # cosine similarity of question and passage
    lexical: float  # BM25 score


def dense_ranking(index: IndexData, query_vector: np.ndarray, depth: int) -> list[int]:
    _, rows = index.dense.search(query_vector.reshape(1, -1), min(depth, index.dense.ntotal))
    return [int(r) for r in rows[0] if r >= 0]


def bm25_scores(index: IndexData, query_terms: list[str]) -> np.ndarray:
    known = [t for t in query_terms if t in index.bm25.vocab_dict]
    if not known:
        return np.zeros(len(index.chunks), dtype=np.float32)
    return np.asarray(index.bm25.get_scores(known), dtype=np.float32)


def bm25_ranking(scores: np.ndarray, depth: int) -> list[int]:
    positive = np.flatnonzero(scores > 0)
    order = positive[np.argsort(-scores[positive], kind="stable")]
    return [int(r) for r in order[:depth]]


def fuse(rankings: list[tuple[list[int], float]], rrf_k: int) -> dict[int, float]:
    fused: dict[int, float] = {}
    for ranking, weight in rankings:
        for rank, row in enumerate(ranking):
            fused[row] = fused.get(row, 0.0) + weight / (rrf_k + rank + 1)
    return fused


def search(index: IndexData, query_vector: np.ndarray, query_text: str, settings: Settings, focus: str = "") -> list[Hit]:
    """Passages for the question, best first. `focus` (a follow-up's own words) weighs double in BM25."""
    depth = settings.candidates
    lexical = bm25_scores(index, terms(query_text) + terms(focus) * 2)
    fused = fuse(
        [(dense_ranking(index, query_vector, depth), settings.dense_weight), (bm25_ranking(lexical, depth), settings.bm25_weight)],
        settings.rrf_k,
    )
    rows = sorted(fused, key=lambda r: -fused[r])
    cosines = index.vectors[rows] @ query_vector if rows else np.zeros(0)
    return [Hit(r, fused[r], float(c), float(lexical[r])) for r, c in zip(rows, cosines)]
