"""Word-level view of text shared by BM25 and answer extraction: lower-case, stemmed,
without stop words, so "schools" and "school" meet.
"""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer

WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")

# Function words, plus words so common in every procedure that they carry no topic.
STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself
    yourselves i'm i've it's what's don't doesn't isn't shall may might must also us let get
    got tell know please thanks thank ok okay""".split()
)

# Changes when terms() would cut the same text differently, so the next ingest rebuilds BM25.
TERMS_VERSION = 3

# Noun plurals the stemmer leaves apart from their singular ("children" and "child" must meet);
# none that is also a verb form ("leaves", "lives") or that would meet another word ("people").
IRREGULAR_PLURALS = {
    "children": "child", "men": "man", "women": "woman", "wives": "wife", "midwives": "midwife",
    "knives": "knife", "halves": "half", "selves": "self", "shelves": "shelf", "thieves": "thief",
    "feet": "foot", "teeth": "tooth", "mice": "mouse", "geese": "goose", "criteria": "criterion",
    "phenomena": "phenomenon", "crises": "crisis", "theses": "thesis",
}

_stemmer = Stemmer.Stemmer("english")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return _stemmer.stemWord(IRREGULAR_PLURALS.get(word, word))


def words(text: str) -> list[str]:
    return WORD.findall(text.lower().replace("’", "'"))


def bare(word: str) -> str:
    """A word without its possessive or contraction: "clare's" is "clare", "child's" "child"."""
    return word.split("'")[0]


def terms(text: str) -> list[str]:
    """Stemmed content words of `text`, in order, repeats kept."""
    return [stem(bare(w)) for w in words(text) if w not in STOPWORDS]


@lru_cache(maxsize=65536)
def term_set(text: str) -> frozenset[str]:
    return frozenset(terms(text))
