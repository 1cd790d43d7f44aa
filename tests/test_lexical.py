"""BM25 from per-document term counts scores as Lucene's BM25 does, however the passages
are split into documents."""

import math

import numpy as np

from searchindex.lexical import Bm25, TermCounts

PASSAGES = ["harm to a child", "child", "neglect and harm harm", "refer the child to children's social care"]


def test_scores_are_lucenes_bm25():
    bm25 = Bm25([TermCounts.of(PASSAGES)])
    lengths = np.array([2, 1, 3, 5], dtype=float)  # content terms: "harm child", "child", "neglect harm harm", …
    k1, b, average = 1.5, 0.75, lengths.mean()
    idf = math.log(1 + (4 - 2 + 0.5) / (2 + 0.5))  # "harm" is in two of four passages
    expected = [idf * tf / (tf + k1 * (1 - b + b * length / average)) for tf, length in zip([1, 0, 2, 0], lengths)]
    assert np.allclose(bm25.get_scores(["harm"]), expected, atol=1e-6)
    assert np.allclose(bm25.get_scores(["harm", "harm"]), 2 * np.array(expected), atol=1e-6)  # a repeated term counts again
    assert not bm25.get_scores(["unknown"]).any()


def test_documents_split_any_way_score_the_same():
    whole = Bm25([TermCounts.of(PASSAGES)])
    split = Bm25([TermCounts.of(PASSAGES[:1]), TermCounts.of([]), TermCounts.of(PASSAGES[1:])])
    for query in (["harm"], ["child", "social"], ["neglect", "child", "care"]):
        assert np.allclose(whole.get_scores(query), split.get_scores(query), atol=1e-6)
    assert np.allclose(sorted(whole.idf), sorted(split.idf))
