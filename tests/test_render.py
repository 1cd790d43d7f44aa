"""What the chat shows: document text is inert, print dates are stated or "not stated"."""

from datetime import date

from answer.render import inert, print_date_label, source_line, to_markdown, to_plain_text
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
    assert html.count("<details>") == 1


def test_print_dates_are_shown_as_printed_or_not_stated():
    today = date(2026, 11, 23)
    assert print_date_label("2024-12-21", today) == "printed 21 Dec 2024 · 1 year ago"
    assert print_date_label("2019-11-22", today) == "printed 22 Nov 2019 · 7 years ago"
    assert print_date_label("2023-02", today) == "printed Feb 2023 · 3 years ago"
    assert print_date_label(None) == "print date not stated"
    assert source_line(chunk("t", None)).endswith("area not stated · print date not stated")
    assert "Section, para 14 · Milton Keynes · printed 22 Nov 2019 · " in source_line(chunk("t", "2019-11-22", "Milton Keynes"))


def test_plain_text_copy_carries_sources_and_print_dates():
    citation = Citation(1, chunk("Call the police.", "2019-11-22"), 1.0, also_in=(chunk("Call the police.", None),))
    text = to_plain_text(Answer("q", "q", "Call the police. [1]", False, (citation,)))
    assert "[1] Title <b> · Section, para 14 · area not stated · printed 22 Nov 2019" in text
    assert "also in: " in text and "print date not stated" in text
