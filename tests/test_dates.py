"""Print dates: every common form parses to ISO; a broken or absent one is never guessed."""

import pytest
from conftest import corpus_text

from ingest.clean import clean
from ingest.dates import extract_print_date, parse_date, stamp_date


@pytest.mark.parametrize(
    "line, expected",
    [
        ("This page is correct as printed on Saturday 21st of December 2024 04:51:56 PM please refer back to this website (http://westmidlands.procedures.org.uk) for updates.", "2024-12-21"),
        ("This page is correct as printed on Friday 22nd of November 2019 01:50:13 PM please refer back to this website ( for updates.", "2019-11-22"),
        ("Last updated 18/05/2017", "2017-05-18"),
        ("Last reviewed in Feb 2023", "2023-02"),
        ("Updated: 25th April 2024", "2024-04-25"),
        ("Page last updated: 3 March 2021", "2021-03-03"),
        ("Last updated on 2022-01-12", "2022-01-12"),
        ("Last amended September 4, 2020", "2020-09-04"),
    ],
)
def test_stamp_forms_parse_to_iso(line, expected):
    assert stamp_date(line) == (True, expected)


def test_a_printed_stamp_without_a_readable_date_is_removed_but_gives_no_date():
    assert stamp_date("This page is correct as printed on  please refer back to this website ( for updates.") == (True, None)


@pytest.mark.parametrize("line", ["Last updated 31/02/2017", "Updated: sometime soon", "Reviewed plans must be shared with the family and the child."])
def test_impossible_dates_and_body_text_are_not_stamps(line):
    assert stamp_date(line) == (False, None)


def test_parse_date_reads_uk_day_first_order():
    assert parse_date("04/05/2021") == "2021-05-04"


@pytest.mark.parametrize(
    "name, expected",
    [
        ("000_7e969022eef22aac.txt", "2024-12-21"),
        ("003_59e7203d59049fa8.txt", "2019-11-22"),  # the broken "website ( for updates." form
        ("001_85fc01a5fa2a4b07.txt", None),
        ("002_6e6ee004ff62726c.txt", None),
        ("004_d47f850b34cc143b.txt", None),
    ],
)
def test_corpus_print_dates_and_the_stamp_leaves_the_text(name, expected):
    printed, lines, stamps = extract_print_date(clean(corpus_text(name)))
    assert printed == expected
    assert not any("correct as printed" in line.text for line in lines)
    assert [("correct as printed" in line.text) for line in stamps] == ([True] if expected else [])


def test_printed_stamp_wins_over_an_updated_line():
    text = "Title\n\nLast updated 18/05/2017\n\nBody text here.\n\nThis page is correct as printed on Monday 3rd of June 2024 10:00:00 AM please refer back."
    printed, lines, stamps = extract_print_date(clean(text))
    assert printed == "2024-06-03"
    assert [line.text for line in lines if line.text] == ["Title", "Body text here."]
    assert [line.text for line in stamps] == ["Last updated 18/05/2017", "This page is correct as printed on Monday 3rd of June 2024 10:00:00 AM please refer back."]


def test_a_repeated_print_footer_is_one_stamp_and_an_undated_one_none():
    footer = "This page is correct as printed on Monday 3rd of June 2024 10:00:00 AM please refer back."
    text = f"Title\n\nBody text here.\n\n{footer}\n\nMore body text.\n\n{footer}\n\nThis page is correct as printed on  please refer back."
    printed, lines, stamps = extract_print_date(clean(text))
    assert printed == "2024-06-03" and [line.text for line in stamps] == [footer]
    assert not any("correct as printed" in line.text for line in lines)


