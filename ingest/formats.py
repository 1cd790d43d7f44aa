"""Step 1b of ingest: a file's bytes → plain text, whatever format it came in.

.txt/.md as UTF-8 (cp1252 accepted for old Windows exports), .html/.htm without
navigation, scripts or styles, .pdf from its text layer with page starts kept, .docx
with headings and list items kept. Each failure is one IngestError naming the file.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from html.parser import HTMLParser

SUFFIXES = {".txt", ".md", ".html", ".htm", ".pdf", ".docx"}
CONTROL_SHARE = 0.01  # more control characters than this and it is not text


class FormatError(Exception):
    """Why the bytes are not a readable document, without the file name."""


@dataclass(frozen=True)
class Extracted:
    text: str
    page_starts: tuple[int, ...] = field(default=())  # text offset where each PDF page begins


def _looks_binary(text: str) -> bool:
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
    return "\x00" in text or controls > CONTROL_SHARE * max(1, len(text))


def plain_text(data: bytes) -> Extracted:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FormatError("binary data, not text (neither UTF-8 nor Windows-1252)")
    if _looks_binary(text):
        raise FormatError("binary data, not text")
    return Extracted(text)


class _PageText(HTMLParser):
    SKIP = {"title", "script", "style", "nav", "header", "footer", "noscript", "form", "aside", "template", "svg", "button"}
    BLOCK = {"p", "div", "section", "article", "main", "table", "tr", "ul", "ol", "blockquote", "br", "dd", "dt"}
    HEADING = {"h1", "h2", "h3", "h4", "h5", "h6"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.HEADING:
            self.parts.append("\n\n")
        elif tag == "li":
            self.parts.append("\n• ")
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.HEADING or tag == "p":
            self.parts.append("\n\n")
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(" ".join(data.split()) if data.strip() else "")


def html_text(data: bytes) -> Extracted:
    parser = _PageText()
    parser.feed(plain_text(data).text)
    lines = [" ".join(line.split()) for line in "".join(parser.parts).split("\n")]
    text = "\n".join(lines)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return Extracted(text.strip() + "\n")


def pdf_text(data: bytes) -> Extracted:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        pages = [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]
    except (PdfReadError, ValueError, KeyError) as error:
        raise FormatError(f"not a readable PDF ({error})") from None
    if not any(page.strip() for page in pages):
        raise FormatError("PDF has no text layer (a scan?): nothing to quote")
    starts, text = [], ""
    for page in pages:
        starts.append(len(text))
        text += page.rstrip() + "\n\n"
    return Extracted(text, tuple(starts))


def docx_text(data: bytes, *, max_expanded_bytes: int, max_members: int) -> Extracted:
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError

    from ingest.zipcheck import check_zip

    check_zip(data, max_expanded_bytes=max_expanded_bytes, max_members=max_members)
    try:
        document = Document(io.BytesIO(data))
    except (PackageNotFoundError, ValueError, KeyError) as error:
        raise FormatError(f"not a readable Word document ({error})") from None
    lines = []
    for paragraph in document.paragraphs:
        style = (paragraph.style.name if paragraph.style is not None else "").lower()
        text = paragraph.text.strip()
        if not text:
            continue
        if style.startswith("heading") or style == "title":
            lines += ["", text, ""]
        elif style.startswith("list"):
            lines.append(f"• {text}")
        else:
            lines += [text, ""]
    return Extracted("\n".join(lines) + "\n")


READERS = {".txt": plain_text, ".md": plain_text, ".html": html_text, ".htm": html_text, ".pdf": pdf_text, ".docx": docx_text}
ZIP_BASED = {".docx"}  # their readers check the archive's expansion first (ingest/zipcheck.py)


def extract(suffix: str, data: bytes, **zip_limits: int) -> Extracted:
    suffix = suffix.lower()
    return READERS[suffix](data, **zip_limits) if suffix in ZIP_BASED else READERS[suffix](data)
