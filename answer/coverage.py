"""Answering step 1b: does the corpus know what the question is about?

A question that hinges on a specialised word the procedures never use ("FGM", "LADO",
"whistleblowing") cannot be answered from them, however close its other words come.
A word counts as specialised when the embedding model's own vocabulary has to spell it
in pieces; a misspelling of a corpus word ("seperate") is not held against the question.
"""

from __future__ import annotations

from ingest.store import IndexData
from ingest.terms import STOPWORDS, stem, words

# Chat spellings that are neither topics nor corpus words.
CHAT_WORDS = frozenset("whats cant isnt dont doesnt theyre theres im ive youre wont shouldnt couldnt wouldnt yr yrs pls plz thx u ur".split())
TYPO_MIN_LENGTH = 5


def within_one_edit(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :] or (len(a) == len(b) and a[i + 1 :] == b[i + 1 :])


def known(word: str, index: IndexData) -> bool:
    if stem(word.split("'")[0]) in index.bm25.vocab_dict:
        return True
    return len(word) >= TYPO_MIN_LENGTH and any(within_one_edit(word, w) for w in index.corpus_words if abs(len(w) - len(word)) <= 1)


def unknown_specialised_words(question: str, index: IndexData, pieces) -> list[str]:
    """Words of the question the corpus never uses and the model knows only in pieces."""
    return [
        w
        for w in dict.fromkeys(words(question))
        if w not in STOPWORDS and w not in CHAT_WORDS and not w.isdigit()
        and not known(w, index) and pieces(w) > 1
    ]
