"""Step 3 of ingest: find the page's print or update date in its cleaned lines.

The date goes into metadata as ISO 8601, and its line leaves the page's text: a dated line
becomes a passage of its own (ingest/chunk.stamp_chunks), so a re-print changes that one
passage and no other. No date found means None: never a guess.
"""

from __future__ import annotations

import re
from datetime import date

from ingest.clean import Line

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d{2})"

# Lines that state when the page was printed, updated or reviewed.
PRINTED_LINE = re.compile(r"^\W*this page is correct as printed on\b(?P<rest>.*)$", re.IGNORECASE)
UPDATED_LINE = re.compile(
    r"^\W*(?:page )?(?:last )?(?:updated|reviewed|amended|modified)\b:?\s*(?:on|in)?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
# An "Updated …" line is a stamp only when it is little more than the date, so body text
# such as "Reviewed plans must be shared with the family." is never taken for one.
UPDATED_MAX_WORDS = 8

# Date expressions, most specific first; UK day-first order for numeric dates.
DATE_FORMS = [
    re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b", re.IGNORECASE),
    re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", re.IGNORECASE),
    re.compile(r"\b(?P<year>(?:19|20)\d{2})-(?P<month>\d{1,2})-(?P<day>\d{1,2})\b"),
    re.compile(r"\b(?P<day>\d{1,2})[/.-](?P<month>\d{1,2})[/.-](?P<year>(?:19|20)\d{2})\b"),
    re.compile(rf"\b{_MONTH}\s+{_YEAR}\b", re.IGNORECASE),
]


def _month_number(raw: str) -> int:
    return int(raw) if raw.isdigit() else MONTHS[raw.lower().rstrip(".")]


def parse_date(text: str) -> str | None:
    """The first valid date in `text` as YYYY-MM-DD (or YYYY-MM when no day is given)."""
    for form in DATE_FORMS:
        for match in form.finditer(text):
            parts = match.groupdict()
            year, month = int(parts["year"]), _month_number(parts["month"])
            if not 1 <= month <= 12:
                continue
            if parts.get("day") is None:
                return f"{year:04d}-{month:02d}"
            try:
                return date(year, month, int(parts["day"])).isoformat()
            except ValueError:
                continue
    return None


def stamp_date(line: str) -> tuple[bool, str | None]:
    """Whether `line` is a print/update stamp, and the date it states if one parses.

    A "correct as printed" line is a stamp even when its date is broken, so it never
    reaches another passage; an "updated" line only when a date parses.
    """
    printed = PRINTED_LINE.match(line.strip())
    if printed:
        return True, parse_date(printed.group("rest"))
    updated = UPDATED_LINE.match(line.strip())
    if not updated or len(updated.group("rest").split()) > UPDATED_MAX_WORDS:
        return False, None
    stamped = parse_date(updated.group("rest"))
    return stamped is not None, stamped


def extract_print_date(lines: list[Line]) -> tuple[str | None, list[Line], list[Line]]:
    """The page's print date, its lines without the stamp lines, and the dated stamp lines
    (each once: a PDF may repeat its print footer on every page).

    A "correct as printed on" stamp wins over an "updated" one; otherwise the first dated stamp.
    """
    found: list[tuple[bool, str]] = []
    kept: list[Line] = []
    stamps: list[Line] = []
    for line in lines:
        is_stamp, stamped = stamp_date(line.text)
        if not is_stamp:
            kept.append(line)
            continue
        if stamped:
            found.append(("printed" in line.text.lower(), stamped))
            if line.text not in {s.text for s in stamps}:
                stamps.append(line)
    printed = [d for is_print, d in found if is_print]
    return (printed or [d for _, d in found] or [None])[0], kept, stamps


# Statements of a document's own dates, by kind; the date must follow within a few words.
# `rest` is read ahead, not consumed, so "Amended: This chapter was amended in June 2024"
# is tried again at its second keyword.
_DATE_AHEAD = r"(?=(?P<rest>.{0,80}))"
DATED_STATEMENTS = [
    ("printed", re.compile(r"\b(?:correct as )?printed on\b" + _DATE_AHEAD, re.IGNORECASE)),
    ("updated", re.compile(r"\b(?:(?:last\s+)?(?:updated|revised|amended)|revision dates?)\b\s*(?:on|in|:)?\s*" + _DATE_AHEAD, re.IGNORECASE)),
    ("published", re.compile(r"\b(?:(?:first\s+)?published|(?:date of )?publication(?: date)?)\b\s*(?:on|in|:)?\s*" + _DATE_AHEAD, re.IGNORECASE)),
    ("in force", re.compile(r"\b(?:(?:comes?|came) into (?:force|effect)|implementation date)\b\s*(?:on|in|from|:)?\s*" + _DATE_AHEAD, re.IGNORECASE)),
]
DATE_LEAD_WORDS = 3  # "Published: July 2025" yes; "published guidance on 12 May 2024" no

# Whose date it is: the words of the sentence before the keyword must be a label
# ("Published:", "Page last updated"), or name this document ("This guidance was updated in",
# "… final version which comes into force"). "Working Together … was published in December
# 2023" dates another document; "will be updated in September 2026" and "Next revision date"
# date what has not happened.
_ITSELF = r"(?:guidance|document|page|chapter|procedures?|policy|advice|edition|version|publication|framework|protocol|report|guide|leaflet|section|manual|information)"
SENTENCE_BREAK = re.compile(r"[.!?:;]\s+|\n")
LABEL_LEAD = re.compile(rf"^\W*(?:(?:this\s+|the\s+)?{_ITSELF}\s+|date\s+)?\W*$", re.IGNORECASE)
ITSELF_LEAD = re.compile(
    rf"\b(?:this|these|the present)\s+(?:[\w'’-]+\s+){{0,3}}?{_ITSELF}\b|\b{_ITSELF},?\s+(?:which|that)\s*$",
    re.IGNORECASE,
)
NOT_YET = re.compile(r"\b(?:will|shall|would|to|may|might|could|should|next|due|planned|expected)\s+(?:be\s+|have\s+been\s+)?$", re.IGNORECASE)
FRONT_PAGES = 3  # a PDF states its edition on its first pages
FRONT_BLOCKS = 40  # … and a web page or Word file near its top


def _dates_in(text: str) -> list[str]:
    """Every date in `text`, in order, each span read once by the most specific form."""
    spans: list[tuple[int, str]] = []
    taken: list[range] = []
    for form in DATE_FORMS:
        for match in form.finditer(text):
            if any(match.start() in r for r in taken) or not (stated := parse_date(match.group(0))):
                continue
            taken.append(range(match.start(), match.end()))
            spans.append((match.start(), stated))
    return [stated for _, stated in sorted(spans)]


def _about_itself(before: str) -> bool:
    """Whether the sentence's words before a date keyword make the date this document's own."""
    lead = SENTENCE_BREAK.split(before)[-1]
    if NOT_YET.search(lead):
        return False
    return bool(LABEL_LEAD.match(lead) or ITSELF_LEAD.search(lead))


def dated_statements(text: str) -> list[tuple[str, str]]:
    """(kind, ISO date) for each "Published: July 2025", "Last updated 12 May 2024", "This
    guidance comes into force on 1 September 2025", "printed on …" in `text` that dates this
    document; nothing is inferred. Of a list ("Revision dates: January 2015, February 2025")
    the latest counts."""
    found = []
    for kind, pattern in DATED_STATEMENTS:
        for match in pattern.finditer(text):
            rest = match.group("rest")
            dates = _dates_in(rest)
            first = next((m for form in DATE_FORMS for m in [form.search(rest)] if m), None)
            if not dates or first is None or len(rest[: first.start()].split()) > DATE_LEAD_WORDS:
                continue
            if _about_itself(text[: match.start()]):
                found.append((kind, max(dates) if kind == "updated" else dates[0]))
    return found


EDITION_MAX_WORDS = 30
# "April 2024 to March 2025" on a cover is the period a report covers, not its edition.
PERIOD_TO = re.compile(r"\s*(?:to|until|till|[-–—])\s*(?:\d{1,2}\w*\s+)?(?:" + "|".join(MONTHS) + r"|\d)", re.IGNORECASE)


def edition_line(text: str, alone: bool = False) -> str | None:
    """The date a title page opens a line with ("December 2023", "July 2025 (for information)
    version, pending …"): the edition's date. None for any other line. `alone`: only a line that
    is the date and nothing else counts (a cover behind an inserted update note, on page 2)."""
    stripped = text.strip()
    match = DATE_FORMS[0].match(stripped) or DATE_FORMS[-1].match(stripped)
    if match is None or len(stripped.split()) > EDITION_MAX_WORDS or PERIOD_TO.match(stripped[match.end():]):
        return None
    if alone and stripped[match.end():].strip(" .,"):
        return None
    return parse_date(match.group(0))


SAID_CHARS = 200  # of the words a date was read from, kept for `python -m ingest show`


def stated_dates(blocks) -> tuple:
    """Every dated statement in the blocks (ingest/blocks.TextBlock in, DocumentDate out), each
    (kind, date) once: a web page or Word file may state its print date anywhere, a footer too."""
    from ingest.blocks import DocumentDate

    found: dict[tuple[str, str], DocumentDate] = {}
    for block in blocks:
        for kind, stated in dated_statements(block.text):
            found.setdefault((kind, stated), DocumentDate(kind, stated, block.text[:SAID_CHARS]))
    return tuple(found.values())


def document_dates(blocks) -> list:
    """The dates a document states about itself near its start (ingest/blocks.TextBlock in,
    DocumentDate out): dated statements, and a title page's lone date as its publication."""
    from ingest.blocks import DocumentDate

    front = [b for b in blocks[:FRONT_BLOCKS * 4] if (b.page or 1) <= FRONT_PAGES][:FRONT_BLOCKS * 4]
    found: dict[tuple[str, str], DocumentDate] = {}
    for block in front:
        said = block.text[:SAID_CHARS]
        for kind, stated in dated_statements(block.text):
            found.setdefault((kind, stated), DocumentDate(kind, stated, said))
        edition = edition_line(block.text, alone=(block.page or 1) > 1)
        if edition:
            found.setdefault(("published", edition), DocumentDate("published", edition, said))
    return list(found.values())
