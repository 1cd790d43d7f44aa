"""Answering step 1: a question → ranked passages.

Dense: FAISS finds the sentences nearest the question and a passage scores by its best
sentence (a precise question meets one sentence, not a whole passage's average). Lexical:
BM25 over passages, scaled to 0–1 by the best score. The two add with weights from config.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from config import Settings
from ingest.store import IndexData
from ingest.terms import terms

SENTENCES_PER_CANDIDATE = 8
# "A child-centred approach is supported by:" echoes the question's words but says nothing
# itself (its list does), and split lists repeat it: it counts for less.
LEAD_IN_WEIGHT = 0.85


@dataclass(frozen=True)
class Hit:
    position: int  # row of the chunk in the index
    score: float
    dense: float  # cosine of the question with the passage's best sentence
    lexical: float  # BM25, scaled so the best passage has 1


def bm25_scores(index: IndexData, query_terms: list[str]) -> np.ndarray:
    known = [t for t in query_terms if t in index.bm25.vocab_dict]
    if not known:
        return np.zeros(len(index.chunks), dtype=np.float32)
    scores = np.asarray(index.bm25.get_scores(known), dtype=np.float32)
    best = float(scores.max())
    return scores / best if best > 0 else scores


def best_sentence_per_chunk(
    index: IndexData, query_vector: np.ndarray, depth: int, allowed: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Chunks holding one of the `depth` sentences nearest the question (repeats counted, as
    if each copy had its own vector), each with the cosine of its best one. A repeated
    sentence shares one vector, so this is array work however many copies there are."""
    cosines, rows = index.dense.search(query_vector.reshape(1, -1), min(depth, index.dense.ntotal))
    found = rows[0] >= 0
    sentence_rows, owner = index.sentences_with_vectors(rows[0][found])
    scores = cosines[0][found][owner] * np.where(index.lead_in[sentence_rows], LEAD_IN_WEIGHT, 1.0)
    chunks = index.sentence_chunk[sentence_rows]
    if allowed is not None:
        chunks, scores = chunks[allowed[chunks]], scores[allowed[chunks]]
    order = np.argsort(-scores, kind="stable")
    chunks, scores = chunks[order], scores[order]
    if len(scores) > depth:  # ties with the last place stay in
        keep = scores >= scores[depth - 1]
        chunks, scores = chunks[keep], scores[keep]
    chunks, first = np.unique(chunks, return_index=True)
    return chunks, scores[first]


def search(
    index: IndexData, query_vector: np.ndarray, query_text: str, settings: Settings, focus: str = "", area: str | None = None
) -> list[Hit]:
    """Passages for the question, best first; with `area`, only that area's and those of no
    stated area. `focus` (a follow-up's own words) weighs double in BM25."""
    depth = settings.candidates * SENTENCES_PER_CANDIDATE
    allowed = index.in_area(area) if area else None
    dense_rows, dense_scores = best_sentence_per_chunk(index, query_vector, depth, allowed)
    lexical = bm25_scores(index, terms(query_text) + terms(focus) * 2)
    if allowed is not None:
        lexical = np.where(allowed, lexical, 0.0)
    top_lexical = np.argsort(-lexical, kind="stable")[: settings.candidates]
    floor = float(dense_scores.min()) if dense_scores.size else 0.0  # a passage the dense search missed is at most this close
    rows = np.union1d(dense_rows, top_lexical[lexical[top_lexical] > 0])
    dense = np.full(len(rows), floor)
    dense[np.searchsorted(rows, dense_rows)] = dense_scores
    scores = settings.dense_weight * dense + settings.bm25_weight * lexical[rows]
    return [Hit(int(rows[i]), float(scores[i]), float(dense[i]), float(lexical[rows[i]])) for i in np.argsort(-scores, kind="stable")[:depth]]
