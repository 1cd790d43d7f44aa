"""Step 5b of ingest: chunks → sentences, the unit that is embedded and quoted.

A passage is found by its best sentence and an answer is built from sentences, so each
list item is a sentence of its own that remembers the sentence leading into its list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.chunk import split_sentences
from ingest.structure import ITEM_MARK
from records import Chunk


SELF_STANDING_WORDS = 12
# "please see this page", "click here": a pointer to a link that plain text has lost.
LOST_LINK = re.compile(r"\b(?:see|visit|follow|go to)\s+(?:this|that|the following)\s+(?:page|link|website|site)\b|\bclick here\b", re.I)


@dataclass(frozen=True)
class Sentence:
    chunk: int  # row of its chunk in the index
    position: int  # order within the chunk
    text: str  # verbatim sentence or list item, without its bullet
    lead: str | None  # the sentence leading into a list item

    @property
    def leads_a_list(self) -> bool:
        """"… should:": says nothing itself; its list carries the content."""
        return self.text.rstrip().endswith(":")

    @property
    def says_nothing(self) -> bool:
        """A lead-in or a pointer to a lost link: its words may echo a question, yet it answers nothing."""
        return self.leads_a_list or bool(LOST_LINK.search(self.text))

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


def sentences_of(row: int, passage: str) -> list[Sentence]:
    found: list[Sentence] = []
    for paragraph in passage.split("\n\n"):
        lead = None
        for line in paragraph.split("\n"):
            if ITEM_MARK.match(line):
                found.append(Sentence(row, len(found), ITEM_MARK.sub("", line).strip(), lead))
                continue
            parts = split_sentences(line)
            found += [Sentence(row, len(found) + i, part, None) for i, part in enumerate(parts)]
            lead = parts[-1] if parts else lead
    return found


def split_chunks(chunks: list[Chunk]) -> list[Sentence]:
    return [sentence for row, chunk in enumerate(chunks) for sentence in sentences_of(row, chunk.text)]
