"""Answering step 2: ranked passages → citations.

Many procedure pages carry the same passage (the "Children have said that they need"
list is in several): those become one citation listing every source with its own
print date, so the same words are not shown twice.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Callable

from answer.rank import Hit
from records import Chunk, Citation
from searchindex.terms import words

SHINGLE = 3
SAME_PASSAGE_OVERLAP = 0.6  # share of the shorter passage's word triples found in the other


@lru_cache(maxsize=8192)
def _shingles(text: str) -> frozenset[tuple[str, ...]]:
    tokens = words(text)
    return frozenset(tuple(tokens[i : i + SHINGLE]) for i in range(max(1, len(tokens) - SHINGLE + 1)))


def same_passage(a: Chunk, b: Chunk) -> bool:
    if a.source == b.source or a.stamp or b.stamp:  # print lines read alike, yet each dates its own page
        return False
    left, right = _shingles(a.text), _shingles(b.text)
    return len(left & right) / max(1, min(len(left), len(right))) >= SAME_PASSAGE_OVERLAP


def group(hits: list[Hit], chunks: list[Chunk], k: int) -> list[tuple[Hit, list[Chunk]]]:
    """The best `k` distinct passages, each with the same passage found in other documents. A
    page's print line is cited only as the best passage: elsewhere it is no answer, and another
    page's date must not stand beside this one's."""
    groups: list[tuple[Hit, list[Chunk]]] = []
    for hit in hits:
        chunk = chunks[hit.position]
        if chunk.stamp and hit is not hits[0]:
            continue
        for primary, others in groups:
            first = chunks[primary.position]
            if same_passage(first, chunk):
                if chunk.source not in {first.source, *(o.source for o in others)}:
                    others.append(chunk)
                break
        else:
            if len(groups) < k:
                groups.append((hit, []))
    return groups


def citations(
    groups: list[tuple[Hit, list[Chunk]]], chunks: list[Chunk], highlights: dict[int, list[str]], warn: Callable[[Chunk], tuple[str, ...]]
) -> tuple[Citation, ...]:
    return tuple(
        Citation(
            rank=rank,
            chunk=chunks[hit.position],
            score=hit.score,
            also_in=tuple(others),
            highlights=tuple(highlights.get(rank, ())),
            warnings=warn(chunks[hit.position]),
        )
        for rank, (hit, others) in enumerate(groups, start=1)
    )
