"""Answering step 4: Answer → what the chat shows (markdown with inert document text)
and the plain text a practitioner copies into a case note.

Document text is data: every character that Markdown or HTML could read as markup is
written as an entity, so `<script>`, `![x](http://…)` or `javascript:` show as text.
A source address is data too: only a plain http(s) address becomes a link.
Warnings are said once per answer, naming the sources they apply to.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from datetime import date
from urllib.parse import urlsplit

from answer.currency import CHECK_LIVE, NO_PRINT_DATE, age_label, print_date_concern
from ingest.load import web_address
from records import Answer, Chunk, Citation

MONTH_NAMES = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
# Characters Markdown or HTML could act on (tags, entities, links, images, emphasis, code,
# tables, maths, autolinked addresses); ordinary punctuation stays as it is so the text
# also reads well to screen readers.
_MARKUP = re.compile(r"[&<>\"'\[\]()!*_`#|~\\{}$:=@^]")
# A line opening that would start a list, quote or heading.
_LINE_START = re.compile(r"^(\d+)([.)])(?=\s)|^([-+])(?=\s)")
_WWW = re.compile(r"(?i)\bwww\.")  # GFM would make "www.example.org" a link
RELATED_HEADING = "Related passages (they do not answer your question)"
RELATED_NOTE = "The nearest passages, in case they help you look further."
ALL_UNDATED = "None of these pages states a print date"
# Third-person verbs that open a warning ("mentions LSCBs…"), made to agree with several sources.
_PLURAL_VERBS = {"is": "are", "was": "were", "has": "have", "does": "do"}


def _entity(match: re.Match) -> str:
    return "".join(f"&#{ord(ch)};" for ch in match.group())


def inert(text: str) -> str:
    """`text` as literal characters: no tag, link, image, list or emphasis can form from it."""
    lines = (_WWW.sub(lambda m: m.group()[:-1] + "&#46;", _MARKUP.sub(_entity, line.strip())) for line in text.split("\n"))
    return "\n".join(_LINE_START.sub(_entity, line) for line in lines)


def date_words(iso: str) -> str:
    """ "22 Nov 2019", or "Feb 2023" where the page gives only a month."""
    parts = [int(p) for p in iso.split("-")]
    day = f"{parts[2]} " if len(parts) == 3 else ""
    return f"{day}{MONTH_NAMES[parts[1] - 1]} {parts[0]}"


def printed_on(iso: str | None, kind: str = "printed") -> str:
    """ "printed 22 Nov 2019", "published Jul 2025", or "print date not stated"."""
    return f"{kind} {date_words(iso)}" if iso else NO_PRINT_DATE


def print_date_label(iso: str | None, today: date | None = None, kind: str = "printed") -> str:
    """ "printed 22 Nov 2019 · 7 years ago", "published Jul 2025 · …", or "print date not stated"."""
    if not iso:
        return NO_PRINT_DATE
    return f"{printed_on(iso, kind)} · {age_label(iso, today or date.today())}"


def dated_label(chunk: Chunk) -> str:
    """The passage's document date with its kind and age ("updated Feb 2025 · 1 year ago")."""
    kind, iso = chunk.dated or ("printed", None)
    return print_date_label(iso, kind=kind)


def section_of(chunk: Chunk) -> str:
    """The section path and paragraphs, without repeating a title the section starts with."""
    section = chunk.section
    return section[len(chunk.title) :].lstrip(" >,") if section.startswith(chunk.title) else section


def place(chunk: Chunk) -> str:
    """Title · section."""
    return " · ".join(p for p in (chunk.title, section_of(chunk)) if p)


def source_line(chunk: Chunk) -> str:
    """Title · section · area · print date."""
    return " · ".join((place(chunk), chunk.area or "area not stated", dated_label(chunk)))


def live_page(url: str | None, page: int | None = None) -> str:
    """A link to the page's live address, its host as the text, opening a PDF at `page`;
    nothing unless it is plain http(s)."""
    address = web_address(url or "")
    if address is None:
        return ""
    if page and "#" not in address:
        address = f"{address}#page={page}"
    host = inert(urlsplit(address).hostname or "")
    return f'<a href="{html.escape(address)}" target="_blank" rel="noopener noreferrer" title="opens in a new tab">{host}</a>'


def _highlighted(citation: Citation) -> str:
    text = inert(citation.chunk.text)
    for sentence in citation.highlights:
        text = text.replace(inert(sentence), f"<mark>{inert(sentence)}</mark>")
    return text.replace("\n", "<br>")


def _details_line(chunk: Chunk, links: Mapping[str, str]) -> str:
    """Section path, print date with its age, and the live page: what the short heading leaves out."""
    link = live_page(links.get(chunk.source), chunk.page)
    parts = [inert(p) for p in (section_of(chunk), dated_label(chunk)) if p]
    return " · ".join(parts + ([f"live page: {link}"] if link else []))


