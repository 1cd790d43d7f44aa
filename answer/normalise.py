"""Answering step 0b: a question as typed → the words the procedures would use.

Chat spellings and contractions are expanded, misspelt words corrected against the
corpus's own vocabulary and a general English frequency list (symspellpy's), and
acronyms and lay phrases looked up in the thesaurus. Corpus words, English words, thesaurus
acronyms and words typed in capitals are never "corrected", and a word of three or four
letters only to a corpus word: a typo rule must not meet a real word or an acronym. A mend
must be a slip people make (a letter missed, doubled or swapped, a neighbouring key, a vowel
for a vowel), so a word the English list lacks is not turned into another ("vape" → "rape").
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import symspellpy

from answer.thesaurus import MAX_PHRASE_WORDS, Thesaurus
from searchindex.terms import STOPWORDS, bare, words

# One edit mends a word of five letters or more; two only a long word ("refferal").
ONE_EDIT_FROM = 5
TWO_EDITS_FROM = 8
CAPITALS = re.compile(r"\b[A-Z]{2,}s?\b")
RAREST = 10.0  # log10 rarity of a word not in the English list (the list's rarest is ~9.4)
SHORT_WORD = 3  # from three letters ("wrk"); below five only to a corpus word, "lado" stays
ENGLISH = "frequency_dictionary_en_82_765.txt"  # in symspellpy's package
KEY_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")  # each row sits half a key right of the one above
VOWELS = frozenset("aeiouy")


def _neighbouring_keys() -> dict[str, frozenset[str]]:
    """Each letter's neighbours on a QWERTY keyboard: beside it, and the two touching it above and below."""
    near: dict[str, set[str]] = {}
    for r, row in enumerate(KEY_ROWS):
        for i, key in enumerate(row):
            touching = {(r, i - 1), (r, i + 1), (r - 1, i), (r - 1, i + 1), (r + 1, i - 1), (r + 1, i)}
            near[key] = {KEY_ROWS[a][b] for a, b in touching if 0 <= a < len(KEY_ROWS) and 0 <= b < len(KEY_ROWS[a])}
    return {key: frozenset(keys) for key, keys in near.items()}


NEIGHBOURS = _neighbouring_keys()


def typing_distance(typed: str, meant: str) -> int:
    """Edits from `meant` to `typed` counting only slips people make: a letter missed, doubled
    or swapped with the next, a neighbouring key, or a vowel for another (spelling by sound).
    Any other letter for a letter counts two edits, so "vape" is not one slip from "rape"."""
    previous2: list[int] = []
    previous = list(range(len(meant) + 1))
    for i, a in enumerate(typed, 1):
        current = [i]
        for j, b in enumerate(meant, 1):
            slip = a == b or b in NEIGHBOURS.get(a, ()) or (a in VOWELS and b in VOWELS)
            cost = 0 if a == b else (1 if slip else 2)
            best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a == meant[j - 2] and typed[i - 2] == b:
                best = min(best, previous2[j - 2] + 1)
            current.append(best)
        previous2, previous = previous, current
    return previous[-1]


@dataclass(frozen=True)
class Normalised:
    text: str  # lower case, chat spellings expanded, typos corrected
    rewritten: str  # `text` with each acronym and lay phrase followed by its procedure wording
    phrases: tuple[tuple[str, tuple[str, ...]], ...]  # each thesaurus phrase found, with its procedure wording
    corrections: tuple[tuple[str, str], ...]  # (as typed, as read)
    lay: tuple[str, ...] = ()  # the phrases that are everyday words (acronyms are not: procedures use them too)

    @property
    def expansions(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(e for _, found in self.phrases for e in found))


def _english_counts() -> dict[str, int]:
    """symspellpy's English frequency list, word → count (read in ~50 ms)."""
    counts: dict[str, int] = {}
    with (Path(symspellpy.__file__).parent / ENGLISH).open(encoding="utf-8") as lines:
        for line in lines:
            word, count = line.split()
            counts[word] = int(count)
    return counts


