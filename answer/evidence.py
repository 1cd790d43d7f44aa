"""Answering step 1: a normalised question → candidate passages and the evidence for each.

Candidates are the passages holding one of the sentences nearest the question and the
best BM25 passages. Each gets a row of features (sentence cosines for the question as
typed-and-corrected and as rewritten in procedure words, BM25 on the question's own and on
its thesaurus-expanded terms, how much of the question's weight its words cover), and the
question gets its own (how much of it the corpus knows at all). answer/rank.py weighs them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from answer.normalise import Normalised, speller
from searchindex.store import IndexData
from searchindex.terms import STOPWORDS, bare, stem, term_set, terms, words

SENTENCES_PER_CANDIDATE = 8
CALENDAR = frozenset(stem(w) for w in """monday tuesday wednesday thursday friday saturday sunday january february
    march april may june july august september october november december am pm""".split())

# A question asking where to read more ("where can I find guidance on …", "any more info on …"):
# for it a signpost to other guidance is an answer, not a mere echo of its topic.
ASKS_WHERE_TO_READ = re.compile(
    r"\b(?:where|which)\b.{0,40}\b(?:find|read|get|look|see)\b|\b(?:more|further|extra|additional) (?:info|information|guidance|advice|reading|details?|help|resources?)\b"
    r"|\b(?:resources?|toolkits?|signpost\w*)\b",
    re.I,
)

# Per candidate passage; "_gap" is the distance to the best candidate's value for this question
# (BM25 needs none: it is scaled so that the best passage has 1).
PASSAGE_FEATURES = (
    "sentence", "sentence_rewritten", "second_sentence", "silent_sentence", "passage",
    "bm25", "bm25_expanded", "coverage", "phrase_match", "stamp",
    "sentence_gap", "sentence_rewritten_gap", "passage_gap", "coverage_gap",
)
# Per question, for abstention (with the ranker's best score and margin added by rank.py).
QUESTION_FEATURES = (
    "best_sentence", "best_coverage", "uncovered_words", "uncovered_rarity", "uncovered_rarity_sum", "content_terms", "own_uncovered_share",
    "nearest", "corpus_size",
)


@dataclass(frozen=True)
class Query:
    """What retrieval searches with: the question (a follow-up: its own words and its topic)."""

    normalised: Normalised
    focus: Normalised | None  # a follow-up's own words
    vectors: np.ndarray  # unit rows: the normalised question, the rewritten one
    typed_terms: list[str]  # BM25 terms of the question (a follow-up: topic and its own words, these twice)

    @cached_property
    def expanded_terms(self) -> list[str]:
        """The question in procedure words: lay words replaced by what the thesaurus gives for
        them ("worried" → "concerns"), acronyms kept beside their expansion."""
        questions = [self.normalised, *((self.focus,) if self.focus else ())]
        lay = {t for q in questions for phrase in q.lay for t in terms(phrase)}
        extra = [t for q in questions for e in q.expansions for t in terms(e)]
        return [t for t in self.typed_terms if t not in lay] + extra

    @property
    def own(self) -> Normalised:
        """The words the user typed this turn (a follow-up's own, not its topic's)."""
        return self.focus or self.normalised

    @cached_property
    def weighed_terms(self) -> list[str]:
        """Distinct terms whose coverage counts: the question in its own and in procedure words."""
        return list(dict.fromkeys(terms(self.normalised.rewritten)))


@dataclass(frozen=True)
class Evidence:
    rows: np.ndarray  # candidate chunk rows
    passage: np.ndarray  # (candidates, PASSAGE_FEATURES)
    question: np.ndarray  # (QUESTION_FEATURES,)


def _bm25(index: IndexData, query_terms: list[str]) -> np.ndarray:
    known = [t for t in query_terms if t in index.bm25.vocab_dict]
    if not known:
        return np.zeros(len(index.chunks), dtype=np.float32)
    return np.asarray(index.bm25.get_scores(known), dtype=np.float32)


def _scaled(scores: np.ndarray) -> np.ndarray:
    best = float(scores.max()) if scores.size else 0.0
    return scores / best if best > 0 else scores


def _dense_candidates(index: IndexData, vectors: np.ndarray, depth: int, allowed: np.ndarray | None) -> np.ndarray:
    """Chunks holding one of the `depth` sentences nearest either query vector; with `allowed`,
    searched among that area's sentences only, so a small area is not crowded out by others."""
    if allowed is not None:
        sentence_rows = np.flatnonzero(allowed[index.sentence_chunk])
        cosines = (index.vectors[index.sentence_vector[sentence_rows]] @ vectors.T).max(axis=1)
        nearest = sentence_rows[np.argsort(-cosines, kind="stable")[:depth]]
        return np.unique(index.sentence_chunk[nearest])
    if index.dense.ntotal == 0:
        return np.empty(0, np.int64)
    _, rows = index.dense.search(vectors, min(depth, index.dense.ntotal))
    sentence_rows, _ = index.sentences_with_vectors(np.unique(rows[rows >= 0]))
    return np.unique(index.sentence_chunk[sentence_rows])


