"""Step 1b of ingest: a file's bytes → its text, by format.

.txt as UTF-8 text (cp1252 accepted for old Windows exports); .md (ingest/read_markdown.py),
.pdf (ingest/read_pdf.py), .html/.htm (ingest/read_html.py) and .docx (ingest/read_docx.py) as
a structured document.
Each failure is one FormatError saying why, which ingest/load.py turns into a line naming the file.
"""

from __future__ import annotations

from ingest.blocks import StructuredDocument

SUFFIXES = {".txt", ".md", ".html", ".htm", ".pdf", ".docx"}
CONTROL_SHARE = 0.01  # more control characters than this and it is not text


class FormatError(Exception):
    """Why the bytes are not a readable document, without the file name."""


def _looks_binary(text: str) -> bool:
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
    return "\x00" in text or controls > CONTROL_SHARE * max(1, len(text))


def plain_text(data: bytes) -> str:
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
    return text


ZIP_BASED = {".docx"}  # checked for their expansion before any parser opens them (ingest/zipcheck.py)


def read(suffix: str, data: bytes, *, max_expanded_bytes: int, max_members: int) -> str | StructuredDocument:
    """Plain text as text (ingest/structure.py reads its lines); Markdown, PDF, HTML and Word
    as a structured document from their own reader. The limits are a zip-based file's
    (Settings.zip_limits())."""
    kind = suffix.lower()
    if kind in ZIP_BASED:
        from ingest.zipcheck import check_zip

        check_zip(data, max_expanded_bytes=max_expanded_bytes, max_members=max_members)
    if kind == ".txt":
        return plain_text(data)
    if kind == ".md":
        from ingest.read_markdown import read_markdown

        return read_markdown(data)
    if kind == ".pdf":
        from ingest.read_pdf import read_pdf

        return read_pdf(data)
    if kind in (".html", ".htm"):
        from ingest.read_html import read_html

        return read_html(data)
    from ingest.read_docx import read_docx

    return read_docx(data)
