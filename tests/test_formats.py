"""Saved web pages, PDFs and Word files go in with their structure; the files are made by
the libraries themselves."""

import pytest

from answer.assistant import Assistant
from ingest.build import build_index

HTML = """<!doctype html><html><head><title>Neglect</title><style>body{color:red}</style>
<script>var tracking = "do not index me";</script></head><body>
<nav><a href="/">Home</a> | <a href="/contacts">Contacts</a></nav>
<header>Site banner text</header>
<main><h1>5.3 Neglect</h1>
<p>Neglect is the persistent failure to meet a child&rsquo;s basic physical and psychological needs.</p>
<h2>Signs to look for</h2>
<p>Practitioners should look out for:</p>
<ul><li>a child who is often hungry or who steals food</li><li>poor hygiene and unsuitable clothing</li></ul>
</main><footer>Copyright footer</footer></body></html>"""


@pytest.fixture
def folder(tmp_path):
    from docx import Document
    from fpdf import FPDF

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "neglect.html").write_text(HTML, encoding="utf-8")

    pdf = FPDF()
    for heading, body in (
        ("7.1 Domestic Abuse", "Domestic abuse affects children who see or hear it."),
        ("Referral", "Practitioners should refer a child living with domestic abuse to children's social care without delay."),
    ):
        pdf.add_page()
        pdf.set_font("helvetica", style="B", size=14)
        pdf.multi_cell(0, 8, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("helvetica", size=12)
        pdf.multi_cell(0, 8, body, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(corpus / "domestic-abuse.pdf"))

    word = Document()
    word.add_heading("8.2 Online Safety", level=1)
    word.add_heading("Sexting", level=2)
    word.add_paragraph("Staff must not view or forward indecent images of a child shared online.")
    word.add_paragraph("Report the incident to the designated safeguarding lead", style="List Bullet")
    word.save(str(corpus / "online.docx"))
    return corpus


@pytest.fixture
def assistant_over(folder, settings, embedder, tmp_path):
    local = settings.with_overrides(corpus_dir=folder, index_dir=tmp_path / "index")
    report = build_index([folder], local.index_dir, local, embedder)
    assert not report.failed and len(report.added) == 3
    return Assistant(local, embedder)


def test_html_keeps_headings_and_lists_and_drops_navigation_and_scripts(assistant_over):
    chunks = [c for c in assistant_over.index().chunks if c.source == "neglect.html"]
    text = "\n".join(c.text for c in chunks)
    for chrome in ("Home", "tracking", "banner", "Copyright", "color:red"):
        assert chrome not in text
    assert "Neglect is the persistent failure to meet a child’s basic physical" in text
    listed = next(c for c in chunks if "often hungry" in c.text)
    assert listed.text.startswith("Practitioners should look out for:") and listed.section_path == ("5.3 Neglect", "Signs to look for")


def test_pdf_pages_are_kept_and_shown_in_citations(assistant_over):
    answer = assistant_over.ask("should a child living with domestic abuse be referred to social care?")
    top = answer.citations[0]
    assert top.chunk.source == "domestic-abuse.pdf" and top.chunk.page == 2 and "p. 2" in top.chunk.section


def test_docx_headings_become_the_section_path(assistant_over):
    answer = assistant_over.ask("can staff forward indecent images of a child?")
    top = answer.citations[0]
    assert top.chunk.source == "online.docx"
    assert top.chunk.section_path == ("8.2 Online Safety", "Sexting")
    assert "designated safeguarding lead" in top.chunk.text


def test_markdown_hash_headings_are_headings_with_their_levels(tmp_path, settings):
    from ingest.load import load
    from ingest.prepare import prepare

    path = tmp_path / "online.md"
    path.write_text("# Online safety\n\nSchools should filter and monitor online access.\n\n## Sexting\n\n"
                    "Staff must not view or forward indecent images of a child.\n\n# Missing children\n\nReport a missing child at once.\n",
                    encoding="utf-8")
    document, chunks = prepare(load(path, {}, settings), settings)
    paths = {c.text.split()[0]: c.section_path for c in chunks}
    assert document.title == "Online safety"
    assert paths["Staff"] == ("Online safety", "Sexting")
    assert paths["Report"] == ("Missing children",)
