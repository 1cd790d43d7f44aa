"""Checking a generated answer against the passages it was given: every sentence cites a
passage that exists, mostly uses its words, and has no figure or must/should it lacks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from searchindex.terms import terms

MARKER = re.compile(r"\[(\d+)\]")
MARKER_LIST = re.compile(r"\[(\d+(?:\s*,\s*\d+)+)\]")  # "[1, 2]" → "[1][2]"
MARKERS_AFTER_STOP = re.compile(r"([.!?])((?:\s*\[\d+\])+)[.!?]?")  # "claim. [1]" or "claim. [1]." → "claim [1]."
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(•-])|\n+")
DECLINES = re.compile(r"\b(?:don't|do not)\s+cover\s+this\b", re.I)
DIGITS = re.compile(r"\d+(?:[ -]\d{3,})*")  # "0800 123 4567" is one figure; "2018 10" two
NUMBER_WORDS = re.compile(
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|"
    r"forty|fifty|hundred|first|second|third|twice|half)\b",
    re.I,
)
MODALS = re.compile(r"\b(?:must|should|shall|may)\b", re.I)
# Share of a sentence's content words (stemmed) that its cited passages must hold: a
# paraphrase keeps the passage's words; a claim from elsewhere does not.
SUPPORT = 0.6


class CheckFailed(Exception):
    """The generated answer cannot be shown; the message says why, for the practitioner."""


@dataclass(frozen=True)
class Checked:
    text: str  # kept sentences, one per line, each with its [n]
    dropped: int  # sentences left out: no citation, or a figure or modal the passages lack
    declined: bool = False  # the model said the passages do not answer the question


def check(text: str, passages: list[str]) -> Checked:
    """`text` reduced to sentences its cited passages support, or CheckFailed."""
    text = MARKERS_AFTER_STOP.sub(r"\2\1", MARKER_LIST.sub(_split_list, text.strip()))
    if not text:
        raise CheckFailed("the language model returned nothing")
    if DECLINES.search(text) and not MARKER.search(text):
        return Checked("", 0, declined=True)
    for number in (int(n) for n in MARKER.findall(text)):
        if not 1 <= number <= len(passages):
            raise CheckFailed(f"the language model cited a passage ({number}) it was not given")
    sentences = [s.strip() for s in SENTENCE_END.split(text) if s.strip()]
    kept = [s for s in sentences if _supported(s, passages)]
    if not kept:
        raise CheckFailed("no sentence of the language model's answer was both cited and supported by its passages")
    return Checked("\n".join(kept), len(sentences) - len(kept))


def _split_list(match: re.Match) -> str:
    return "".join(f"[{n.strip()}]" for n in match.group(1).split(","))


def _supported(sentence: str, passages: list[str]) -> bool:
    cited = {int(n) for n in MARKER.findall(sentence)}
    if not cited:
        return False
    sources = " ".join(passages[n - 1] for n in sorted(cited))
    claim = MARKER.sub(" ", sentence)
    claim_terms = set(terms(claim))
    shared = len(claim_terms & set(terms(sources))) / len(claim_terms) if claim_terms else 0.0
    return shared >= SUPPORT and _figures(claim) <= _figures(sources) and _words(MODALS, claim) <= _words(MODALS, sources)


def _figures(text: str) -> set[str]:
    """Numbers (phone numbers and timescales included) and number words, comparable across spacing."""
    digits = {re.sub(r"[\s-]", "", d) for d in DIGITS.findall(text)}
    return digits | _words(NUMBER_WORDS, text)


def _words(pattern: re.Pattern, text: str) -> set[str]:
    return {w.lower() for w in pattern.findall(text)}
