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


def best_sentence_per_chunk(index: IndexData, query_vector: np.ndarray, depth: int) -> dict[int, float]:
    cosines, rows = index.dense.search(query_vector.reshape(1, -1), min(depth, index.dense.ntotal))
    best: dict[int, float] = {}
    for cosine, row in zip(cosines[0], rows[0]):
        if row < 0:
            continue
        for sentence_row in index.sentences_with_vector(int(row)):
            sentence = index.sentences[sentence_row]
            weight = LEAD_IN_WEIGHT if sentence.text.endswith(":") else 1.0
            best[sentence.chunk] = max(best.get(sentence.chunk, -1.0), weight * float(cosine))
    return best


def search(index: IndexData, query_vector: np.ndarray, query_text: str, settings: Settings, focus: str = "") -> list[Hit]:
    """Passages for the question, best first. `focus` (a follow-up's own words) weighs double in BM25."""
    dense = best_sentence_per_chunk(index, query_vector, settings.candidates * SENTENCES_PER_CANDIDATE)
    lexical = bm25_scores(index, terms(query_text) + terms(focus) * 2)
    top_lexical = np.argsort(-lexical, kind="stable")[: settings.candidates]
    floor = min(dense.values(), default=0.0)  # a passage the dense search missed is at most this close
    candidates = set(dense) | {int(r) for r in top_lexical if lexical[r] > 0}
    hits = [
        Hit(row, settings.dense_weight * dense.get(row, floor) + settings.bm25_weight * float(lexical[row]), dense.get(row, floor), float(lexical[row]))
        for row in candidates
    ]
    return sorted(hits, key=lambda h: -h.score)