def _sentence_features(index: IndexData, rows: np.ndarray, vectors: np.ndarray, silent_sentences: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per candidate: best and second-best cosine (normalised query; 0 where there is no
    second) and best cosine (rewritten) over sentences that say something themselves; and the
    best cosine of those that don't (a lead-in "… is supported by:" echoes a question's words
    while its list carries the content; "please see this page" points at a lost link;
    "further information on … can be found in …" points elsewhere)."""
    spans = [index.sentence_rows(int(r)) for r in rows]
    counts = np.array([len(span) for span in spans], dtype=np.int64)
    sentence_rows = np.fromiter((s for span in spans for s in span), dtype=np.int64, count=int(counts.sum()))
    cosines = index.vectors[index.sentence_vector[sentence_rows]] @ vectors.T  # (sentences, 2)
    silent = silent_sentences[sentence_rows]
    # Per candidate at once (a Python loop over candidates cost more than the search itself):
    # its sentences sorted best first, silent ones set aside as -inf.
    candidate = np.repeat(np.arange(len(rows)), counts)
    said = np.where(silent, -np.inf, cosines[:, 0])
    ranked = said[np.lexsort((-said, candidate))]
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    has = counts > 0
    best, second, rewritten, silent_best = (np.full(len(rows), -np.inf, np.float32) for _ in range(4))
    best[has] = ranked[starts[has]]
    two = counts > 1
    second[two] = ranked[starts[two] + 1]
    rewritten[has] = np.maximum.reduceat(np.where(silent, -np.inf, cosines[:, 1]), starts[has]) if has.any() else []
    silent_best[has] = np.maximum.reduceat(np.where(silent, cosines[:, 0], -np.inf), starts[has]) if has.any() else []
    best, second, rewritten, silent_best = (np.where(np.isfinite(c), c, 0.0).astype(np.float32) for c in (best, second, rewritten, silent_best))
    return best, rewritten, second, silent_best


def _coverage(index: IndexData, rows: np.ndarray, weighed: list[str]) -> np.ndarray:
    """Per candidate, the idf-weighted share of the question's terms known to the corpus that
    its text holds (words the corpus never uses are the abstention's business, not ranking's)."""
    vocab, weights = index.bm25.vocab_dict, index.bm25.idf
    known = [t for t in weighed if t in vocab]
    if not known:
        return np.zeros(len(rows), np.float32)
    weight = np.array([weights[vocab[t]] for t in known], np.float32)
    held = np.array([[t in index.chunk_terms[int(r)] for t in known] for r in rows], dtype=np.float32)
    return held.reshape(len(rows), len(known)) @ weight / float(weight.sum())


def _phrase_match(index: IndexData, rows: np.ndarray, query: Query) -> np.ndarray:
    """Per candidate, the share of the question's acronyms and lay phrases whose procedure
    wording it holds word for word ("LSCB" → "Local Safeguarding Children Boards")."""
    phrases = [*query.normalised.phrases, *(query.focus.phrases if query.focus else ())]
    if not phrases:
        return np.zeros(len(rows), np.float32)
    patterns = [re.compile("|".join(r"\b" + re.escape(e) for e in found)) for _, found in phrases]
    texts = [index.chunks[int(r)].text.lower().replace("’", "'") for r in rows]
    return np.array([sum(bool(p.search(t)) for p in patterns) / len(patterns) for t in texts], np.float32)


def uncovered(index: IndexData, question: Normalised) -> list[str]:
    """Content words of the question the corpus never uses, in its own or the thesaurus's words."""
    vocab = index.bm25.vocab_dict
    covered = {
        word
        for phrase, found in question.phrases
        if any(all(t in vocab for t in terms(e)) for e in found)
        for word in phrase.split()
    }
    bases = {w: bare(w) for w in dict.fromkeys(words(question.text))}
    return [w for w, base in bases.items() if w not in STOPWORDS and w not in covered and base.isalpha() and stem(base) not in vocab]


