"""How a PDF laid out for print is read: the file is made here with fpdf2, page by page, with
the layout features of real statutory guidance, and what the reader gives back is checked."""

from pathlib import Path

import pytest

from ingest.read_pdf import read_pdf

REALDOCS = Path(__file__).resolve().parents[2] / "shared" / "realdocs"


def _guidance_pdf() -> bytes:
    from fpdf import FPDF

    class Guidance(FPDF):
        def header(self):
            if self.page_no() > 1:
                self.set_font("helvetica", size=9)
                self.set_xy(10, 6)
                self.cell(0, 5, "Example safeguarding guidance", align="C")

        def footer(self):
            self.set_y(-12)
            self.set_font("helvetica", size=9)
            self.cell(0, 5, str(self.page_no()), align="C")

    pdf = Guidance()
    pdf.core_fonts_encoding = "windows-1252"  # for the bullet
    pdf.set_title("Example safeguarding guidance for schools")
    pdf.set_auto_page_break(False)

    def line(text: str, x: float = 10) -> None:
        pdf.set_x(x)
        pdf.cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")

    pdf.add_page()  # a cover: title large, then its date
    pdf.set_font("helvetica", "B", 36)
    pdf.set_xy(10, 60)
    pdf.multi_cell(0, 16, "Example safeguarding\nguidance", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=16)
    pdf.set_xy(10, 140)
    pdf.cell(0, 10, "Published: July 2025")

    pdf.add_page()
    pdf.set_xy(10, 20)
    pdf.start_section("Part one: What staff should know", level=0)  # a bookmark
    pdf.set_font("helvetica", "B", 18)
    pdf.multi_cell(0, 10, "Part one: What staff should know", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=11)
    line("12.  All staff should know what to do if a child tells them they are being abused, and the safe-")
    line("guarding lead must be told the same day.")
    pdf.set_y(pdf.get_y() + 4)
    line("13.  Staff should tell the designated safeguarding lead about any concern:")
    line("\u2022 if a child is hurt or frightened", 16)
    line("\u2022 if a child goes missing from education", 16)
    pdf.set_y(pdf.get_y() + 4)
    pdf.set_font("helvetica", "B", 11)
    line("Records")
    pdf.set_font("helvetica", size=11)
    pdf.set_x(10)
    pdf.write(6, "Records should be kept securely")
    pdf.set_font("helvetica", size=7)
    pdf.char_vpos = "SUP"
    pdf.write(6, "3")  # a footnote marker inside the sentence
    pdf.char_vpos = "LINE"
    pdf.set_font("helvetica", size=11)
    pdf.write(6, " and shared only when needed. Staff who are unsure should ask for advice and")
    pdf.set_font("helvetica", size=8)
    pdf.set_xy(10, 270)
    pdf.cell(0, 4, "3 See the data protection guidance.")

    pdf.add_page()  # the sentence runs on over the page break, then a table
    pdf.set_xy(10, 20)
    pdf.set_font("helvetica", size=11)
    line("should not wait until they are certain before they speak to the lead.")
    pdf.set_y(pdf.get_y() + 6)
    for left, right in (("Who", "What they do"), ("Designated safeguarding lead", "Takes lead responsibility for safeguarding")):
        y = pdf.get_y()
        pdf.set_xy(10, y)
        pdf.multi_cell(80, 6, left)
        pdf.set_xy(110, y)
        pdf.multi_cell(80, 6, right)
        pdf.set_y(y + 14)

    pdf.add_page()  # two columns of running text
    for x, column in ((10, "Left"), (110, "Right")):
        pdf.set_y(20)
        for n in range(1, 5):
            pdf.set_x(x)
            pdf.multi_cell(85, 6, f"{column} column paragraph {n} says something a practitioner should read in order.")
            pdf.set_y(pdf.get_y() + 40)
    return bytes(pdf.output())


@pytest.fixture(scope="module")
def read():
    return read_pdf(_guidance_pdf())


def _kinds(read, kind):
    return [b for b in read.blocks if b.kind == kind]


def test_title_and_publication_date_come_from_the_cover(read):
    assert read.title == "Example safeguarding guidance"
    assert [(d.kind, d.date) for d in read.dates] == [("published", "2025-07")]


