"""Text matching as the evaluation contract defines it: a passage holds a gold quote when
it contains the quote after folding whitespace, case and typographic quotes and dashes;
a quote cut across two passages counts by its first 60 folded characters."""

from __future__ import annotations

import re

TYPOGRAPHY = str.maketrans({"‘": "'", "’": "'", "‛": "'", "′": "'", "“": '"', "”": '"', "„": '"', "″": '"', "–": "-", "—": "-", "‒": "-", "―": "-", "‐": "-"})
MARKER = re.compile(r"\s*\[\d+\]")
BULLET = re.compile(r"\s*[•·▪◦]\s+")
PREFIX_CHARS = 60


def fold(text: str) -> str:
    return re.sub(r"\s+", " ", text.translate(TYPOGRAPHY).lower()).strip()


def holds(passage: str, quote: str) -> bool:
    passage, quote = fold(passage), fold(quote)
    return quote in passage or quote[:PREFIX_CHARS] in passage


def answer_holds(answer: str, quote: str) -> bool:
    """Whether the answer text quotes the gold passage, [n] markers and list bullets set aside."""
    return holds(BULLET.sub(" ", MARKER.sub("", answer)), BULLET.sub(" ", quote))
