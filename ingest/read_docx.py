"""Step 1b of ingest for Word files: a .docx's bytes → a structured document (ingest/blocks.py).

python-docx gives the body in order: paragraphs by style (headings, list items, the title)
and tables row by row, each row's cells joined, a merged cell once.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib

import lxml.etree
from docx import Document
from docx.exceptions import PythonDocxError
from docx.opc.exceptions import OpcError
from docx.oxml.ns import nsmap, qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from ingest.blocks import PARAGRAPH_NUMBER, StructuredDocument, TextBlock
from ingest.dates import stated_dates
from ingest.formats import FormatError

HEADING_STYLE = re.compile(r"^heading\s*([1-9])$", re.IGNORECASE)
STYLE_DEPTH = 10  # a style chain is short; a loop in a damaged file must not hang the reader
# Compiled with their namespace: python-docx's own xpath() takes none, and a <w:sdt> is plain lxml.
GALLERY = lxml.etree.XPath("./w:sdtPr/w:docPartObj/w:docPartGallery/@w:val", namespaces={"w": nsmap["w"]})
NUM_ID = lxml.etree.XPath("./w:pPr/w:numPr/w:numId/@w:val", namespaces={"w": nsmap["w"]})
NUM_LEVEL = lxml.etree.XPath("./w:pPr/w:numPr/w:ilvl/@w:val", namespaces={"w": nsmap["w"]})
ABSTRACT_ID = lxml.etree.XPath("./w:abstractNumId/@w:val", namespaces={"w": nsmap["w"]})
LEVEL_VALUE = {tag: lxml.etree.XPath(f"./w:{tag}/@w:val", namespaces={"w": nsmap["w"]}) for tag in ("numFmt", "lvlText", "start")}
OUTLINE_LEVEL = lxml.etree.XPath("./w:pPr/w:outlineLvl/@w:val", namespaces={"w": nsmap["w"]})
# A damaged package fails in any of these layers, on opening or only when a part is first read.
UNREADABLE = (OpcError, PythonDocxError, zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError,
              lxml.etree.LxmlError, KeyError, ValueError)


def read_docx(data: bytes) -> StructuredDocument:
    """The document's headings, paragraphs, list items and table rows in order, its title and
    the dates its text states, in the body or in a page header or footer ("Last updated: …";
    core-property dates are when the file was saved, not said)."""
    try:
        document = Document(io.BytesIO(data))
        title_style, blocks = _body(document)
        stated_title = (document.core_properties.title or "").strip()
        margins = _headers_and_footers(document)
    except UNREADABLE as error:
        raise FormatError(f"not a readable Word document ({_reason(error)})") from None
    if not blocks:
        raise FormatError("no text in the Word document")
    return StructuredDocument(tuple(blocks), stated_title or title_style, stated_dates(blocks + margins))


def _headers_and_footers(document) -> list[TextBlock]:
    """The text of every section's headers and footers, each line once: read for its dates
    only, since it repeats on every printed page and is no procedure."""
    seen: dict[str, TextBlock] = {}
    for section in document.sections:
        for part in (section.header, section.first_page_header, section.footer, section.first_page_footer):
            if part.is_linked_to_previous:
                continue
            for paragraph in part.paragraphs:
                text = " ".join(paragraph.text.split())
                if text:
                    seen.setdefault(text, TextBlock("paragraph", text))
    return list(seen.values())


def _reason(error: Exception) -> str:
    if isinstance(error, OpcError):  # "Package not found at '<_io.BytesIO …>'" names no file worth showing
        return "not a Word package"
    return " ".join(str(error).split()) or type(error).__name__


def _body(document) -> tuple[str | None, list[TextBlock]]:
    """The Title-styled paragraph leading the body (the title, not a block), and the blocks."""
    title, blocks, numbering = None, [], _Numbering(document)
    for element in _in_order(document.element.body):
        if element.tag == qn("w:tbl"):
            blocks += _rows(Table(element, document))
            continue
        paragraph = Paragraph(element, document)
        text = " ".join(paragraph.text.split())
        if not text:
            continue
        style = _style_name(paragraph)
        if style == "title" and not blocks and title is None:
            title = text
        else:
            blocks.append(_block(paragraph, style, text, numbering))
    return title, blocks


def _in_order(container):
    """Body paragraphs and tables as they stand, including those inside content controls
    (<w:sdt>), except a generated table of contents, which only repeats the headings."""
    for child in container.iterchildren():
        if child.tag in (qn("w:p"), qn("w:tbl")):
            yield child
        elif child.tag == qn("w:sdt") and not _is_contents(child):
            for content in child.iterchildren(qn("w:sdtContent")):
                yield from _in_order(content)


def _is_contents(sdt) -> bool:
    return any("contents" in gallery.lower() for gallery in GALLERY(sdt))


def _style_name(paragraph: Paragraph) -> str:
    style = paragraph.style
    return (style.name or "").strip().lower() if style is not None else ""


def _block(paragraph: Paragraph, style: str, text: str, numbering: "_Numbering") -> TextBlock:
    level = _heading_level(paragraph)
    if level:
        return TextBlock("heading", text, level=level)
    if style == "title":  # a Title below the first text: the outermost heading there
        return TextBlock("heading", text, level=1)
    listed = _numbering(paragraph)
    if style.startswith("list") or listed:
        label = numbering.label(*listed) if listed else None  # "1.", "(a)": drawn by Word, not in the text
        return TextBlock("item", f"{label} {text}" if label else text)
    number = PARAGRAPH_NUMBER.match(text)  # a number typed before the text: "102. All staff …"
    if number:
        return TextBlock("paragraph", text[number.end():], number=number.group(1))
    return TextBlock("paragraph", text)


def _heading_level(paragraph: Paragraph) -> int | None:
    """A heading's level: its outline level, set on the paragraph or its style, or a Heading N
    style it is or is based on ("Procedure heading", based on Heading 1, is a level-1 heading)."""
    explicit = OUTLINE_LEVEL(paragraph._p)
    style, depth = paragraph.style, 0
    while not explicit and style is not None and depth < STYLE_DEPTH:
        named = HEADING_STYLE.match((style.name or "").strip())
        if named:
            return int(named.group(1))
        explicit = OUTLINE_LEVEL(style.element)
        style, depth = style.base_style, depth + 1
    # Word's outline levels run 0–8 for headings; 9 is body text.
    return int(explicit[0]) + 1 if explicit and explicit[0].isdigit() and int(explicit[0]) < 9 else None


def _numbering(paragraph: Paragraph) -> tuple[str, int] | None:
    """(numId, level) of Word's bullets or numbers on the paragraph or its style (w:numPr):
    the marker is drawn by Word and is not in the text. numId 0 is Word's way of switching
    numbering off."""
    for owner in (paragraph._p, paragraph.style.element if paragraph.style is not None else None):
        ids = NUM_ID(owner) if owner is not None else []
        if ids:
            level = (NUM_LEVEL(paragraph._p) or NUM_LEVEL(owner) or ["0"])[0]
            return (ids[0], _whole(level, MAX_LEVEL, 0)) if ids[0] != "0" else None
    return None


ROMAN = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]


def _roman(n: int) -> str:
    out = ""
    for value, letters in ROMAN:
        count, n = divmod(n, value)
        out += letters * count
    return out


def _letter(n: int) -> str:
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


# Word's number formats (w:numFmt) as text; a bullet or "none" shows no number.
NUMBER_FORMATS = {
    "decimal": str, "decimalZero": lambda n: f"{n:02d}", "lowerLetter": _letter, "upperLetter": lambda n: _letter(n).upper(),
    "lowerRoman": _roman, "upperRoman": lambda n: _roman(n).upper(),
}


MAX_START = 9999  # a damaged or hostile file's "start at 10^9" would write a letter list's labels out of memory
MAX_LEVEL = 8  # Word's list levels run 0–8


def _level_value(lvl, tag: str, default: str) -> str:
    return (LEVEL_VALUE[tag](lvl) or [default])[0]


def _whole(text: str, most: int, default: int) -> int:
    return min(int(text), most) if text.isdigit() else default


class _Numbering:
    """The numbers Word draws before numbered paragraphs ("1.", "2.1", "(a)"), counted the way
    Word counts them: per list (numId), a level restarting under each item of the level above."""

    def __init__(self, document) -> None:
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError):  # a document with no lists has no numbering part
            root = None
        self.abstract_of = {n.get(qn("w:numId")): (ABSTRACT_ID(n) or [""])[0]
                            for n in (root.findall(qn("w:num")) if root is not None else [])}
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}
        for abstract in root.findall(qn("w:abstractNum")) if root is not None else []:
            levels = {}
            for lvl in abstract.findall(qn("w:lvl")):
                start, ilvl = _level_value(lvl, "start", "1"), lvl.get(qn("w:ilvl"), "0")
                levels[_whole(ilvl, MAX_LEVEL, 0)] = (
                    _level_value(lvl, "numFmt", "decimal"), _level_value(lvl, "lvlText", ""), _whole(start, MAX_START, 1))
            self.levels[abstract.get(qn("w:abstractNumId"))] = levels
        self.counts: dict[str, dict[int, int]] = {}

    def label(self, num_id: str, level: int) -> str | None:
        """The next number of list `num_id` at `level` (counted even when it shows none)."""
        levels = self.levels.get(self.abstract_of.get(num_id, ""), {})
        if level not in levels:
            return None
        counts = self.counts.setdefault(num_id, {})
        counts[level] = counts.get(level, levels[level][2] - 1) + 1
        for deeper in [d for d in counts if d > level]:
            del counts[deeper]
        if levels[level][0] not in NUMBER_FORMATS:  # a bullet, or no number
            return None

        def number(match: re.Match) -> str:
            at = int(match.group(1)) - 1
            fmt, _, start = levels.get(at, ("decimal", "", 1))
            return NUMBER_FORMATS.get(fmt, str)(counts.get(at, start))

        return re.sub(r"%([1-9])", number, levels[level][1]).strip() or None


def _rows(table: Table) -> list[TextBlock]:
    """A row per table row, its cells joined by " | ": a cell merged across columns is one
    <w:tc>, and a cell merged down rows leaves empty continuation cells, so neither repeats."""
    rows = []
    for tr in table._tbl.tr_lst:
        cells = [_cell_text(tc, table) for tc in tr.tc_lst]
        text = " | ".join(cell for cell in cells if cell)
        if text:
            rows.append(TextBlock("row", text))
    return rows


def _cell_text(tc, table: Table) -> str:
    """A cell's paragraphs, including those of a table nested in it, as one run of text."""
    return " ".join(" ".join(Paragraph(p, table).text for p in tc.iter(qn("w:p"))).split())

