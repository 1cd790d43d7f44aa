"""Answering step 0: a question in a conversation → a standalone question.

A short or pronoun-led follow-up ("what about schools?", "who do they tell?") borrows
the topic of the turn before; a question with a topic of its own stands alone, so an
old topic never leaks into a new one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from searchindex.terms import terms, words

# Openings that lean on the turn before: "and …", "what about …", "does that …", "why?".
FOLLOW_UP_OPENING = re.compile(
    r"^\W*(?:(?:and|but|so|also)\b|(?:what|how)\s+about\b|what\s+if\b|same\s+for\b|"
    r"(?:does|do|is|are|can|should|must)\s+(?:that|this|it|they|those|these)\b|why\b\W*$|how\s+so\b|"
    r"(?:what|who|how|when|where)\s+(?:else|then)\b|anything\s+(?:else|on|about)\b)",
    re.IGNORECASE,
)
# "the second one": an item of the list the answer before showed.
ITEM_REFERENCE = re.compile(r"\b(?:the|that)\s+(first|second|third|fourth|fifth|last)\s+(?:one|point|bit|part|item)\b", re.IGNORECASE)
ITEM_NUMBER = {"first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4, "last": -1}
# Phrases that lean on the turn before wherever they stand: "can you say more about the second one".
FOLLOW_UP_ANYWHERE = re.compile(
    r"\b(?:say|tell me|explain)\s+more\b|\bmore about (?:it|that|this|them)\b|"
    r"\b(?:the|that)\s+(?:other|next)\s+(?:one|point|bit|part)\b|" + ITEM_REFERENCE.pattern,
    re.IGNORECASE,
)
REFERRING_WORDS = frozenset("it its they them their that this those these he she him her there".split())
SHORT_QUESTION_TERMS = 1  # "schools?" or "why?" cannot stand alone
REFERRING_QUESTION_TERMS = 2  # "who referred them?" leans on the turn before; "what do children say they need?" does not


@dataclass(frozen=True)
class Resolved:
    query: str  # what retrieval searches for: the earlier topic, then the question
    focus: str  # the follow-up's own words ("" for a standalone question)
    topic: str = ""  # the earlier turn's standalone question a follow-up leans on


def is_follow_up(question: str) -> bool:
    topic = terms(question)
    if FOLLOW_UP_OPENING.match(question) or FOLLOW_UP_ANYWHERE.search(question):
        return True
    if len(topic) <= SHORT_QUESTION_TERMS:
        return True
    return bool(REFERRING_WORDS & set(words(question))) and len(topic) <= REFERRING_QUESTION_TERMS


def resolve(question: str, history: list[str]) -> Resolved:
    """The question made standalone by prefixing the topic of the resolved turn before it."""
    if not history or not is_follow_up(question):
        return Resolved(question, "")
    return lean_on(question, history)


def lean_on(question: str, history: list[str]) -> Resolved:
    """The question read as a follow-up to the turn before (which may itself be one)."""
    before = resolve(history[-1], history[:-1])
    return Resolved(f"{before.query} {question}", question, before.query)


def item_referred(question: str) -> int | None:
    """Which item of the previous answer's list the question points at (-1: the last), if any."""
    found = ITEM_REFERENCE.search(question)
    return ITEM_NUMBER[found.group(1).lower()] if found else None


def about_item(resolved: Resolved, item: str) -> Resolved:
    """A follow-up about one list item searches for that item within the earlier topic."""
    return Resolved(f"{resolved.topic} {item}", item, resolved.topic)