def _asks_about_stamp(text: str, query: Query) -> bool:
    """Whether the question uses a word of a page's print line other than its date ("printed",
    "updates", "website"): its date and time would otherwise draw any question of when."""
    asked = {*query.typed_terms, *query.expanded_terms}
    return any(t in asked for t in term_set(text) if not any(ch.isdigit() for ch in t) and t not in CALENDAR)


def gather(index: IndexData, query: Query, candidates: int, allowed: np.ndarray | None = None) -> Evidence:
    depth = candidates * SENTENCES_PER_CANDIDATE
    own = _bm25(index, query.typed_terms)
    expanded = _bm25(index, query.expanded_terms)
    if allowed is not None:
        own, expanded = np.where(allowed, own, 0.0), np.where(allowed, expanded, 0.0)
    lexical = [np.argsort(-s, kind="stable")[:candidates] for s in (own, expanded)]
    lexical_rows = np.concatenate([top[s[top] > 0] for top, s in zip(lexical, (own, expanded))])
    rows = np.union1d(_dense_candidates(index, query.vectors, depth, allowed), lexical_rows).astype(np.int64)
    rows = rows[[not stamp or _asks_about_stamp(index.chunks[int(r)].text, query) for r, stamp in zip(rows, index.is_stamp[rows])]]
    # A follow-up's normalised text holds its own words too.
    silent_sentences = index.says_nothing if ASKS_WHERE_TO_READ.search(query.normalised.text) else index.silent
    best, rewritten, second, silent = _sentence_features(index, rows, query.vectors, silent_sentences)
    bm25, bm25_expanded = _scaled(own)[rows], _scaled(expanded)[rows]
    coverage = _coverage(index, rows, query.weighed_terms)
    passage = index.passage_vectors[rows] @ query.vectors[0]
    stamp = index.is_stamp[rows].astype(np.float32)  # a page's print line: rarely what is asked
    columns = [best, rewritten, second, silent, passage, bm25, bm25_expanded, coverage, _phrase_match(index, rows, query), stamp]
    gaps = [c - (c.max() if c.size else 0.0) for c in (best, rewritten, passage, coverage)]
    features = np.stack(columns + gaps, axis=1) if rows.size else np.zeros((0, len(PASSAGE_FEATURES)), np.float32)
    missing = uncovered(index, query.normalised)
    own_words = [w for w in words(query.own.text) if w not in STOPWORDS]
    own_missing = uncovered(index, query.own) if query.focus else missing
    rarity = [speller().rarity(w) for w in missing]
    question = np.array([
        float(best.max()) if rows.size else 0.0,
        float(coverage.max()) if rows.size else 0.0,
        float(len(missing)),
        max(rarity, default=0.0),
        sum(rarity),
        float(len(query.weighed_terms)),
        len(own_missing) / max(1, len(own_words)),
        max((float(c.max()) for c in (best, silent) if c.size), default=0.0),
        # log10 of the sentences searched: among more of them the nearest is nearer by chance,
        # so how near counts as an answer depends on it (the five pages: 2.3; with the eight guidance PDFs beside them: 3.8).
        float(np.log10(1 + len(index.sentences))),
    ], np.float32)
    return Evidence(rows, features.astype(np.float32), question)