def test_numbered_paragraphs_keep_their_number_out_of_the_text_and_are_not_headings(read):
    numbered = {b.number: b for b in read.blocks if b.number}
    assert set(numbered) == {"12", "13"} and numbered["12"].kind == "paragraph"
    assert numbered["13"].text == "Staff should tell the designated safeguarding lead about any concern:"


def test_wrapped_lines_are_joined_and_a_split_word_is_mended(read):
    twelve = next(b for b in read.blocks if b.number == "12")
    assert twelve.text.endswith("being abused, and the safeguarding lead must be told the same day.")


def test_headings_come_from_bookmarks_and_bold_type_with_their_levels(read):
    headings = {b.text: b.level for b in _kinds(read, "heading")}
    assert "Part one: What staff should know" in headings and "Records" in headings
    assert headings["Part one: What staff should know"] < headings["Records"]


def test_bullets_are_items_without_the_bullet(read):
    assert [b.text for b in _kinds(read, "item")] == ["if a child is hurt or frightened", "if a child goes missing from education"]


def test_a_footnote_marker_leaves_the_sentence_and_the_footnote_stands_apart(read):
    records = next(b for b in read.blocks if b.text.startswith("Records should"))
    assert records.text.startswith("Records should be kept securely and shared only when needed.")
    assert [b.text for b in _kinds(read, "footnote")] == ["3 See the data protection guidance."]


