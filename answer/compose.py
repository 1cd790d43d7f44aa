"""Answering step 3: cited passages → an extractive answer, or a plain abstention.

The answer is up to 4 sentences (a short list counting as one) taken verbatim from the
top passages, each followed by the [n] of its citation. No model writes anything:
nothing can be invented.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Callable, NamedTuple

import numpy as np

from records import Sentence
from searchindex.terms import terms

SAFETY_NOTICE = (
    "If a child is in immediate danger, call 999. Concerns about a child's welfare go to the "
    "local authority's children's social care (and your organisation's safeguarding lead)."
)
WHERE_TO_ASK = (
    "Check your local safeguarding partnership's procedures, or ask your local authority's "
    "children's social care or your organisation's safeguarding lead."
)
NOT_COVERED = f"The procedures I hold don't cover this. {WHERE_TO_ASK}"
CAUTION = (
    "These passages may not answer your question: they are the nearest the procedures I hold come to it. "
    "Read them before you act, and ask your organisation's safeguarding lead if you are unsure."
)

MIN_UNIT_WORDS = 4
MAX_ANSWER_WORDS = 130
WHOLE_LIST_WORDS = 100  # a list this short is quoted whole: half a list of principles misleads
FOCUS_BONUS = 0.25  # a follow-up's own words ("schools") must steer the answer
QUESTION_BONUS = 0.1
PASSAGE_WEIGHT = 1.0  # a sentence from a weaker passage needs that much more similarity to lead

NUMBER_WORD = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|a hundred)"


class NeedsFact(NamedTuple):
    """Questions whose answer must contain a kind of fact: without one in the quoted sentences
    the procedures do not answer them, however close the topic."""

    asks: re.Pattern
    gives: Callable[[re.Match], re.Pattern]  # what in a sentence states the fact, given how it was asked
    note: str


def _any(pattern: str) -> Callable[[re.Match], re.Pattern]:
    compiled = re.compile(pattern, re.I)
    return lambda asked: compiled


NEEDS_FACT = [
    NeedsFact(
        # "who do I ring?" asks whom to contact, which the procedures can answer; these ask for a
        # number. A phone in a story ("a new phone", "on her phone", "phone the parents") asks nothing.
        re.compile(
            r"\b(?:(?:tele)?phone|contact|helpline|hotline) (?:numbers?|nos?|details)\b|\bhelplines?\b|\bwhat number\b"
            r"|\bnumber (?:to|i can|do i|should i|can i) (?:call|ring|phone|dial|text)\b"
            r"|\b(?:what(?:'?s| is)|is there) (?:the|their|an?) (?:[\w'-]+ ){0,6}number\b(?! of)",
            re.I,
        ),
        _any(r"\b0\d{2,4}[\s-]?\d{3,4}[\s-]?\d{3,4}\b|\b\d{3}[\s-]?\d{3,4}[\s-]?\d{3,4}\b"),
        "The procedures I hold don't cover this: they give no phone number for it.",
    ),
    NeedsFact(
        re.compile(r"\b(how (long|soon|quickly)|timescale|deadline|within how|by when)\b", re.I),
        _any(r"\b(\d+|one|two|three|four|five|six|seven|ten|twenty|immediately|same day|hours?|days?|weeks?|months?)\b"),
        "The procedures I hold don't cover this: they set no timescale for it.",
    ),
    NeedsFact(
        # "How many years?" is answered by a count of years ("for 10 years"), not by a passage
        # that counts days ("within 5 days") or merely names years ("the early years").
        re.compile(r"\bhow many (?:working |calendar |school )?(?P<unit>hour|day|week|month|year)s\b", re.I),
        lambda asked: re.compile(rf"\b(?:\d+|{NUMBER_WORD})(?:\s|-)(?:working |calendar |school |clear )?{asked['unit']}s?\b", re.I),
        "The procedures I hold don't cover this: they set no timescale for it.",
    ),
    NeedsFact(
        # An amount of money ("how much is the allowance", "what's the fee") is answered by a sum.
        re.compile(
            r"\bhow much\b.*\b(?:cost|costs|pay|paid|payment|allowance|fee|fees|money|grant|bursary|salary|wage|charged?|benefits|universal credit)\b"
            r"|\bwhat(?:'?s| is| are) the (?:[\w+'-]+ ){0,4}(?:fee|fine|cost|allowance|salary|wage)s?\b(?! of)",
            re.I,
        ),
        _any(r"£\s?\d|\b\d[\d,.]*\s?(?:pounds|per ?cent)\b|\d\s?%"),
        "The procedures I hold don't cover this: they give no amount for it.",
    ),
]


FOOTNOTE_REF = re.compile(r"\s*\[\d+\]")  # "[1]" in a page would pass for one of our markers


@dataclass(frozen=True)
class Unit:
    rank: int  # the citation it comes from
    sentence: Sentence
    cosine: float  # with the question
    passage_gap: float  # how far its passage's retrieval score is below the best passage's

    @property
    def text(self) -> str:
        return FOOTNOTE_REF.sub("", self.sentence.text).strip()


def answers_something(sentence: Sentence) -> bool:
    """Long enough to say something, not a bare "… should:" whose list carries the content, and
    not a pointer to a link that the plain text has lost ("please see this page")."""
    return len(sentence.text.split()) >= MIN_UNIT_WORDS and not sentence.says_nothing


def overlap(question_terms: set[str], text: str) -> float:
    if not question_terms:
        return 0.0
    return len(question_terms & set(terms(text))) / len(question_terms)


def score(units_: list[Unit], question: str, focus: str) -> np.ndarray:
    asked, focused = set(terms(question)), set(terms(focus))
    # A list item says what its lead-in says too: "covers:" answers "what does it cover?".
    said = [f"{u.sentence.lead or ''} {u.text}" for u in units_]
    return np.array(
        [
            u.cosine + QUESTION_BONUS * overlap(asked, text) + FOCUS_BONUS * overlap(focused, text) - PASSAGE_WEIGHT * u.passage_gap
            for u, text in zip(units_, said)
        ]
    )


def select(units_: list[Unit], scores: np.ndarray, limit: int, margin: float, lists: dict[tuple[int, str], list[Sentence]]) -> list[Unit]:
    """The best sentences within `margin` of the best one; a list item brings the rest of its
    list (`lists`: each cited passage's list items by (rank, lead-in)) when the whole list is short."""
    order = np.argsort(-scores, kind="stable")
    chosen: list[Unit] = []
    taken: set[tuple[int, int]] = set()
    words = 0
    for i in order:
        unit = units_[int(i)]
        if chosen and scores[i] < scores[order[0]] - margin:
            break
        items = lists.get((unit.rank, unit.sentence.lead or ""), [])
        whole = [replace(unit, sentence=s) for s in items] if _word_count(items) <= WHOLE_LIST_WORDS else []
        for candidate in (whole, [unit]):
            added = [u for u in candidate if (u.rank, u.sentence.position) not in taken]
            added_words = _word_count([u.sentence for u in added])
            if added and (not chosen or words + added_words <= MAX_ANSWER_WORDS):
                chosen += added
                taken.update((u.rank, u.sentence.position) for u in added)
                words += added_words
                break
        pieces = {(u.rank, u.sentence.lead or u.sentence.position) for u in chosen}  # a whole list is one piece
        if len(pieces) >= limit:
            break
    return chosen


def _word_count(sentences: list[Sentence]) -> int:
    return sum(len(s.text.split()) for s in sentences)


def render(chosen: list[Unit]) -> str:
    """One line per sentence, each with its [n]. A list's items stand together where its best
    item stands, in their order in the passage, after the sentence that leads into them."""
    lines: list[str] = []
    shown: set[tuple[int, str]] = set()
    for unit in chosen:
        lead = unit.sentence.lead
        if not lead:
            lines.append(f"{unit.text} [{unit.rank}]")
            continue
        if (unit.rank, lead) in shown:
            continue
        shown.add((unit.rank, lead))
        items = sorted((u for u in chosen if u.rank == unit.rank and u.sentence.lead == lead), key=lambda u: u.sentence.position)
        lines.append(f"{lead}\n" + "\n".join(f"• {u.text} [{u.rank}]" for u in items))
    return "\n".join(lines)


def shown_items(text: str) -> list[str]:
    """The list items an answer showed, in order, without their markers."""
    return [FOOTNOTE_REF.sub("", line.removeprefix("• ")).strip() for line in text.split("\n") if line.startswith("• ")]


def with_notice(text: str, caution: str = "") -> str:
    """Every reply ends with where to go when a child is at risk; an answer whose passages may
    not answer the question opens with that caution."""
    return f"{caution}\n\n{text}\n\n{SAFETY_NOTICE}" if caution else f"{text}\n\n{SAFETY_NOTICE}"


def missing_fact(question: str, chosen: list[Unit]) -> str | None:
    """Why the passages cannot answer a question that asks for a number or timescale, if so."""
    for rule in NEEDS_FACT:
        asked = rule.asks.search(question)
        if asked and not any(rule.gives(asked).search(u.text) for u in chosen):
            return rule.note
    return None
