"""BM25 over passages, kept as per-document term counts so that one document's change
rewrites only its own counts; the scores are put together when an index is read.

Scores are Lucene's BM25 (k1 1.5, b 0.75), as bm25s computes them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from searchindex.terms import terms

K1, B = 1.5, 0.75


@dataclass(frozen=True)
class TermCounts:
    """One document's passages as term counts: passage i holds `ids[indptr[i]:indptr[i+1]]`
    (indices into `vocabulary`) with their `counts`."""

    vocabulary: list[str]
    indptr: np.ndarray
    ids: np.ndarray
    counts: np.ndarray

    @classmethod
    def of(cls, texts: list[str]) -> "TermCounts":
        vocabulary: dict[str, int] = {}
        indptr, ids, counts = [0], [], []
        for text in texts:
            for term, count in Counter(terms(text)).items():
                ids.append(vocabulary.setdefault(term, len(vocabulary)))
                counts.append(count)
            indptr.append(len(ids))
        return cls(list(vocabulary), np.array(indptr, np.int64), np.array(ids, np.int32), np.array(counts, np.int32))


class Bm25:
    """Scores of every passage for a list of query terms (a repeated term counts again)."""

    def __init__(self, parts: list[TermCounts]) -> None:
        self.vocab_dict: dict[str, int] = {}
        passage_ids, term_ids, counts, lengths = [], [], [], []
        passages = 0
        for part in parts:
            to_global = np.array([self.vocab_dict.setdefault(t, len(self.vocab_dict)) for t in part.vocabulary], np.int64)
            per_passage = np.diff(part.indptr)
            local = np.repeat(np.arange(len(per_passage)), per_passage)
            passage_ids.append(local + passages)
            term_ids.append(to_global[part.ids] if len(part.ids) else np.empty(0, np.int64))
            counts.append(part.counts)
            lengths.append(np.bincount(local, weights=part.counts, minlength=len(per_passage)))
            passages += len(per_passage)
        self.passages = passages
        passage = np.concatenate(passage_ids) if parts else np.empty(0, np.int64)
        term = np.concatenate(term_ids) if parts else np.empty(0, np.int64)
        tf = np.concatenate(counts).astype(np.float32) if parts else np.empty(0, np.float32)
        length = np.concatenate(lengths).astype(np.float32) if parts else np.empty(0, np.float32)
        frequency = np.bincount(term, minlength=len(self.vocab_dict))
        self.idf = np.log(1 + (passages - frequency + 0.5) / (frequency + 0.5)).astype(np.float32)
        average = float(length.mean()) if passages and length.sum() > 0 else 1.0
        weight = self.idf[term] * tf / (K1 * (1 - B + B * length[passage] / average) + tf)
        order = np.argsort(term, kind="stable")  # term-major, so each term's passages sit together
        self._passages = passage[order]
        self._weights = weight[order].astype(np.float32)
        self._starts = np.searchsorted(term[order], np.arange(len(self.vocab_dict) + 1))

    def get_scores(self, query_terms: list[str]) -> np.ndarray:
        scores = np.zeros(self.passages, np.float32)
        for term in query_terms:
            row = self.vocab_dict.get(term)
            if row is not None:
                span = slice(self._starts[row], self._starts[row + 1])
                scores[self._passages[span]] += self._weights[span]
        return scores