def _summary_meta(chunk: Chunk) -> str:
    """ " · West Midlands · printed 21 Dec 2024": an unstated area is left to the opened source."""
    area = f" · {inert(chunk.area)}" if chunk.area else ""
    kind, iso = chunk.dated or ("printed", None)
    printed = f'<span class="printed-word">{kind} </span>{date_words(iso)}' if iso else "no print date"
    return f"{area} · {printed}"


def citation_html(citation: Citation, links: Mapping[str, str]) -> str:
    """One source as a single short line (title · area · print date) that opens on the passage."""
    chunk = citation.chunk
    also = "".join(f"<li>also in: {inert(source_line(o))} {live_page(links.get(o.source), o.page)}</li>" for o in citation.also_in)
    return (
        f'<details class="source"><summary><span class="source-title">[{citation.rank}] {inert(chunk.title)}</span>'
        f'<span class="source-meta">{_summary_meta(chunk)}</span></summary>'
        f'<p class="source-place">{_details_line(chunk, links)}</p>'
        f"<blockquote>{_highlighted(citation)}</blockquote>{f'<ul>{also}</ul>' if also else ''}</details>"
    )


def _agreeing(warning: str, sources: int) -> str:
    """ "mentions LSCBs…" as said of several sources: "mention LSCBs…"."""
    verb, space, rest = warning.partition(" ")
    if sources == 1 or not verb.endswith("s") or verb.endswith(("ss", "us")):
        return warning
    plural = _PLURAL_VERBS.get(verb) or (verb[:-2] if verb.endswith(("sses", "xes", "ches", "shes")) else verb[:-1])
    return plural + space + rest


def _ranks(ranks: list[int]) -> str:
    return " ".join(f"[{rank}]" for rank in ranks)


def _print_date_warning(concerns: dict[str, list[int]], sources: int) -> str:
    """Every print-date concern of an answer in one line, ending "check the live procedures"."""
    if sources > 1 and concerns.get(NO_PRINT_DATE, []) and len(concerns[NO_PRINT_DATE]) == sources:
        return ALL_UNDATED + CHECK_LIVE
    said = [
        f"{_ranks(ranks)} {'state' if len(ranks) > 1 else 'states'} no print date" if concern == NO_PRINT_DATE else f"{_ranks(ranks)} {concern}"
        for concern, ranks in concerns.items()
    ]
    return "; ".join(said) + CHECK_LIVE


def grouped_warnings(citations: tuple[Citation, ...]) -> list[str]:
    """Each warning once, naming the sources it applies to: "[2] [3] mention LSCBs, …"."""
    wording: dict[str, list[int]] = {}
    dates: dict[str, list[int]] = {}
    for citation in citations:
        for warning in citation.warnings:
            concern = print_date_concern(warning)
            (dates if concern else wording).setdefault(concern or warning, []).append(citation.rank)
    lines = [f"{_ranks(ranks)} {_agreeing(warning, len(ranks))}" for warning, ranks in wording.items()]
    return lines + ([_print_date_warning(dates, len(citations))] if dates else [])


def _sources_html(citations: tuple[Citation, ...], links: Mapping[str, str]) -> str:
    warnings = "<br>".join(f"⚠ {inert(line)}" for line in grouped_warnings(citations))
    shown = "".join(citation_html(c, links) for c in citations)
    return (f'<p class="source-warnings">{warnings}</p>' if warnings else "") + shown


def to_markdown(answer: Answer, links: Mapping[str, str] | None = None) -> str:
    """The chat message: the answer, its warnings said once, then each cited passage under a
    one-line collapsible heading; on an abstention, any related passages set apart."""
    links = links or {}
    body = inert(answer.text).replace("\n", "  \n")
    if answer.citations:
        return f"{body}\n\n**Sources**\n\n{_sources_html(answer.citations, links)}"
    if answer.related:
        return (
            f'{body}\n\n<details class="related"><summary>{RELATED_HEADING}</summary>'
            f"<p>{RELATED_NOTE}</p>{_sources_html(answer.related, links)}</details>"
        )
    return body


def _plain_sources(citations: tuple[Citation, ...], links: Mapping[str, str]) -> list[str]:
    lines = []
    for citation in citations:
        lines.append(f"[{citation.rank}] {source_line(citation.chunk)}")
        address = web_address(links.get(citation.chunk.source, ""))
        if address:
            lines.append(f"    live page: {address}")
        lines += [f"    also in: {source_line(other)}" for other in citation.also_in]
    return lines + [f"⚠ {line}" for line in grouped_warnings(citations)]


def to_plain_text(answer: Answer, links: Mapping[str, str] | None = None) -> str:
    """The answer with its sources, print dates and warnings, for a case note or an email."""
    lines = [answer.text]
    if answer.citations:
        lines += ["\nSources:", *_plain_sources(answer.citations, links or {})]
    elif answer.related:
        lines += [f"\n{RELATED_HEADING}:", *_plain_sources(answer.related, links or {})]
    return "\n".join(lines)
