"""Text matching as the evaluation contract defines it: a passage holds a gold quote when
it contains the quote after folding whitespace, case and typographic quotes and dashes;
a quote cut across two passages counts by its first 60 folded characters. Quotes from PDFs
are matched on their letters alone (first 50 letters for a cut quote), so how a reader
rejoins "inter- agency" or drops a footnote marker does not change what counts as a hit."""

from __future__ import annotations

import re

TYPOGRAPHY = str.maketrans({"‘": "'", "’": "'", "‛": "'", "′": "'", "“": '"', "”": '"', "„": '"', "″": '"', "–": "-", "—": "-", "‒": "-", "―": "-", "‐": "-"})
MARKER = re.compile(r"\s*\[\d+\]")
BULLET = re.compile(r"\s*[•·▪◦]\s+")
NOT_A_LETTER = re.compile(r"[^a-z]+")
PREFIX_CHARS = 60
PREFIX_LETTERS = 50


def fold(text: str) -> str:
    return re.sub(r"\s+", " ", text.translate(TYPOGRAPHY).lower()).strip()


def letters(text: str) -> str:
    return NOT_A_LETTER.sub("", text.lower())


def by_letters(file: str | None) -> bool:
    return bool(file) and file.lower().endswith(".pdf")


def holds(passage: str, quote: str, file: str | None = None) -> bool:
    """Whether `passage` holds `quote` (from `file`: a PDF's quotes by their letters)."""
    if by_letters(file):
        passage, quote = letters(passage), letters(quote)
        return quote in passage or quote[:PREFIX_LETTERS] in passage
    passage, quote = fold(passage), fold(quote)
    return quote in passage or quote[:PREFIX_CHARS] in passage


def answer_holds(answer: str, quote: str, file: str | None = None) -> bool:
    """Whether the answer text quotes the gold passage, [n] markers and list bullets set aside."""
    return holds(BULLET.sub(" ", MARKER.sub("", answer)), BULLET.sub(" ", quote), file)