class Speller:
    """symspellpy over its English frequency list, with the corpus's words preferred.

    The words themselves are read at once (~50 ms). symspellpy's index of their misspellings
    takes ~2.5 s to build, so it waits for the first word that needs mending: built in the
    background at start-up it slowed loading the index from 0.6 s to 3.5 s (the two contend
    for the GIL), and unpickled from a file on disk it still took 1.2 s."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # symspellpy's tables must not change under a lookup
        self._added: set[str] = set()
        self._corpus: frozenset[str] = frozenset()
        self._symspell: symspellpy.SymSpell | None = None
        self._english_counts = _english_counts()
        self.english = frozenset(self._english_counts)
        self._most = max(self._english_counts.values())

    def rarity(self, word: str) -> float:
        """How rare a word is in English: log10 of how much less often it is used than the
        commonest word; a word English does not know is as rare as its rarest; "clare's" as "clare"."""
        count = self._english_counts.get(bare(word))
        return float(np.log10(self._most / count)) if count else RAREST

    def _index(self) -> symspellpy.SymSpell:
        """symspellpy over the English words, built once (call with the lock held)."""
        if self._symspell is None:
            symspell = symspellpy.SymSpell(max_dictionary_edit_distance=2, prefix_length=7)
            for word, count in self._english_counts.items():
                symspell.create_dictionary_entry(word, count)
            self._symspell = symspell
        return self._symspell

    def _include(self, symspell: symspellpy.SymSpell, corpus_words: frozenset[str]) -> None:
        """Add a new index's words (once per index; call with the lock held)."""
        if corpus_words is self._corpus:
            return
        for word in corpus_words - self._added - self.english:
            if word.isalpha():
                symspell.create_dictionary_entry(word, 1)
        self._added |= corpus_words
        self._corpus = corpus_words

    def correct(self, word: str, corpus_words: frozenset[str]) -> str:
        """The word meant, or `word` itself when no correction is safe."""
        if len(word) < SHORT_WORD:
            return word
        edits = 2 if len(word) >= TWO_EDITS_FROM else 1
        with self._lock:
            symspell = self._index()
            self._include(symspell, corpus_words)
            found = symspell.lookup(word, symspellpy.Verbosity.ALL, max_edit_distance=edits)
        slips = {s.term: typing_distance(word, s.term) for s in found}
        closest = min(slips.values(), default=edits + 1)
        found = [s for s in found if slips[s.term] == closest <= edits]
        in_corpus = [s.term for s in found if s.term in corpus_words]
        if in_corpus:
            return in_corpus[0]
        if len(word) < ONE_EDIT_FROM or not found:
            return word  # a short unknown word is more likely an acronym than a typo
        return max(found, key=lambda s: s.count).term


_speller: Speller | None = None
_speller_lock = threading.Lock()


def speller() -> Speller:
    """The one Speller, built on first use (a caller meanwhile waits for it rather than building another)."""
    global _speller
    if _speller is None:
        with _speller_lock:
            if _speller is None:
                _speller = Speller()
    return _speller


def _chat_expanded(tokens: list[str], thesaurus: Thesaurus, capitals: set[str]) -> list[str]:
    """Chat spellings as plain words; a word typed in capitals is an acronym ("ID"), not chat."""
    out: list[str] = []
    for token in tokens:
        plain = token.replace("'", "")
        expansion = None if token in capitals else thesaurus.chat.get(token) or thesaurus.chat.get(plain)
        out += expansion[0].split() if expansion else [token]
    return out


def _phrases(tokens: list[str], thesaurus: Thesaurus) -> list[tuple[int, int, tuple[str, ...]]]:
    """(start, end, expansions) of each thesaurus phrase, longest first, not overlapping."""
    found, i = [], 0
    while i < len(tokens):
        for size in range(min(MAX_PHRASE_WORDS, len(tokens) - i), 0, -1):
            expansions = thesaurus.expansions(" ".join(tokens[i : i + size]))
            if expansions:
                found.append((i, i + size, expansions))
                i += size
                break
        else:
            i += 1
    return found


def normalise(question: str, corpus_words: frozenset[str], thesaurus: Thesaurus) -> Normalised:
    capitals = {w.lower() for w in CAPITALS.findall(question)}  # "MARAC" typed as an acronym stays one
    tokens = _chat_expanded(words(question), thesaurus, capitals)
    spell = speller()
    corrections = []
    for i, token in enumerate(tokens):
        base = bare(token)
        known = base in corpus_words or base in spell.english or thesaurus.knows(base)
        if base in STOPWORDS or known or base in capitals or not base.isalpha():
            continue
        fixed = spell.correct(base, corpus_words)
        if fixed != base:
            corrections.append((token, fixed))
            tokens[i] = fixed
    rewritten: list[str] = []
    phrases: list[tuple[str, tuple[str, ...]]] = []
    last = 0
    for start, end, found in _phrases(tokens, thesaurus):
        phrase = " ".join(tokens[start:end])
        rewritten += tokens[last:end] + [e for e in found[:1] if e != phrase]
        phrases.append((phrase, found))
        last = end
    rewritten += tokens[last:]
    lay = tuple(phrase for phrase, _ in phrases if phrase in thesaurus.lay)
    return Normalised(" ".join(tokens), " ".join(rewritten), tuple(phrases), tuple(corrections), lay)
