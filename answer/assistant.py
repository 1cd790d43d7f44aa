"""The answering side in one call: (question, history) → Answer with citations.

Used by the chat and the evaluation runner alike. It serves the index build named in
index/CURRENT and picks up a newly published build on the next question. With a database
store, index/ is this replica's copy of the database's live build (searchindex/replica.py),
and the thesaurus, currency rules and ranker are the ones published with that build.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import deque
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import NamedTuple

import faiss
import numpy as np

from answer import cite, compose, currency, llm
from answer.converse import Resolved, about_item, item_referred, lean_on, resolve
from answer.evidence import PASSAGE_FEATURES, Evidence, Query, gather
from answer.generate import Writer
from answer.normalise import normalise
from answer.rank import Ranker, RankerError, load_ranker, off_topic, parse_ranker
from answer.thesaurus import Thesaurus, ThesaurusError, load_thesaurus, parse_thesaurus
from config import Settings
from ingest.chunk import CHUNKING_VERSION
from records import Answer, Chunk
from searchindex import store
from searchindex.embed import Embedder, open_embedder
from searchindex.terms import TERMS_VERSION, terms

CURRENCY_RULES = "currency.toml"
THESAURUS = "thesaurus.toml"
RELATED_PASSAGES = 3
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")  # typed or pasted control characters mean nothing here
log = logging.getLogger(__name__)


def _stamp(path: Path) -> tuple[int, int]:
    """When and how big: a saved edit changes one or the other."""
    try:
        status = path.stat()
    except OSError:
        return (0, 0)
    return (status.st_mtime_ns, status.st_size)


def _ready(index: store.IndexData) -> store.IndexData:
    """An index whose BM25 words were cut by today's rules, with its lookup tables built once
    here rather than by the first questions racing each other."""
    chunking = index.manifest.get("chunking", {})
    if chunking.get("terms") != TERMS_VERSION or chunking.get("version") != CHUNKING_VERSION:
        raise store.IndexUnavailable(f"{index.folder}: built with older word or chunking rules: re-run `python -m ingest`")
    for table in ("corpus_words", "chunk_terms", "silent", "sentence_chunk", "is_stamp", "_vector_sentences", "_sentence_starts"):
        getattr(index, table)
    return index


class Reading(NamedTuple):
    """A question as read: the index it was read in, how it was resolved, what retrieval
    searched with and found, and why it is off-topic if it is."""

    index: store.IndexData
    resolved: Resolved
    query: Query
    evidence: Evidence
    unrelated: str | None


class Assistant:
    def __init__(self, settings: Settings, embedder: Embedder | None = None, ranker: Ranker | None = None) -> None:
        self.settings = settings
        # One thread per search: a question's search is a few milliseconds, OpenMP's thread
        # start-up and spinning cost more, and concurrent questions keep the cores busy anyway.
        faiss.omp_set_num_threads(1)
        self.embedder = embedder or open_embedder(settings)
        self._index: store.IndexData | None = None
        self._loading = threading.Lock()  # held by the question reading a new build
        self._rejected: Path | None = None  # a published build that could not be read
        self.replica = None  # with a database store: the copy of its live build kept in index_dir
        self.currency_rules = currency.load_rules(settings.corpus_dir / CURRENCY_RULES)
        self.ranker = ranker or load_ranker(settings.ranker_path)
        self._ranker_given = ranker is not None
        self._warn_if_fitted_otherwise()
        if settings.rank_by and settings.rank_by not in PASSAGE_FEATURES:
            raise ValueError(f"ASSISTANT_RANK_BY: {settings.rank_by!r} is not one of {', '.join(PASSAGE_FEATURES)}")
        thesaurus_path = settings.corpus_dir / THESAURUS
        self._thesaurus: tuple[tuple[int, int], Thesaurus] = (_stamp(thesaurus_path), load_thesaurus(thesaurus_path))
        model = llm.connect(settings)
        self.writer = Writer(model, settings) if model is not None else None

    @classmethod
    def open(cls, settings: Settings, embedder: Embedder | None = None, ranker: Ranker | None = None) -> "Assistant":
        """An assistant over settings.index_dir, building the index from the corpus when
        there is none or the one there cannot be used (damaged, or made by another model)."""
        assistant = cls(settings, embedder, ranker)
        if settings.database:
            from searchindex.replica import Replica

            assistant.replica = Replica(settings.database, settings.index_dir)
            assistant.replica.sync()  # the database down at start: StoreUnavailable, in one line
            assistant.replica.start()
        try:
            assistant.index()
        except store.IndexUnavailable as problem:
            from ingest.build import build_index

            log.warning("%s; building a new index from %s", problem, settings.corpus_dir)
            build_index([settings.corpus_dir], settings.index_dir, settings, assistant.embedder, reuse=False)
            if assistant.replica:
                assistant.replica.sync()
            assistant.index()
        return assistant

    def index(self) -> store.IndexData:
        """The live index, re-read when a new build has been published; a new build that
        cannot be read is reported once and the one already loaded goes on serving. One
        question at a time reads a new build; meanwhile the others use the loaded one."""
        live: Path | None = store.current_build(self.settings.index_dir)
        loaded = self._index
        if loaded is not None and live in (loaded.folder, self._rejected):
            return loaded
        if not self._loading.acquire(blocking=loaded is None):
            return loaded
        try:
            if self._index is not loaded:  # another question read it while this one waited
                return self._index
            index = _ready(store.read_index(self.settings.index_dir, self.embedder.identity, loaded))
            if self.settings.database:
                self._serve_with(index)
            self._index = index
        except store.IndexUnavailable as problem:
            if loaded is None:
                raise
            self._rejected = live
            log.warning("%s; still serving %s", problem, loaded.folder)
        finally:
            self._loading.release()
        return self._index

    def ask(self, question: str, history: list[str] | tuple[str, ...] = (), area: str | None = None) -> Answer:
        """Answer `question`; with `area`, only that area's procedures and those of no stated area."""
        return deque(self.answers(question, history, area), maxlen=1)[0]

    def answers(self, question: str, history: list[str] | tuple[str, ...] = (), area: str | None = None) -> Iterator[Answer]:
        """The answer as it is written: drafts while a language model streams, then the final one."""
        question = CONTROL.sub(" ", question).strip()
        refused = self._refuse(question)
        if refused:
            yield refused
            return
        earlier = [h for h in history if h.strip()]
        condensed = self.writer.condense(question, earlier) if self.writer and earlier else None
        if condensed:  # the model has already made it standalone
            quoted = self._quote(question, Resolved(condensed, ""), area)
        else:
            quoted = self._quote(question, self._resolve(question, earlier, area), area, earlier)
        if self.writer is None or quoted.abstained:
            yield quoted
            return
        yield from self.writer.write(quoted)

    def _refuse(self, question: str) -> Answer | None:
        if not question:
            return Answer(question, question, compose.with_notice("Please type a question."), True, notes=("empty question",))
        limit = self.settings.max_question_chars
        if len(question) > limit:
            text = f"Your question is {len(question):,} characters long; the limit is {limit:,}. Please shorten it."
            return Answer(question[:limit], "", compose.with_notice(text), True, notes=("question too long",))
        return None

    def _resolve(self, question: str, earlier: list[str], area: str | None) -> Resolved:
        """The standalone question; "the second one" becomes the second item of the list the
        turn before was answered with (its answer is found again: it is not kept anywhere)."""
        resolved = resolve(question, earlier)
        number = item_referred(question) if resolved.focus else None
        if number is None:
            return resolved
        before = self._quote(earlier[-1], resolve(earlier[-1], earlier[:-1]), area, earlier[:-1])
        items = [] if before.abstained else compose.shown_items(before.text)
        return about_item(resolved, items[number]) if -len(items) <= number < len(items) else resolved

    def _warn_if_fitted_otherwise(self) -> None:
        """The ranker's weights hold for the model and off-topic floor they were fitted with."""
        fitted = self.ranker.fitted_with
        now = {"model_sha256": self.embedder.identity.sha256, "off_topic_below": self.settings.off_topic_below}
        for name, value in now.items():
            if name in fitted and fitted[name] != value:
                log.warning("%s was fitted with %s %s, not %s: re-run `python -m eval.fit`", self.settings.ranker_path, name, fitted[name], value)

    def _serve_with(self, index: store.IndexData) -> None:
        """A replica's thesaurus, currency rules and ranker: those published with the build
        (ingest/build.py's served_with), so every replica answers alike. One that cannot be used
        is reported and the one before goes on serving, as after a bad edit on one machine; a
        ranker handed to the assistant (eval.fit's) is kept."""
        served = index.manifest.get("served_with") or {}
        readers = (("thesaurus", THESAURUS, parse_thesaurus, Thesaurus()), ("currency_rules", CURRENCY_RULES, currency.parse_rules, []),
                   ("ranker", "ranker.json", parse_ranker, None))
        parsed = {}
        for key, name, parse, empty in readers:
            text = served.get(key)
            try:
                parsed[key] = parse(text, f"{index.folder} (published {name})") if text else empty
            except (ThesaurusError, currency.CurrencyRulesError, RankerError) as problem:
                log.warning("%s; still using the one read before", problem)
        if "thesaurus" in parsed:
            self._thesaurus = ((0, 0), parsed["thesaurus"])
        self.currency_rules = parsed.get("currency_rules", self.currency_rules)
        if parsed.get("ranker") and not self._ranker_given:
            self.ranker = parsed["ranker"]

    def thesaurus(self) -> Thesaurus:
        """corpus/thesaurus.toml, read again when an admin has edited it; an edit that cannot be
        used is reported once and the thesaurus read before goes on serving. A replica's comes
        with the build it serves."""
        if self.settings.database:
            return self._thesaurus[1]
        path = self.settings.corpus_dir / THESAURUS
        stamp = _stamp(path)
        if self._thesaurus[0] != stamp:
            try:
                self._thesaurus = (stamp, load_thesaurus(path))
            except ThesaurusError as problem:
                log.warning("%s; still using the thesaurus read before", problem)
                self._thesaurus = (stamp, self._thesaurus[1])
        return self._thesaurus[1]

    def query(self, resolved: Resolved, index: store.IndexData) -> Query:
        """The question normalised; a follow-up searches halfway between its own words and its topic."""
        thesaurus, known = self.thesaurus(), index.corpus_words
        whole = normalise(resolved.query, known, thesaurus)
        if not resolved.focus:
            return Query(whole, None, self.embedder.encode([whole.text, whole.rewritten]), terms(whole.text))
        focus, topic = normalise(resolved.focus, known, thesaurus), normalise(resolved.topic, known, thesaurus)
        own, topical = np.split(self.embedder.encode([focus.text, focus.rewritten, topic.text, topic.rewritten]), 2)
        mixed = own + topical
        vectors = mixed / np.linalg.norm(mixed, axis=1, keepdims=True)
        return Query(whole, focus, vectors, terms(whole.text) + terms(focus.text))

    def read(self, question: str, history: list[str] | tuple[str, ...] = (), area: str | None = None) -> Reading:
        """What ranking and abstention see for a question (eval.fit fits them on it)."""
        earlier = [h for h in history if h.strip()]
        return self._read(self._resolve(question, earlier, area), area, earlier)

    def _read(self, resolved: Resolved, area: str | None, earlier: list[str]) -> Reading:
        """The live index and the evidence found in it (one index throughout: a re-ingest may
        publish a new build at any moment, and evidence rows only mean something in their own).
        A question asked after earlier turns is also read as leaning on them, and kept so
        where it is on topic only so read ("is the KCSIE version any different?") or answered
        clearly more surely (see _surer); otherwise it stands alone ("what's the weather like
        tomorrow?" stays off-topic)."""
        index = self.index()
        allowed = index.in_area(area) if area else None
        reading = self._look(index, resolved, allowed)
        if earlier and not resolved.focus:
            leaning = self._look(index, lean_on(resolved.query, earlier), allowed)
            if not leaning.unrelated and (reading.unrelated or self._surer(leaning, reading)):
                return leaning
        return reading

    def _surer(self, leaning: Reading, alone: Reading) -> bool:
        """Whether a question read as leaning on the turn before is answered, and clearly more
        surely than read alone: "i haven't heard anything back - what should i do?" names no
        topic, so alone it is answered weakly from anywhere. A question with a topic of its own
        is answered at least as surely alone, and one the procedures do not cover is not
        answered by borrowing the earlier topic."""
        leaning_not_answered = self.ranker.not_answered(leaning.evidence)
        if leaning_not_answered >= self.ranker.abstain_above:
            return False
        return self.ranker.not_answered(alone.evidence) - leaning_not_answered > self.settings.lean_margin

    def _look(self, index: store.IndexData, resolved: Resolved, allowed: np.ndarray | None) -> Reading:
        query = self.query(resolved, index)
        evidence = gather(index, query, self.settings.candidates, allowed)
        return Reading(index, resolved, query, evidence, off_topic(query, evidence, index.bm25.vocab_dict, self.settings.off_topic_below))

    def _quote(self, question: str, resolved: Resolved, area: str | None, earlier: list[str] | None = None) -> Answer:
        """The extractive answer: sentences quoted from the best passages, or an abstention."""
        index, resolved, query, evidence, unrelated = self._read(resolved, area, earlier or [])
        hits = self.ranker.rank(evidence, self.settings.candidates, by=self.settings.rank_by)
        groups = cite.group(hits, index.chunks, self.settings.top_k)
        if unrelated:
            return self._abstain(question, resolved.query, unrelated)
        not_answered = self.ranker.not_answered(evidence)
        if not groups or not_answered >= self.ranker.abstain_above:
            reason = f"no passage answers it closely enough (chance it is not covered: {not_answered:.2f})"
            return self._abstain(question, resolved.query, reason, related=self._related(groups, index))
        asked = query.normalised.text
        chosen = self._choose(index, groups, query.vectors, asked, query.focus.text if query.focus else "")
        missing = compose.missing_fact(asked, chosen)
        if missing:
            related = self._related(groups, index)
            return self._abstain(question, resolved.query, "the passages hold no such fact", shown=missing, related=related)
        highlights: dict[int, list[str]] = {}
        for unit in chosen:
            highlights.setdefault(unit.rank, []).append(unit.sentence.text)
        citations = cite.citations(groups, index.chunks, highlights, self.warnings)
        caution = compose.CAUTION if not_answered >= self.settings.caution_above else ""
        return Answer(question, resolved.query, compose.with_notice(compose.render(chosen), caution), False, citations, caution=caution)

    def _related(self, groups: list, index: store.IndexData) -> tuple:
        """The nearest passages, offered for reading only, apart from any answer."""
        return cite.citations(groups[:RELATED_PASSAGES], index.chunks, {}, self.warnings)

    def warnings(self, chunk: Chunk) -> tuple[str, ...]:
        return currency.warnings_for(chunk, self.currency_rules, self.settings.print_age_warning_months, date.today())

    def _choose(self, index: store.IndexData, groups: list, query_vectors: np.ndarray, question: str, focus: str) -> list[compose.Unit]:
        """The sentences of the top passages that best answer the question."""
        top = groups[: self.settings.answer_passages]
        ranks = {hit.position: rank for rank, (hit, _) in enumerate(top, 1)}
        gaps = {hit.position: top[0][0].score - hit.score for hit, _ in top}
        rows = [row for chunk in ranks for row in index.sentence_rows(chunk)]
        # A sentence answers the question as typed or as put in procedure words ("tell" → "refer").
        cosines = (index.vectors[index.sentence_vector[rows]] @ query_vectors.T).max(axis=1) if rows else []
        units: list[compose.Unit] = []
        lists: dict[tuple[int, str], list] = {}  # each passage's list items by lead-in, short ones too
        for row, cosine in zip(rows, cosines):
            sentence = index.sentences[row]
            rank = ranks[sentence.chunk]
            if compose.answers_something(sentence):
                units.append(compose.Unit(rank, sentence, float(cosine), gaps[sentence.chunk]))
            if sentence.lead:
                lists.setdefault((rank, sentence.lead), []).append(sentence)
        scores = compose.score(units, question, focus)
        return compose.select(units, scores, self.settings.answer_sentences, self.settings.sentence_margin, lists)

    def _abstain(self, question: str, standalone: str, reason: str, shown: str = "", related: tuple = ()) -> Answer:
        text = f"{shown} {compose.WHERE_TO_ASK}" if shown else compose.NOT_COVERED
        return Answer(question, standalone, compose.with_notice(text), True, notes=(reason,), related=related)
