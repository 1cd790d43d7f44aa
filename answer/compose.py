"""Answering step 3: cited passages → an extractive answer, or a plain abstention.

The answer is 1–4 sentences taken verbatim from the top passages, each followed by
the [n] of its citation. No model writes anything: nothing can be invented.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ingest.chunk import split_sentences
from ingest.structure import ITEM_MARK
from ingest.terms import terms

SAFETY_NOTICE = (
    "If a child is in immediate danger, call 999. Concerns about a child's welfare go to the "
    "local authority's children's social care (and your organisation's safeguarding lead)."
)
NOT_COVERED = (
    "The procedures I hold don't cover this. Check your local safeguarding partnership's "
    "procedures, or ask your local authority's children's social care or your organisation's "
    "safeguarding lead."
)

MIN_UNIT_WORDS = 4
MAX_ANSWER_WORDS = 130
FOCUS_BONUS = 0.25  # a follow-up's own words ("schools") must steer the answer
QUESTION_BONUS = 0.1
RANK_PENALTY = 0.02

# Questions whose answer must contain a kind of fact; without one in the passages the
# procedures do not answer them, however close the topic.
NEEDS_FACT = [
    (
        re.compile(r"\b(phone|telephone|number to call|contact (number|details)|helpline|what number|ring)\b", re.I),
        re.compile(r"\b\d{3}[\s-]?\d{3,4}[\s-]?\d{3,4}\b|\b0\d{9,10}\b"),
        "The procedures I hold give no phone number for this.",
    ),
    (
        re.compile(r"\b(how (long|soon|quickly|many (days|hours|weeks))|timescale|deadline|within how|by when)\b", re.I),
        re.compile(r"\b(\d+|one|two|three|four|five|six|seven|ten|twenty|immediately|same day|hours?|days?|weeks?|months?)\b", re.I),
        "The procedures I hold set no timescale for this.",
    ),
]


@dataclass(frozen=True)
class Unit:
    rank: int  # citation number
    position: int  # order within the passage
    text: str  # verbatim sentence or list item, without its bullet
    lead: str | None  # the sentence leading into a list item


def units(rank: int, passage: str) -> list[Unit]:
    """Sentences and list items of a passage; an item remembers the sentence before its list."""
    found: list[Unit] = []
    for paragraph in passage.split("\n\n"):
        lead = None
        for line in paragraph.split("\n"):
            if ITEM_MARK.match(line):
                found.append(Unit(rank, len(found), ITEM_MARK.sub("", line).strip(), lead))
                continue
            sentences = split_sentences(line)
            found += [Unit(rank, len(found) + i, s, None) for i, s in enumerate(sentences)]
            lead = sentences[-1] if sentences else lead
    return [u for u in found if len(u.text.split()) >= MIN_UNIT_WORDS]


def overlap(question_terms: set[str], text: str) -> float:
    if not question_terms:
        return 0.0
    return len(question_terms & set(terms(text))) / len(question_terms)


def score(units_: list[Unit], vectors: np.ndarray, query_vector: np.ndarray, question: str, focus: str) -> np.ndarray:
    asked, focused = set(terms(question)), set(terms(focus))
    cosines = vectors @ query_vector
    return np.array(
        [
            c + QUESTION_BONUS * overlap(asked, u.text) + FOCUS_BONUS * overlap(focused, u.text) - RANK_PENALTY * (u.rank - 1)
            for u, c in zip(units_, cosines)
        ]
    )


def select(units_: list[Unit], scores: np.ndarray, limit: int, margin: float) -> list[Unit]:
    order = np.argsort(-scores, kind="stable")
    chosen: list[Unit] = []
    words = 0
    for i in order:
        unit = units_[int(i)]
        if chosen and (scores[i] < scores[order[0]] - margin or words + len(unit.text.split()) > MAX_ANSWER_WORDS):
            continue
        chosen.append(unit)
        words += len(unit.text.split())
        if len(chosen) == limit:
            break
    return chosen


def render(chosen: list[Unit]) -> str:
    """One line per sentence, each with its [n]; a list item keeps the sentence that leads into it."""
    lines, shown_leads = [], set()
    for unit in chosen:
        marker = f"[{unit.rank}]"
        if unit.lead and (unit.rank, unit.lead) not in shown_leads:
            shown_leads.add((unit.rank, unit.lead))
            lines.append(f"{unit.lead} {unit.text} {marker}")
        elif unit.lead:
            lines.append(f"• {unit.text} {marker}")
        else:
            lines.append(f"{unit.text} {marker}")
    return "\n".join(lines)


def missing_fact(question: str, chosen: list[Unit]) -> str | None:
    """Why the passages cannot answer a question that asks for a number or timescale, if so."""
    for asks, evidence, note in NEEDS_FACT:
        if asks.search(question) and not any(evidence.search(u.text) for u in chosen):
            return note
    return None
