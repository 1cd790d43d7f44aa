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


CHAPTER_MD = """# Children missing education

Published: September 2024

## 1. Identifying a child missing education

### 1.1 Who is responsible

Every school must notify the local authority when a pupil's name is to be
deleted from the admission register, as soon as
Children's Services
can act on it.

#### Steps for schools

1. Make reasonable enquiries
2. Contact the family and the child's emergency contacts

Contact the Children Missing Education team on 01234 567890

| Who | When |
|-----|------|
| School | Within 5 days |

## 2. Children at risk

Children missing education are at risk of <b>exploitation</b>.
"""


def test_markdown_is_read_as_markdown_not_as_lines_that_look_like_headings(tmp_path, settings):
    # Only "#" lines are headings: a wrapped line, a numbered step or a short line of text is not,
    # so no passage starts mid-sentence and no line is lost as a heading nobody reads.
    from ingest.load import load
    from ingest.prepare import prepare

    path = tmp_path / "missing.md"
    path.write_text(CHAPTER_MD, encoding="utf-8")
    document, chunks = prepare(load(path, {}, settings), settings)
    by_text = {c.text.split()[0]: c for c in chunks}
    assert document.title == "Children missing education" and ("published", "2024-09") in document.dates
    responsible = by_text["Every"]
    assert "admission register, as soon as Children's Services can act on it." in responsible.text
    assert responsible.section_path == ("Children missing education", "1. Identifying a child missing education", "1.1 Who is responsible")
    steps = next(c for c in chunks if "Make reasonable enquiries" in c.text)
    assert steps.section_path[-1] == "Steps for schools" and "01234 567890" in steps.text and "School | Within 5 days" in steps.text
    at_risk = next(c for c in chunks if "at risk of" in c.text)
    assert at_risk.section_path == ("Children missing education", "2. Children at risk")
    assert "at risk of <b>exploitation</b>." in at_risk.text  # the file's text, shown as text
