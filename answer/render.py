"""Answering step 4: Answer → what the chat shows (markdown with inert document text)
and the plain text a practitioner copies into a case note.

Document text is data: every character that Markdown or HTML could read as markup is
written as an entity, so `<script>`, `![x](http://…)` or `javascript:` show as text.
"""

from __future__ import annotations

import re
from datetime import date

from answer.currency import age_label
from records import Answer, Chunk, Citation

MONTH_NAMES = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
# Characters Markdown or HTML could act on (tags, entities, links, images, emphasis, code,
# tables, maths, autolinked addresses); ordinary punctuation stays as it is so the text
# also reads well to screen readers.
_MARKUP = re.compile(r"[&<>\"'\[\]()!*_`#|~\\{}$:=@^]")
# A line opening that would start a list, quote or heading.
_LINE_START = re.compile(r"^(\d+)([.)])(?=\s)|^([-+])(?=\s)")
_WWW = re.compile(r"(?i)\bwww\.")  # GFM would make "www.example.org" a link


def _entity(match: re.Match) -> str:
    return "".join(f"&#{ord(ch)};" for ch in match.group())


def inert(text: str) -> str:
    """`text` as literal characters: no tag, link, image, list or emphasis can form from it."""
    lines = (_WWW.sub(lambda m: m.group()[:-1] + "&#46;", _MARKUP.sub(_entity, line.strip())) for line in text.split("\n"))
    return "\n".join(_LINE_START.sub(_entity, line) for line in lines)


def print_date_label(iso: str | None, today: date | None = None) -> str:
    """ "printed 22 Nov 2019 · 7 years ago", "printed Feb 2023 · …", or "print date not stated"."""
    if not iso:
        return "print date not stated"
    parts = [int(p) for p in iso.split("-")]
    day = f"{parts[2]} " if len(parts) == 3 else ""
    return f"printed {day}{MONTH_NAMES[parts[1] - 1]} {parts[0]} · {age_label(iso, today or date.today())}"


def place(chunk: Chunk) -> str:
    """Title · section, without repeating a title the section starts with."""
    section = chunk.section
    if section.startswith(chunk.title):
        section = section[len(chunk.title) :].lstrip(" >,")
    return " · ".join(p for p in (chunk.title, section) if p)


def source_line(chunk: Chunk) -> str:
    """Title · section · area · print date."""
    return " · ".join((place(chunk), chunk.area or "area not stated", print_date_label(chunk.print_date)))


def _highlighted(citation: Citation) -> str:
    text = inert(citation.chunk.text)
    for sentence in citation.highlights:
        text = text.replace(inert(sentence), f"<mark>{inert(sentence)}</mark>")
    return text.replace("\n", "<br>")


def citation_html(citation: Citation) -> str:
    also = "".join(
        f"<li>also in: {inert(source_line(other))}</li>" for other in citation.also_in
    )
    also_block = f"<ul>{also}</ul>" if also else ""
    warnings = "".join(f"<br>⚠ {inert(w)}" for w in citation.warnings)
    return (
        f"<details><summary>[{citation.rank}] {inert(source_line(citation.chunk))}{warnings}</summary>"
        f"<blockquote>{_highlighted(citation)}</blockquote>{also_block}</details>"
    )


def to_markdown(answer: Answer) -> str:
    """The chat message: the answer, then each cited passage under a collapsible heading."""
    body = inert(answer.text).replace("\n", "  \n")
    if not answer.citations:
        return body
    sources = "\n".join(citation_html(c) for c in answer.citations)
    return f"{body}\n\n**Sources**\n\n{sources}"


def to_plain_text(answer: Answer) -> str:
    """The answer with its sources and print dates, for a case note or an email."""
    lines = [answer.text]
    if answer.citations:
        lines.append("\nSources:")
        for citation in answer.citations:
            lines.append(f"[{citation.rank}] {source_line(citation.chunk)}")
            lines += [f"    also in: {source_line(other)}" for other in citation.also_in]
            lines += [f"    warning: {warning}" for warning in citation.warnings]
    return "\n".join(lines)
