"""The Word reader: what a .docx's blocks, title and dates come out as, in body order."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import pytest
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from ingest.formats import FormatError
from ingest.read_docx import read_docx


def _numbered(paragraph, num_id: str = "1") -> None:
    """Give a Normal paragraph Word numbering (w:numPr) the way a hand-numbered list has it."""
    numbering = OxmlElement("w:numPr")
    for tag, value in (("w:ilvl", "0"), ("w:numId", num_id)):
        child = OxmlElement(tag)
        child.set(qn("w:val"), value)
        numbering.append(child)
    paragraph._p.get_or_add_pPr().append(numbering)


def _in_content_control(document, text: str, gallery: str | None = None) -> None:
    """Move a new paragraph into a <w:sdt> content control (a generated contents list when `gallery`)."""
    paragraph = document.add_paragraph(text)
    sdt, properties, content = OxmlElement("w:sdt"), OxmlElement("w:sdtPr"), OxmlElement("w:sdtContent")
    if gallery:
        part, kind = OxmlElement("w:docPartObj"), OxmlElement("w:docPartGallery")
        kind.set(qn("w:val"), gallery)
        part.append(kind)
        properties.append(part)
    paragraph._p.addprevious(sdt)
    sdt.extend([properties, content])
    content.append(paragraph._p)


def _bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def policy_bytes() -> bytes:
    document = Document()
    document.core_properties.title = "Allegations Against Staff or Volunteers"
    document.core_properties.created = datetime(2019, 1, 2)
    document.core_properties.modified = datetime(2023, 4, 5)
    document.add_paragraph("Allegations procedure", style="Title")
    _in_content_control(document, "1. Scope 2", gallery="Table of Contents")
    document.add_paragraph("Published: July 2025")
    document.add_heading("1. Scope", level=1)
    document.add_paragraph("This procedure applies to   everyone who works with children.")
    document.add_heading("1.1 Who to contact", level=2)
    document.add_paragraph("Tell the designated officer on the same day.", style="List Bullet")
    document.add_paragraph("Record what was said, in the words used.", style="List Number")
    _numbered(document.add_paragraph("Do not investigate yourself."))
    table = document.add_table(rows=3, cols=3)
    for row, cells in zip(table.rows, [("Agency", "Telephone", "Hours"), ("LADO", "0121 675 1669", "9-5"), ("", "0121 675 4806", "out of hours")]):
        for cell, text in zip(row.cells, cells):
            cell.text = text
    table.cell(0, 1).merge(table.cell(0, 2)).text = "Contact"  # one header across two columns
    table.cell(1, 0).merge(table.cell(2, 0))  # "LADO" down two rows
    document.add_paragraph("Keep a copy of the referral.")
    document.add_heading("1.1.1 Timescales", level=3)
    _in_content_control(document, "This procedure was last updated on 3 March 2025.")
    return _bytes(document)


@pytest.fixture(scope="module")
def policy(policy_bytes):
    return read_docx(policy_bytes)


def test_body_order_is_kept_with_the_table_in_place(policy):
    assert [(b.kind, b.text) for b in policy.blocks] == [
        ("paragraph", "Published: July 2025"),
        ("heading", "1. Scope"),
        ("paragraph", "This procedure applies to everyone who works with children."),
        ("heading", "1.1 Who to contact"),
        ("item", "Tell the designated officer on the same day."),
        ("item", "1. Record what was said, in the words used."),
        ("item", "Do not investigate yourself."),
        ("row", "Agency | Contact"),
        ("row", "LADO | 0121 675 1669 | 9-5"),
        ("row", "0121 675 4806 | out of hours"),
        ("paragraph", "Keep a copy of the referral."),
        ("heading", "1.1.1 Timescales"),
        ("paragraph", "This procedure was last updated on 3 March 2025."),
    ]


def test_headings_take_their_level_from_the_heading_style(policy):
    assert [(b.text, b.level) for b in policy.blocks if b.kind == "heading"] == [
        ("1. Scope", 1), ("1.1 Who to contact", 2), ("1.1.1 Timescales", 3)]


def test_list_styles_and_word_numbering_make_items_with_the_number_word_draws(policy):
    assert [b.text for b in policy.blocks if b.kind == "item"] == [
        "Tell the designated officer on the same day.", "1. Record what was said, in the words used.", "Do not investigate yourself."]


def test_merged_cells_are_not_repeated_in_rows(policy):
    rows = [b.text for b in policy.blocks if b.kind == "row"]
    assert rows[0] == "Agency | Contact" and rows[2] == "0121 675 4806 | out of hours"


def test_a_generated_contents_list_is_not_read_and_the_leading_title_is_not_a_block(policy):
    everything = [b.text for b in policy.blocks]
    assert "1. Scope 2" not in everything and "Allegations procedure" not in everything


def test_title_comes_from_the_core_properties(policy):
    assert policy.title == "Allegations Against Staff or Volunteers"


def test_title_comes_from_the_title_style_when_the_properties_have_none():
    document = Document()
    document.core_properties.title = ""
    document.add_paragraph("Neglect Strategy", style="Title")
    document.add_paragraph("Neglect is the most common form of abuse.")
    read = read_docx(_bytes(document))
    assert read.title == "Neglect Strategy"
    assert [b.text for b in read.blocks] == ["Neglect is the most common form of abuse."]


def test_dates_are_what_the_text_states_not_the_file_properties(policy):
    assert [(d.kind, d.date) for d in policy.dates] == [("published", "2025-07"), ("updated", "2025-03-03")]
    assert policy.dates[1].said == "This procedure was last updated on 3 March 2025."


def test_a_text_file_named_docx_is_a_format_error():
    with pytest.raises(FormatError, match="not a readable Word document"):
        read_docx(b"This is plain text saved as procedures.docx\n")


def test_a_truncated_docx_is_a_format_error(policy_bytes):
    with pytest.raises(FormatError, match="not a readable Word document"):
        read_docx(policy_bytes[: len(policy_bytes) // 2])


def test_a_zip_that_is_not_a_word_document_is_a_format_error():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "not a Word document")
    with pytest.raises(FormatError, match="not a readable Word document"):
        read_docx(buffer.getvalue())


def test_a_document_part_that_is_not_xml_is_a_format_error(policy_bytes):
    damaged = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(policy_bytes)) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            target.writestr(item, b"<w:document" if item.filename == "word/document.xml" else source.read(item))
    with pytest.raises(FormatError, match="not a readable Word document"):
        read_docx(damaged.getvalue())


def test_an_empty_document_is_a_format_error():
    with pytest.raises(FormatError, match="no text"):
        read_docx(_bytes(Document()))


def test_a_house_heading_style_based_on_a_heading_or_with_an_outline_level_is_a_heading():
    from docx.enum.style import WD_STYLE_TYPE

    document = Document()
    house = document.styles.add_style("Procedure Heading", WD_STYLE_TYPE.PARAGRAPH)
    house.base_style = document.styles["Heading 1"]
    document.add_paragraph("Allegations against staff", style="Procedure Heading")
    outlined = document.styles.add_style("Sub Topic", WD_STYLE_TYPE.PARAGRAPH)
    level = OxmlElement("w:outlineLvl")
    level.set(qn("w:val"), "1")  # Word counts outline levels from 0
    outlined.element.get_or_add_pPr().append(level)
    document.add_paragraph("When to contact the LADO", style="Sub Topic")
    document.add_paragraph("Tell the designated officer the same day.")
    read = read_docx(_bytes(document))
    assert [(b.kind, b.text, b.level) for b in read.blocks] == [
        ("heading", "Allegations against staff", 1),
        ("heading", "When to contact the LADO", 2),
        ("paragraph", "Tell the designated officer the same day.", 0),
    ]


def test_a_typed_paragraph_number_is_the_paragraphs_number_not_its_text():
    document = Document()
    document.add_paragraph("102. All staff should know what to do if a child tells them they are being abused.")
    document.add_paragraph("16 and 17 year olds who are homeless should be assessed by children's services.")
    read = read_docx(_bytes(document))
    assert [(b.number, b.text) for b in read.blocks] == [
        ("102", "All staff should know what to do if a child tells them they are being abused."),
        (None, "16 and 17 year olds who are homeless should be assessed by children's services."),
    ]


def test_a_date_in_the_page_footer_dates_the_document_and_the_footer_is_no_passage():
    document = Document()
    document.sections[0].footer.paragraphs[0].text = "Child protection procedure. Last updated: 12 May 2024. Page 1"
    document.sections[0].header.paragraphs[0].text = "OFFICIAL"
    document.add_paragraph("Concerns go to children's social care the same day.")
    read = read_docx(_bytes(document))
    assert [(d.kind, d.date) for d in read.dates] == [("updated", "2024-05-12")]
    assert [b.text for b in read.blocks] == ["Concerns go to children's social care the same day."]


def _two_level_list(document) -> str:
    """A numbering definition as Word writes one for "1." with "(a)" under it; its numId."""
    import lxml.etree

    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    numbering = document.part.numbering_part.element
    abstract = lxml.etree.fromstring(
        f'<w:abstractNum xmlns:w="{w}" w:abstractNumId="90">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="(%2)"/></w:lvl>'
        "</w:abstractNum>"
    )
    numbering.insert(0, abstract)  # abstract definitions come before the lists that use them
    numbering.append(lxml.etree.fromstring(f'<w:num xmlns:w="{w}" w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    return "90"


def test_word_numbered_steps_keep_the_numbers_word_draws_counted_by_level():
    document = Document()
    num_id = _two_level_list(document)
    for level, text in ((0, "Listen to the child."), (1, "Let them speak freely."), (1, "Do not ask leading questions."),
                        (0, "Write down what was said."), (1, "Use their own words.")):
        paragraph = document.add_paragraph(text)
        numbering = OxmlElement("w:numPr")
        for tag, value in (("w:ilvl", str(level)), ("w:numId", num_id)):
            child = OxmlElement(tag)
            child.set(qn("w:val"), value)
            numbering.append(child)
        paragraph._p.get_or_add_pPr().append(numbering)
    document.add_paragraph("Tell the designated safeguarding lead.", style="List Bullet")
    assert [b.text for b in read_docx(_bytes(document)).blocks] == [
        "1. Listen to the child.", "(a) Let them speak freely.", "(b) Do not ask leading questions.",
        "2. Write down what was said.", "(a) Use their own words.", "Tell the designated safeguarding lead."]