@pytest.mark.parametrize(
    ("text", "stated"),
    [
        ("Published: July 2025", [("published", "2025-07")]),
        ("Last updated 12 May 2024", [("updated", "2024-05-12")]),
        ("This guidance comes into force on 1 September 2025.", [("in force", "2025-09-01")]),
        ("This page is correct as printed on Saturday 21st of December 2024", [("printed", "2024-12-21")]),
        ("This page was printed on 3 March 2025", [("printed", "2025-03-03")]),
        ("Printed on: 03/03/2025", [("printed", "2025-03-03")]),
        ("Amended: This chapter was amended in June 2024 to add a section on online harm.", [("updated", "2024-06")]),
        ("Revision dates: January 2015, January 2022, February 2025", [("updated", "2025-02")]),
        ("Publication date: October 2010", [("published", "2010-10")]),
        # Body text that names a date is no statement about the document itself.
        ("The council published guidance on children in need on 12 May 2024.", []),
        ("Working Together to Safeguard Children 2023 sets out the duties.", []),
        # Another document's dates, and dates that have not come yet, are not this one's.
        ("Working Together to Safeguard Children was published in December 2023.", []),
        ("Updated ‘Who Pays?’ guidance came into effect from 1 July 2022.", []),
        ("This guidance will be updated in September 2026.", []),
        ("Next revision date: March 2027", []),
        ("Printed copies of this page may be out of date.", []),
    ],
)
def test_a_document_states_its_dates_with_their_kinds_and_nothing_is_inferred(text, stated):
    from ingest.dates import dated_statements

    assert dated_statements(text) == stated


def test_a_cover_date_is_the_edition_and_only_the_first_pages_are_read():
    from ingest.blocks import TextBlock
    from ingest.dates import document_dates

    blocks = [
        TextBlock("heading", "Keeping children safe in education 2025", level=1, page=1),
        TextBlock("paragraph", "July 2025 (for information) version, pending publication of final version which comes into force in September 2025.", page=1),
        TextBlock("paragraph", "Schools were inspected in March 2019 and revised their policies.", page=2),
        TextBlock("paragraph", "Last updated 3 March 2020", page=40),  # deep in the body: about something else
    ]
    assert sorted((d.kind, d.date) for d in document_dates(blocks)) == [("in force", "2025-09"), ("published", "2025-07")]


def test_a_report_covers_a_period_its_cover_dates_are_not_its_edition():
    from ingest.blocks import TextBlock
    from ingest.dates import document_dates

    blocks = [
        TextBlock("heading", "Safeguarding partnership annual report", level=1, page=1),
        TextBlock("paragraph", "April 2024 to March 2025", page=1),
        TextBlock("paragraph", "Published: 30 September 2025", page=1),
    ]
    assert [(d.kind, d.date) for d in document_dates(blocks)] == [("published", "2025-09-30")]


def test_a_web_page_is_dated_by_its_own_lines_not_by_the_documents_it_mentions():
    from ingest.read_html import read_html

    page = b"""<html><head><title>Child protection enquiries</title></head><body><main>
    <h1>Child protection enquiries</h1>
    <p>Working Together to Safeguard Children was published in December 2023 and replaced the 2018 edition.</p>
    <p>This chapter will be updated in September 2026 when the national framework changes.</p>
    <p>Amended: This chapter was amended in June 2024 to add a section on online harm.</p>
    <p>Strategy discussions should be held within one working day of the referral being accepted.</p>
    <p>This page was printed on 3 March 2025.</p>
    </main></body></html>"""
    assert sorted((d.kind, d.date) for d in read_html(page).dates) == [("printed", "2025-03-03"), ("updated", "2024-06")]


def test_plain_text_states_its_dates_on_lines_that_stay_body_text(tmp_path):
    from config import Settings
    from ingest.load import load
    from ingest.prepare import prepare

    path = tmp_path / "procedure.txt"
    path.write_text(
        "Referrals to children's social care\n\nPublished: July 2025\n\n"
        "This procedure comes into force on 1 September 2025.\n\n"
        "Any practitioner who is worried that a child is being harmed should\nspeak to their safeguarding lead the same day.\n"
    )
    document, chunks = prepare(load(path, {}, Settings()), Settings())
    assert document.dates == (("published", "2025-07"), ("in force", "2025-09-01"))
    # Neither the date line nor a wrapped line is taken for a heading the next passage sits under.
    assert {c.section for c in chunks} == {"Referrals to children's social care"}
    assert any("should speak to their safeguarding lead the same day." in " ".join(c.text.split()) for c in chunks)
