"""Step 5b of ingest: chunks → sentences, the unit that is embedded and quoted.

A passage is found by its best sentence and an answer is built from sentences, so each
list item is a sentence of its own that remembers the sentence leading into its list.
"""

from __future__ import annotations

from ingest.segment import split_sentences
from ingest.structure import ITEM_MARK
from records import Chunk, Sentence


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
