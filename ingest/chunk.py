"""Step 5 of ingest: blocks → chunks, passages short enough to quote.

A chunk stays inside one section, never splits a numbered paragraph that fits, and never
separates a list from its lead-in: a list too long for one chunk repeats the lead-in.
"""

from __future__ import annotations

from dataclasses import dataclass

from ingest.clean import Line
from ingest.segment import split_sentences
from ingest.structure import Block
from records import Chunk

# Raised whenever a change here (or in cleaning or structure) cuts the same file differently,
# so the next ingest prepares every file again instead of keeping its old chunks.
CHUNKING_VERSION = 9  # 4: structured readers for PDF, HTML and Word; sentences by pysbd; 5: a footnote marker's space kept, a bold sentence running on is no heading, ":-" leads a list in; 6: a PDF's imprint (copyright, licence) is no passage; 7: a numbered paragraph straight after a list item is its own; 8: passages searched under their own heading only; 9: a link's text is known as one


@dataclass(frozen=True)
class Piece:
    text: str
    start: int
    end: int
    section_path: tuple[str, ...]
    paragraph: str | None

    @property
    def words(self) -> int:
        return len(self.text.split())


def _line_text(lines: list[Line]) -> str:
    return "\n".join(line.text.strip() for line in lines)


def _split_paragraph(block: Block, max_words: int) -> list[Piece]:
    pieces, current, start = [], [], block.lines[0].start
    for line in block.lines:
        for sentence in split_sentences(line.text):
            if current and len(" ".join(current + [sentence]).split()) > max_words:
                pieces.append(Piece(" ".join(current), start, line.start, block.section_path, block.paragraph))
                current, start = [], line.start
            current.append(sentence)
    pieces.append(Piece(" ".join(current), start, block.lines[-1].end, block.section_path, block.paragraph))
    return pieces


def _words(text: str) -> int:
    return len(text.split())


def _split_list(block: Block, max_words: int) -> list[Piece]:
    """Lead-in plus items in balanced groups of at most `max_words`, each group led in again."""
    item_lines = sum(len(item) for item in block.items)
    lead_lines = block.lines[: len(block.lines) - item_lines]
    lead_text = _line_text(lead_lines)
    repeat = split_sentences(block.lead.text)[-1] if block.lead is not None else ""
    item_words = [_words(_line_text(item)) for item in block.items]
    pieces: list[Piece] = []
    header, start = lead_text, block.lines[0].start
    whole_list_fits = _words(repeat) + sum(item_words) <= max_words
    if lead_lines and lead_text != repeat and (whole_list_fits or _words(lead_text) + item_words[0] > max_words):
        # A long lead paragraph stands alone and the list keeps only its last sentence: a list
        # cut in two answers a question about it by halves.
        before = lead_text[: lead_text.rfind(repeat)].strip() if lead_text.endswith(repeat) else lead_text
        pieces.append(Piece(before or lead_text, start, lead_lines[-1].end, block.section_path, block.paragraph))
        header, start = repeat, block.items[0][0].start
    groups = -(-sum(item_words) // max(1, max_words - _words(repeat)))
    target = -(-sum(item_words) // max(1, groups))
    group: list[Line] = []
    for item, words in zip(block.items, item_words):
        group_words = _words(_line_text(group))
        if group and (group_words >= target or group_words + words > max_words - _words(header)):
            text = "\n".join(filter(None, [header, _line_text(group)]))
            pieces.append(Piece(text, start, group[-1].end, block.section_path, block.paragraph))
            header, group, start = repeat, [], item[0].start
        group = group + item
    text = "\n".join(filter(None, [header, _line_text(group)]))
    pieces.append(Piece(text, start, block.lines[-1].end, block.section_path, block.paragraph))
    return pieces


def to_pieces(block: Block, max_words: int) -> list[Piece]:
    if block.words > max_words:
        return _split_list(block, max_words) if block.kind == "list" else _split_paragraph(block, max_words)
    text = _line_text(block.lines)
    return [Piece(text, block.lines[0].start, block.lines[-1].end, block.section_path, block.paragraph)]


def _fits(group: list[Piece], piece: Piece, pack_words: int, max_words: int) -> bool:
    last = group[-1]
    if last.section_path != piece.section_path:
        return False
    total = sum(p.words for p in group) + piece.words
    same_paragraph = piece.paragraph is not None and piece.paragraph == last.paragraph
    return total <= (max_words if same_paragraph else pack_words)


def pack(pieces: list[Piece], pack_words: int, max_words: int) -> list[list[Piece]]:
    groups: list[list[Piece]] = []
    for piece in pieces:
        if groups and _fits(groups[-1], piece, pack_words, max_words):
            groups[-1].append(piece)
        else:
            groups.append([piece])
    return groups


def chunk_blocks(
    blocks: list[Block],
    *,
    source: str,
    title: str,
    area: str | None,
    print_date: str | None,
    pack_words: int,
    max_words: int,
) -> list[Chunk]:
    pieces = [piece for block in blocks for piece in to_pieces(block, max_words)]
    chunks = []
    for number, group in enumerate(pack(pieces, pack_words, max_words)):
        paragraphs = tuple(dict.fromkeys(p.paragraph for p in group if p.paragraph))
        chunks.append(
            Chunk(
                id=f"{source}#{number}",
                source=source,
                title=title,
                area=area,
                section_path=group[0].section_path,
                paragraphs=paragraphs,
                print_date=print_date,
                start=group[0].start,
                end=group[-1].end,
                text="\n\n".join(p.text for p in group),
            )
        )
    return chunks


def stamp_chunks(stamps: list[Line], *, source: str, title: str, area: str | None, print_date: str | None, first: int) -> list[Chunk]:
    """A page's own print or update lines ("This page is correct as printed on …"), each a
    passage of its own, so that "when was it printed?" or "where do I check for updates?" finds
    it; kept out of every other passage, so a re-print changes this one alone."""
    return [
        Chunk(id=f"{source}#{first + i}", source=source, title=title, area=area, section_path=(), paragraphs=(),
              print_date=print_date, start=line.start, end=line.end, text=line.text, stamp=True)
        for i, line in enumerate(stamps)
    ]
