"""What the chat shows: document text is inert, print dates are stated or "not stated"."""

from dataclasses import replace
from datetime import date

from answer.render import grouped_warnings, inert, live_page, print_date_label, source_line, to_markdown, to_plain_text
from records import Answer, Chunk, Citation


def chunk(text: str, print_date=None, area=None) -> Chunk:
    return Chunk("x.txt#0", "x.txt", "Title <b>", area, ("Title <b>", "Section"), ("14",), print_date, 0, len(text), text)


HOSTILE = "<script>alert(1)</script> <img src=x onerror=alert(2)> [click](javascript:alert(3)) ![x](http://evil.example/p.png) **bold**"


def test_markup_in_document_text_cannot_form_tags_links_or_images():
    shown = inert(HOSTILE)
    for dangerous in ("<script", "<img", "](", "![", "**", "javascript:"):
        assert dangerous not in shown
    assert "&#60;script&#62;" in shown  # still readable as text once the entities are drawn


def test_rendered_answer_escapes_passages_titles_and_highlights():
    citation = Citation(1, chunk(HOSTILE + " Call the police."), 1.0, highlights=("Call the police.",))
    html = to_markdown(Answer("q", "q", "Call the police. [1]", False, (citation,)))
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "<mark>Call the police.</mark>" in html
    assert html.count("<details") == 1


def test_print_dates_are_shown_as_printed_or_not_stated():
    today = date(2026, 11, 23)
    assert print_date_label("2024-12-21", today) == "printed 21 Dec 2024 · 1 year ago"
    assert print_date_label("2019-11-22", today) == "printed 22 Nov 2019 · 7 years ago"
    assert print_date_label("2023-02", today) == "printed Feb 2023 · 3 years ago"
    assert print_date_label(None) == "print date not stated"
    assert source_line(chunk("t", None)).endswith("area not stated · print date not stated")
    assert "Section · para 14 · Milton Keynes · printed 22 Nov 2019 · " in source_line(chunk("t", "2019-11-22", "Milton Keynes"))


def test_plain_text_copy_carries_sources_and_print_dates():
    citation = Citation(1, chunk("Call the police.", "2019-11-22"), 1.0, also_in=(chunk("Call the police.", None),))
    text = to_plain_text(Answer("q", "q", "Call the police. [1]", False, (citation,)))
    assert "[1] Title <b> · Section · para 14 · area not stated · printed 22 Nov 2019" in text
    assert "also in: " in text and "print date not stated" in text


def cited(rank: int, warnings: tuple[str, ...], print_date=None, source="x.txt") -> Citation:
    return Citation(rank, replace(chunk("Text.", print_date), source=source), 1.0, warnings=warnings)


LSCB = "mentions LSCBs, replaced by safeguarding partner arrangements"
UNDATED = "print date not stated: check the live procedures"


def test_each_warning_is_said_once_naming_its_sources():
    citations = (cited(1, (LSCB, "printed 1 year ago: check the live procedures"), "2024-12-21"), cited(2, (UNDATED,)),
                 cited(3, (LSCB, UNDATED)), cited(4, ("printed 1 year ago: check the live procedures",), "2024-12-01"))
    answer = Answer("q", "q", "Text. [1]", False, citations)
    assert grouped_warnings(citations) == [
        "[1] [3] mention LSCBs, replaced by safeguarding partner arrangements",
        "[1] [4] printed 1 year ago; [2] [3] state no print date: check the live procedures",
    ]
    assert to_markdown(answer).count("⚠") == 2 and to_markdown(answer).count("LSCBs") == 1
    assert to_plain_text(answer).count("⚠") == 2 and "⚠ [1] [3] mention LSCBs" in to_plain_text(answer)


def test_one_source_keeps_the_warnings_own_wording_and_all_undated_is_one_sentence():
    assert grouped_warnings((cited(2, (LSCB, UNDATED)),)) == [f"[2] {LSCB}", "[2] states no print date: check the live procedures"]
    assert grouped_warnings((cited(1, (UNDATED,)), cited(2, (UNDATED,)))) == ["None of these pages states a print date: check the live procedures"]


def test_a_source_heading_is_one_short_line_and_the_section_is_inside():
    html = to_markdown(Answer("q", "q", "Text. [1]", False, (cited(1, (), "2019-11-22"),)))
    summary = html.split("<summary>")[1].split("</summary>")[0]
    assert "Section" not in summary and "22 Nov 2019" in summary
    assert "Section · para 14" in html.split("</summary>")[1]


def test_only_plain_web_addresses_become_links_that_open_a_new_tab():
    link = live_page("https://westmidlands.procedures.org.uk/p/ch1?a=1&b=2")
    assert 'href="https://westmidlands.procedures.org.uk/p/ch1?a=1&amp;b=2"' in link
    assert 'target="_blank" rel="noopener noreferrer"' in link and ">westmidlands.procedures.org.uk</a>" in link
    for hostile in ("javascript:alert(1)", "data:text/html,x", 'http://x.org/"onmouseover="alert(1)', "http://user:pw@x.org/",
                    "ftp://x.org/", "http:///nohost", "http://x.org/<script>", None, ""):
        assert live_page(hostile) == "", hostile
    answer = Answer("q", "q", "Text. [1]", False, (cited(1, (), source="a.txt"), cited(2, (), source="b.txt")))
    html = to_markdown(answer, {"a.txt": "http://westmidlands.procedures.org.uk", "b.txt": "javascript:alert(1)"})
    assert html.count("<a ") == 1 and "javascript" not in html
    assert "live page: http://westmidlands.procedures.org.uk" in to_plain_text(answer, {"a.txt": "http://westmidlands.procedures.org.uk"})


def test_related_passages_on_an_abstention_are_labelled_as_not_an_answer():
    abstained = Answer("q", "q", "The procedures I hold don't cover this.", True, related=(cited(1, (UNDATED,)), cited(2, (UNDATED,))))
    html = to_markdown(abstained)
    assert '<details class="related"><summary>Related passages (they do not answer your question)</summary>' in html
    assert html.count('<details class="source">') == 2 and "None of these pages states a print date" in html
    assert "**Sources**" not in html
    text = to_plain_text(abstained)
    assert "Related passages (they do not answer your question):" in text and "Sources:" not in text
    assert to_markdown(Answer("q", "q", "Not covered.", True)) == "Not covered."


def test_a_guidance_pdf_is_cited_by_section_paragraph_page_and_stated_date_and_opens_at_that_page():
    kcsie = replace(chunk("All staff should know what to do if a child tells them they are being abused."),
                    id="kcsie.pdf#40", source="kcsie.pdf", title="Keeping children safe in education 2025",
                    section_path=("Part one: Safeguarding information for all staff",), paragraphs=("15",), page=9,
                    dates=(("published", "2025-07"), ("in force", "2025-09")))
    answer = Answer("q", "q", "All staff should know what to do. [1]", False, (Citation(1, kcsie, 1.0),))
    text = to_plain_text(answer)
    assert ("[1] Keeping children safe in education 2025 · Part one: Safeguarding information for all staff · para 15 · p. 9"
            " · area not stated · published Jul 2025") in text
    html = to_markdown(answer, {"kcsie.pdf": "https://example.org/kcsie.pdf"})
    assert 'href="https://example.org/kcsie.pdf#page=9"' in html and "published </span>Jul 2025" in html
