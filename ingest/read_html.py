"""Step 1b of ingest for web pages: an HTML page's bytes → a structured document (ingest/blocks.py).

trafilatura finds the main content (headings, paragraphs, list items, table rows) without the
site's navigation, footer and banners; lxml reads the title, canonical address and dated lines.
"""

from __future__ import annotations

import copy
import re
from dataclasses import replace

import lxml.etree
import lxml.html
import trafilatura

from ingest.blocks import LINKED_SHARE, StructuredDocument, TextBlock, is_contact_link, is_resource_link
from ingest.dates import dated_statements, stated_dates
from ingest.formats import FormatError, plain_text

HEADINGS = {f"h{n}": n for n in range(1, 7)}
# Never page text: code, chrome, and controls such as tri.x's "Please select a partnership" menu.
UNSEEN = {"script", "style", "noscript", "template", "svg", "head", "title", "nav", "select", "button", "iframe"}
# Site chrome, dropped when the page is read without trafilatura (a page it finds nothing in);
# a <header> or <footer> inside an <article> or <main> is the content's own.
CHROME = UNSEEN | {"header", "footer", "aside", "form"}
BANNER = re.compile(r"cookie|consent|gdpr", re.IGNORECASE)
INLINE = set("a abbr b bdi bdo br cite code data dfn em font i kbd mark q s samp small span strike strong sub sup time u var del ins label".split())
BULLET = re.compile(r"^[•●▪◦‣∙·○■□➢►▸–-]\s+")  # typed into the item, where CSS would draw one
SPACED = {"br", "lb", "td", "th", "cell", "li", "item", "p", "div"}
XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def read_html(data: bytes) -> StructuredDocument:
    """The page's main content as blocks, its title, stated dates and canonical address."""
    text = XML_DECLARATION.sub("", plain_text(data))  # lxml refuses a str that declares its encoding
    try:
        page = lxml.html.document_fromstring(text)
    except (lxml.etree.LxmlError, ValueError) as error:
        raise FormatError(f"not a readable HTML page ({error})") from None
    shown = _without_unseen(page)
    # Every line of the page, split at <br> too, so a print line under a copyright notice stands alone.
    everything, fallback = page_blocks(shown, set(), INLINE - {"br"}), page_blocks(shown, CHROME, INLINE)
    contacts = [_text(a) for a in shown.iter("a") if is_contact_link(a.get("href"))]
    main = _main_content(shown)  # last use of `shown`: trafilatura prunes the tree it is given
    extracted = _from_extraction(main) if main is not None else []
    # A print line ("This page is correct as printed on …") sits in a footer trafilatura drops;
    # the page's own statement of its date is kept as a paragraph all the same. So is a line of
    # the content that is a phone or e-mail link ("LADO: 0121 675 1669"), which trafilatura
    # drops as a link alone, though it is the number a practitioner needs.
    blocks = _with_lines(fallback if _flattened(extracted, fallback) else extracted, everything, lambda text: bool(dated_statements(text)))
    blocks = _with_lines(blocks, fallback, lambda text: _is_contact(text, contacts))
    blocks = _linked_as_on_the_page(blocks, everything)
    if not blocks:
        raise FormatError("no text in the HTML page")
    blocks = relative_levels(blocks)
    return StructuredDocument(tuple(blocks), _title(page, main), stated_dates(blocks), _canonical(page))


