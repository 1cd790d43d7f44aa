"""The shared vocabulary: records passed from ingest (Document, Chunk) to answering
(Citation, Answer) and on to the chat and the evaluation runner.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields


@dataclass(frozen=True)
class Document:
    """One corpus file after cleaning: what it is, where it is from, when it was printed."""

    source: str
    title: str
    area: str | None
    source_url: str | None
    print_date: str | None  # ISO 8601: YYYY-MM-DD, or YYYY-MM where the page gives only a month
    text: str  # the original file text; chunk offsets point into it
    content_hash: str  # of the cleaned text without its print-date line


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

    @property
    def section(self) -> str:
        """Section path, then numbered paragraphs and PDF page where known."""
        parts = [" > ".join(self.section_path)]
        if self.paragraphs:
            parts.append(("para " if len(self.paragraphs) == 1 else "paras ") + ", ".join(self.paragraphs))
        if self.page:
            parts.append(f"p. {self.page}")
        return ", ".join(p for p in parts if p)

    @property
    def embed_text(self) -> str:
        """What search sees: area, title and section first ("west midlands" finds that area's
        pages), never the print date (a re-print is not a change)."""
        context = " > ".join(dict.fromkeys(p for p in (self.area, self.title, *self.section_path) if p))
        return f"{context}\n{self.text}"

    def to_json(self) -> dict:
        # Shallow: asdict() deep-copies every tuple, a third of writing a large index.
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_json(cls, data: dict) -> "Chunk":
        data = dict(data)
        data["section_path"] = tuple(data["section_path"])
        data["paragraphs"] = tuple(data["paragraphs"])
        return cls(**data)


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