def _marked_line(before: str, marker: str, after: str, size: float, raised: bool = False):
    """A page whose one line of text holds a footnote marker set in small type (raised above the line, or on it)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    pdf.write(6, before)
    pdf.set_font("helvetica", size=size)
    pdf.char_vpos = "SUP" if raised else "LINE"
    pdf.write(6, marker)
    pdf.char_vpos = "LINE"
    pdf.set_font("helvetica", size=11)
    pdf.write(6, after)
    return pdf


def test_a_footnote_marker_holding_the_only_space_leaves_the_words_apart():
    # As in KCSIE para 340: "Private fostering" + marker "123 " + "occurs when…" on one line.
    # The marker set small on the line itself, so the reader finds it within the line.
    pdf = _marked_line("Private fostering", "12 ", "occurs when a child under the age of 16 is cared for by someone who is not a relative.", size=6)
    text = " ".join(b.text for b in read_pdf(bytes(pdf.output())).blocks)
    assert "Private fostering occurs when a child" in text


def test_a_sentence_set_in_bold_over_two_lines_is_a_paragraph_not_a_heading():
    # A call-out box as in the information sharing advice: bold body text, centred, each line
    # its own block; the first line alone looks like a heading.
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    pdf.multi_cell(190, 6, "Practitioners should share what they know when a child may be at risk of harm. " * 3)
    pdf.set_font("helvetica", "B", 11)
    pdf.set_xy(20, pdf.get_y() + 4)
    pdf.cell(170, 6, "The most important consideration is whether the sharing of information is likely", align="C")
    pdf.set_xy(20, pdf.get_y() + 6)
    pdf.cell(170, 6, "to support the safeguarding of a child", align="C")
    read = read_pdf(bytes(pdf.output()))
    assert not _kinds(read, "heading")
    assert "The most important consideration is whether the sharing of information is likely to support the safeguarding of a child" in [b.text for b in _kinds(read, "paragraph")]


def test_a_paragraph_runs_on_over_the_page_break_without_the_running_header(read):
    records = next(b for b in read.blocks if b.text.startswith("Records should"))
    assert records.text.endswith("ask for advice and should not wait until they are certain before they speak to the lead.")
    everything = " ".join(b.text for b in read.blocks)
    assert everything.count("Example safeguarding guidance") == 1  # the cover's title, not the running header
    assert not any(b.text.strip().isdigit() for b in read.blocks)  # no page numbers


def test_table_cells_side_by_side_are_one_row(read):
    assert [b.text for b in _kinds(read, "row")] == ["Who | What they do", "Designated safeguarding lead | Takes lead responsibility for safeguarding"]


def test_two_columns_are_read_down_the_left_then_the_right(read):
    order = [b.text.split()[0] + b.text.split()[3] for b in read.blocks if "column paragraph" in b.text]
    assert order == ["Left1", "Left2", "Left3", "Left4", "Right1", "Right2", "Right3", "Right4"]


@pytest.mark.skipif(not REALDOCS.exists(), reason="../shared/realdocs is not here")
def test_real_guidance_reads_into_whole_numbered_paragraphs_with_titles_and_dates():
    kcsie = read_pdf((REALDOCS / "Keeping_children_safe_in_education_2025.pdf").read_bytes())
    assert kcsie.title == "Keeping children safe in education 2025"
    assert ("published", "2025-07") in [(d.kind, d.date) for d in kcsie.dates]
    paragraphs = {}
    for block in kcsie.blocks:
        if block.number:
            paragraphs.setdefault(block.number, block)  # Annex A numbers its own paragraphs again
    assert paragraphs["15"].text.startswith("All staff should know what to do if a child tells them they are being abused")
    assert paragraphs["15"].page == 9
    assert all(paragraphs[n].kind == "paragraph" for n in ("12", "13", "14", "15", "16"))  # numbered paragraphs are no headings
    for name in sorted(p.name for p in REALDOCS.glob("*.pdf")):
        read = read_pdf((REALDOCS / name).read_bytes())
        assert read.title and read.dates, name
        if name.startswith("Promoting_the_health"):
            # An update note comes first; its "Updated 'Who Pays?' guidance came into effect from
            # 1 July 2022" dates another document. The cover behind it, on page 2, says March 2015.
            assert [(d.kind, d.date) for d in read.dates] == [("published", "2015-03")]
            assert not any(b.kind == "heading" and b.text == "March 2015" for b in read.blocks)
        body = [b for b in read.blocks if b.kind == "paragraph"]
        # A paragraph closes with its sentence (a few end in a table or a link): none is cut mid-sentence by a page.
        closed = sum(b.text.rstrip()[-1:] in ".:;!?)’”\"" for b in body) / len(body)
        assert closed > 0.8, (name, closed)


def test_the_publications_copyright_and_licence_on_the_back_page_are_no_passage(tmp_path):
    # A DfE back page: "© Crown copyright", its licence and where to ask, after the glossary's
    # last entry; it had been quoted as the end of that entry's passage.
    from fpdf import FPDF

    from config import Settings
    from ingest.load import load
    from ingest.prepare import prepare

    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    pdf.add_page()
    pdf.multi_cell(190, 6, "Young carer: a person under 18 who provides or intends to provide care for another person.")
    pdf.add_page()
    pdf.multi_cell(190, 6, "\u00a9 Crown copyright 2025")
    pdf.multi_cell(190, 6, "This publication is licensed under the terms of the Open Government Licence v3.0 except where otherwise stated.")
    pdf.multi_cell(190, 6, "Follow us on X: @educationgovuk")
    path = tmp_path / "guidance.pdf"
    path.write_bytes(bytes(pdf.output()))
    _, chunks = prepare(load(path, {}, Settings()), Settings())
    assert [c.text for c in chunks] == ["Young carer: a person under 18 who provides or intends to provide care for another person."]


def test_a_numbered_paragraph_straight_after_a_list_item_is_a_paragraph_of_its_own():
    # As in the CA1989 transitions guidance, para 3.51 → 3.52: no space after the last item,
    # so the item and the next paragraph come as one block, the new number hanging to the left.
    from fpdf import FPDF

    pdf = FPDF()
    pdf.core_fonts_encoding = "windows-1252"  # for the bullet
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    for x, y, text in (
        (10, 20, "3.51. Policies should include the following information:"),
        (30, 32, "\u2022 information about any financial support."),
        (10, 37, "3.52. In every case where a care leaver asks for this support, the authority will"),
        (24, 42, "assess the course and how it will help them."),
    ):
        pdf.text(x, y, text)
    blocks = read_pdf(bytes(pdf.output())).blocks
    assert [(b.kind, b.number, b.text) for b in blocks] == [
        ("paragraph", "3.51", "Policies should include the following information:"),
        ("item", None, "information about any financial support."),
        ("paragraph", "3.52", "In every case where a care leaver asks for this support, the authority will assess the course and how it will help them."),
    ]


def test_a_passage_is_cited_at_the_page_it_is_printed_on_when_a_blank_page_follows(tmp_path):
    # A picture or a blank verso between two pages of text has no text of its own; the passage
    # before it had been cited one page too late.
    from fpdf import FPDF

    from config import Settings
    from ingest.load import load
    from ingest.prepare import prepare

    pdf = FPDF()
    for title, body in (
        ("Referrals", "Any practitioner worried about a child should make a referral to children's social care without delay."),
        (None, None),
        ("Strategy discussions", "A strategy discussion should be held when there is reasonable cause to suspect significant harm."),
    ):
        pdf.add_page()
        if title:
            pdf.start_section(title)
            pdf.set_font("helvetica", "B", 18)
            pdf.multi_cell(190, 10, title, new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("helvetica", size=11)
            pdf.multi_cell(190, 6, body)
    path = tmp_path / "procedures.pdf"
    path.write_bytes(bytes(pdf.output()))
    _, chunks = prepare(load(path, {}, Settings()), Settings())
    assert [(c.section_path, c.page) for c in chunks] == [(("Referrals",), 1), (("Strategy discussions",), 3)]


def test_a_sentence_that_starts_with_a_number_keeps_it_and_is_no_numbered_paragraph():
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    for text in (
        "14. Young people leaving care should have a pathway plan.",
        "16 and 17 year olds who present as homeless should be assessed by children's services.",
        "24 hours is the longest a child should wait for a strategy discussion.",
        "15 Staff should record every concern on the day it is raised.",
    ):
        pdf.multi_cell(190, 6, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
    blocks = read_pdf(bytes(pdf.output())).blocks
    assert [(b.number, b.text) for b in blocks] == [
        ("14", "Young people leaving care should have a pathway plan."),
        (None, "16 and 17 year olds who present as homeless should be assessed by children's services."),
        (None, "24 hours is the longest a child should wait for a strategy discussion."),
        ("15", "Staff should record every concern on the day it is raised."),
    ]


def test_a_line_that_is_a_web_links_text_is_known_as_a_link_and_a_sentence_with_a_link_in_it_is_not():
    # As in KCSIE's Annex B: "What to do if you're worried a child is being abused – DfE advice"
    # is the title of another resource, its words linked to it.
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    pdf.multi_cell(190, 6, "Staff who are worried about a child should speak to the designated safeguarding lead straight away.", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.cell(0, 6, "What to do if you're worried a child is being abused - DfE advice", link="https://www.gov.uk/government/publications/what-to-do", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.write(6, "Read ")
    pdf.write(6, "Working Together", link="https://www.gov.uk/government/publications/working-together")
    pdf.write(6, " for how the local safeguarding partners work with schools, colleges and the police.")
    pdf.ln(10)
    pdf.cell(0, 6, "LADO: 0121 675 1669", link="tel:01216751669")  # a contact, not another resource
    blocks = read_pdf(bytes(pdf.output())).blocks
    assert [(b.text[:20], b.linked) for b in blocks] == [
        ("Staff who are worrie", False), ("What to do if you're", True), ("Read Working Togethe", False), ("LADO: 0121 675 1669", False)]


def test_a_footnote_marker_before_a_comma_leaves_the_sentence_whole():
    # PyMuPDF starts a new block at the marker, so ", and shared …" had been a paragraph of its own.
    pdf = _marked_line("Records should be kept securely under the Data Protection Act 2018", "3",
                       ", and shared only when needed for the safety of the child or the protection of others.", size=7, raised=True)
    pdf.set_font("helvetica", size=8)
    pdf.set_xy(10, 270)
    pdf.cell(0, 4, "3 See the data protection guidance.")
    blocks = read_pdf(bytes(pdf.output())).blocks
    assert [(b.kind, b.text) for b in blocks] == [
        ("paragraph", "Records should be kept securely under the Data Protection Act 2018, and shared only when needed for the safety of the child or the protection of others."),
        ("footnote", "3 See the data protection guidance."),
    ]


def test_an_admin_sees_how_a_pdf_was_read_title_dates_headings_and_cited_passages(tmp_path):
    # What `python -m ingest show FILE` prints (and the admin page's "How a chapter is read").
    from config import Settings
    from ingest.show import describe

    path = tmp_path / "guidance.pdf"
    path.write_bytes(_guidance_pdf())
    shown = describe(path, Settings())
    assert "title: Example safeguarding guidance\ndates: published 2025-07\n" in shown
    assert "headings:\n  Part one: What staff should know\n    Records\n" in shown
    assert "[guidance.pdf#0] Part one: What staff should know · paras 12, 13 · p. 2\n    All staff should know what to do" in shown