def _without_unseen(page: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """A copy of the page whose body has no scripts, menus or cookie banners: on a short page
    trafilatura falls back to all the text there is, navigation included."""
    shown = copy.deepcopy(page)
    body = shown.find("body")
    for element in list(body.iter() if body is not None else ()):
        if isinstance(element.tag, str) and element is not body and _hidden(element, UNSEEN):
            element.drop_tree()  # keeps the text that follows it
    return shown


def _flattened(extracted: list[TextBlock], page: list[TextBlock]) -> bool:
    """Nothing found, or the whole page as one paragraph: trafilatura's rescue for a short page
    (under its 250-character minimum) is the body's text without its headings and lists."""
    whole = "".join(_key(block.text) for block in page)
    return not extracted or len(extracted) == 1 < len(page) and whole in _key(extracted[0].text)


def _main_content(page: lxml.html.HtmlElement) -> lxml.etree._Element | None:
    extracted = trafilatura.extract(page, output_format="xml", include_tables=True, include_formatting=False,
                                    favor_recall=True, include_links=False, include_comments=False, with_metadata=True)
    return lxml.etree.fromstring(extracted) if extracted else None


def _clean(text: str) -> str:
    return " ".join(text.split())


def _key(text: str) -> str:
    return "".join(text.split()).casefold()


def _block(kind: str, raw: str, level: int = 0, linked: str = "") -> TextBlock:
    """`linked`: the words of `raw` that are links' text."""
    text = BULLET.sub("", _clean(raw)) if kind == "item" else _clean(raw)
    return TextBlock(kind, text, level, linked=kind != "heading" and _letters(linked) >= LINKED_SHARE * max(_letters(text), 1))


def _letters(text: str) -> int:
    return sum(c.isalnum() for c in text)


def _resource_links(element) -> list:
    """Links to other pages or documents in `element` (itself included), not phone or e-mail links."""
    return [link for link in element.iter("a") if is_resource_link(link.get("href"))]


def _linked_as_on_the_page(blocks: list[TextBlock], page: list[TextBlock]) -> list[TextBlock]:
    """`blocks` (trafilatura's, which keeps no links) marked linked where the page's own block
    of the same words is mostly a link's text."""
    linked = {_key(block.text) for block in page if block.linked}
    return [replace(block, linked=True) if _key(block.text) in linked else block for block in blocks]


def _from_extraction(doc: lxml.etree._Element) -> list[TextBlock]:
    """trafilatura's XML (<head rend="h2">, <p>, <list><item>, <table><row><cell>) as blocks."""
    blocks: list[TextBlock] = []
    for main in doc.iterfind("main"):
        blocks.append(_block("paragraph", main.text or ""))  # a page of bare text has it here
        _extracted(main, blocks)
    return [block for block in blocks if block.text]


def _extracted(children, blocks: list[TextBlock]) -> None:
    for child in children:
        if child.tag == "head":
            rend = re.fullmatch(r"h([1-6])", child.get("rend", ""))
            blocks.append(_block("heading", _text(child), int(rend.group(1)) if rend else 3))  # trafilatura's default
        elif child.tag == "list":
            for item in child.iterfind("item"):  # an item's own words, then the items of a list in it
                blocks.append(_block("item", _text(item, skip="list")))
                _extracted(item.iterfind("list"), blocks)
        elif child.tag == "table":
            blocks += [_row(row.iterfind("cell"), _text) for row in child.iter("row")]
        elif child.tag in {"p", "code"} or child.text and child.text.strip():
            blocks.append(_block("paragraph", _text(child)))
        else:  # div, quote and other wrappers: their paragraphs count one by one
            _extracted(child, blocks)


def _text(element, dropped: set[str] = frozenset(), skip: str = "") -> str:
    """The words in `element`, a space where a line or cell breaks (<lb/> is trafilatura's <br>)."""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and child.tag != skip and not _hidden(child, dropped):
            parts.append(" " if child.tag in SPACED else "")
            parts.append(_text(child, dropped, skip))
        parts.append(child.tail or "")
    return "".join(parts)


def _row(cells, text_of) -> TextBlock:
    return TextBlock("row", " | ".join(t for t in (_clean(text_of(cell)) for cell in cells) if t))


def page_blocks(page: lxml.html.HtmlElement, dropped: set[str], inline: set[str]) -> list[TextBlock]:
    """The body read with lxml alone, block by block, without the `dropped` elements."""
    blocks: list[TextBlock] = []
    body = page.find("body")
    _walk(body if body is not None else page, (dropped, inline), blocks, "paragraph")
    return [block for block in blocks if block.text]


def _walk(element, rules: tuple[set[str], set[str]], blocks: list[TextBlock], kind: str) -> None:
    """Runs of inline text become one block of `kind`; block elements start a new one."""
    (dropped, inline), run, linked = rules, [element.text or ""], []
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""  # comments and processing instructions
        if tag and not _hidden(child, dropped) and tag not in inline:
            blocks.append(_block(kind, "".join(run), linked=" ".join(linked)))
            run, linked = [], []
            if tag in HEADINGS:
                blocks.append(_block("heading", _text(child, dropped), HEADINGS[tag]))
            elif tag == "tr":
                blocks.append(_row(child.iterchildren("td", "th"), lambda cell: _text(cell, dropped)))
            else:
                _walk(child, rules, blocks, "item" if tag == "li" else kind)
        elif tag and not _hidden(child, dropped):
            run.append(" " if tag == "br" else _text(child, dropped))
            linked += [_text(link, dropped) for link in _resource_links(child)]
        run.append(child.tail or "")
    blocks.append(_block(kind, "".join(run), linked=" ".join(linked)))


def _hidden(element, dropped: set[str]) -> bool:
    if element.get("hidden") is not None or BANNER.search(f"{element.get('id', '')} {element.get('class', '')}"):
        return True
    if element.tag in {"header", "footer"} and element.xpath("ancestor::article or ancestor::main"):
        return False
    return element.tag in dropped


def _is_contact(text: str, contacts: list[str]) -> bool:
    """Whether a line is mostly the text of a phone or e-mail link."""
    key = _key(text)
    return any(_key(contact) and _key(contact) in key and _letters(contact) >= LINKED_SHARE * _letters(text) for contact in contacts)


def _with_lines(blocks: list[TextBlock], page: list[TextBlock], wanted) -> list[TextBlock]:
    """`blocks` with each `wanted` line of the page whose words they lack, placed after the last
    block they share with the page before it (walking both in order, as text repeats)."""
    kept, keys, cursor, anchored = list(blocks), [_key(block.text) for block in blocks], 0, False
    for at, line in enumerate(page):
        key = _key(line.text)
        same = next((j for j in range(cursor, len(kept)) if keys[j] == key), None)
        if same is not None:
            cursor, anchored = same + 1, True
        elif wanted(line.text) and not any(key in other for other in keys):
            # nothing shared before it: first if the page goes on with kept text, else last
            if not anchored and not any(_key(p.text) in keys for p in page[at + 1:]):
                cursor = len(kept)
            kept.insert(cursor, TextBlock("paragraph", line.text))
            keys.insert(cursor, key)
            cursor, anchored = cursor + 1, True
    return kept


def relative_levels(blocks: list[TextBlock]) -> list[TextBlock]:
    """Headings renumbered so the outermost level present is 1 (a page may start at <h2>)."""
    top = min((block.level for block in blocks if block.kind == "heading"), default=1)
    return [TextBlock(b.kind, b.text, b.level - top + 1) if b.kind == "heading" else b for b in blocks]



def _title(page: lxml.html.HtmlElement, main: lxml.etree._Element | None) -> str | None:
    """trafilatura's title (it drops a " | Site name" suffix when sure), else og:title or <title>."""
    stated = [main.get("title") if main is not None else None]
    stated += page.xpath("//meta[@property='og:title']/@content") + page.xpath("//title/text()")
    return next((_clean(title) for title in stated if title and title.strip()), None)


def _canonical(page: lxml.html.HtmlElement) -> str | None:
    addresses = page.xpath("//link[contains(concat(' ', normalize-space(@rel), ' '), ' canonical ')]/@href")
    return next((a.strip() for a in addresses if re.match(r"https?://\S+$", a.strip(), re.IGNORECASE)), None)
