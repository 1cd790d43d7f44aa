"""The shared vocabulary: records passed from ingest (Document, Chunk) to answering
(Citation, Answer) and on to the chat and the evaluation runner.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields


@dataclass(frozen=True)
class Document:
    """One corpus file after cleaning: what it is, where it is from, when it was printed."""

    source: str
    title: str
    area: str | None
    source_url: str | None
    print_date: str | None  # ISO 8601: YYYY-MM-DD, or YYYY-MM where the page gives only a month
    text: str  # the text chunk offsets point into: the file's own, or its reader's layout
    content_hash: str  # of the cleaned text without its print-date line
    dates: tuple[tuple[str, str], ...] = ()  # (kind, ISO date) as stated: see Chunk.dates


@dataclass(frozen=True)
class Chunk:
    """A passage a practitioner can read as a quote, with where it came from."""

    id: str
    source: str
    title: str
    area: str | None
    section_path: tuple[str, ...]
    paragraphs: tuple[str, ...]  # numbered paragraphs it holds ("14", "15")
    print_date: str | None
    start: int  # character offsets in the original file
    end: int
    text: str
    page: int | None = None  # first PDF page the passage is on
    stamp: bool = False  # the page's own print or update line, a passage of its own
    # Every date the document states about itself, (kind, ISO date), kinds in the order of
    # ingest/blocks.DATE_KINDS (printed, updated, published, in force): never guessed.
    dates: tuple[tuple[str, str], ...] = ()
    # Texts in it that are a link's and little else: titles of other resources ("What to do if
    # you're worried a child is being abused – DfE advice"), signposts to them.
    links: tuple[str, ...] = ()

    @property
    def dated(self) -> tuple[str, str] | None:
        """The date to show beside the passage: printed, else updated, published, in force."""
        return self.dates[0] if self.dates else (("printed", self.print_date) if self.print_date else None)

    @property
    def section(self) -> str:
        """Section path, then numbered paragraphs and PDF page where known."""
        parts = [" > ".join(self.section_path)]
        if self.paragraphs:
            parts.append(("para " if len(self.paragraphs) == 1 else "paras ") + ", ".join(self.paragraphs))
        if self.page:
            parts.append(f"p. {self.page}")
        return " · ".join(p for p in parts if p)

    @property
    def embed_text(self) -> str:
        """What search sees: area, title and the passage's own heading first ("west midlands"
        finds that area's pages); the print date only in the page's own stamp passage (a re-print
        changes no other). The headings above its own are left out: shared by every passage of a
        part ("Part one: Safeguarding information for all staff > What school and college staff
        need to know > …"), their words drew questions on anything to a deeply nested document."""
        context = " > ".join(dict.fromkeys(p for p in (self.area, self.title, *self.section_path[-1:]) if p))
        return f"{context}\n{self.text}"

    def to_json(self) -> dict:
        # Shallow: asdict() deep-copies every tuple, a third of writing a large index.
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_json(cls, data: dict) -> "Chunk":
        data = dict(data)
        data["section_path"] = tuple(data["section_path"])
        data["paragraphs"] = tuple(data["paragraphs"])
        data["dates"] = tuple(tuple(pair) for pair in data.get("dates", ()))
        data["links"] = tuple(data.get("links", ()))
        return cls(**data)


SELF_STANDING_WORDS = 12
LEAD_IN_END = re.compile(r":[-–]?\s*$")  # "… should:", and the older "… might involve:-"


def leads_in(text: str) -> bool:
    """Whether text ends as a list's lead-in does."""
    return bool(LEAD_IN_END.search(text))


# "please see this page", "click here", "can be found here": a pointer to a link that plain text has lost.
LOST_LINK = re.compile(r"\b(?:see|visit|follow|go to)\s+(?:this|that|the following)\s+(?:page|link|website|site)\b|\bclick here\b|\b(?:found|available|accessed)\s+here\b", re.I)


# "Further information on X can be found in Y", "Y provides more information on X": it names
# where to read about X, so it echoes a question on X without answering it.
SIGNPOST = re.compile(
    r"^(?:\S+\s+){0,3}(?:further|more|additional|detailed|comprehensive)\s+(?:\w+\s+){0,2}(?:information|guidance|advice|details)\b[^;]*?"
    r"\b(?:can be found|(?:is|are) available|(?:is|are) set out)\b"
    r"|\b(?:contains?|provides?|gives?) (?:further|more|additional) (?:information|guidance|advice|detail)\b",
    re.I,
)


@dataclass(frozen=True)
class Sentence:
    chunk: int  # row of its chunk in the index
    position: int  # order within the chunk
    text: str  # verbatim sentence or list item, without its bullet
    lead: str | None  # the sentence leading into a list item

    @property
    def leads_a_list(self) -> bool:
        """"… should:": says nothing itself; its list carries the content."""
        return leads_in(self.text)

    @property
    def says_nothing(self) -> bool:
        """A lead-in or a pointer to a lost link: its words may echo a question, yet it answers nothing."""
        return self.leads_a_list or bool(LOST_LINK.search(self.text))

    @property
    def signposts(self) -> bool:
        """Names where to read more: worth quoting when asked where, no sign its passage answers."""
        return bool(SIGNPOST.search(self.text))

    @property
    def embed_text(self) -> str:
        """A short item ("protecting children from maltreatment") means little without its lead-in;
        a long one says enough alone, and the lead-in would only blur it."""
        short = len(self.text.split()) < SELF_STANDING_WORDS
        return f"{self.lead} {self.text}" if self.lead and short else self.text

    def to_json(self) -> list:
        return [self.chunk, self.position, self.text, self.lead]

    @classmethod
    def from_json(cls, data: list) -> "Sentence":
        return cls(*data)


@dataclass(frozen=True)
class Citation:
    """One passage shown under an answer; `also_in` lists other documents carrying the same text."""

    rank: int
    chunk: Chunk
    score: float
    also_in: tuple[Chunk, ...] = ()
    highlights: tuple[str, ...] = ()  # answering sentences, verbatim from chunk.text
    warnings: tuple[str, ...] = ()  # superseded guidance, an old or missing print date


@dataclass(frozen=True)
class Answer:
    question: str
    standalone_question: str  # the question after resolving a follow-up against history
    text: str  # with [n] markers, no markup
    abstained: bool
    citations: tuple[Citation, ...] = ()
    notes: tuple[str, ...] = field(default=())  # e.g. why the assistant abstained
    # On an abstention about safeguarding: the nearest passages, shown apart and labelled as
    # not answering the question (empty for an off-topic question or an answer).
    related: tuple[Citation, ...] = ()
    draft: bool = False  # a language model is still writing it; not yet checked
    caution: str = ""  # said first when the passages may not answer the question (answer/compose.py's CAUTION)
