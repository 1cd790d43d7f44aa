"""The HTML reader: what a procedure page's blocks, title, dates and address come out as."""

from __future__ import annotations

import pytest

from ingest.formats import FormatError
from ingest.read_html import read_html

# A tri.x procedures chapter as served: site chrome around the chapter, an amendment note,
# and the print line in a footer block that content extractors treat as boilerplate.
TRIX_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>1.2 Introduction | West Midlands Safeguarding Children Procedures</title>
<link rel="canonical" href="https://westmidlands.procedures.org.uk/page/intro">
<style>body { font-family: Arial; } .hidden { display: none; }</style>
<script>window.trackingId = "UA-SECRET-1"; document.write("script text");</script>
</head><body>
<div id="cookie-banner" class="cookie-consent"><p>We use cookies to improve your experience of this site. Accept all cookies</p></div>
<header><a href="/">West Midlands Safeguarding Children Procedures</a>
<nav><ul><li><a href="/">Home</a></li><li><a href="/contents">Contents</a></li><li><a href="/search">Search the site</a></li></ul></nav>
<form><label>Please select a partnership to see additional information:</label>
<select><option>Birmingham</option><option>Dudley</option></select></form></header>
<main><article>
<h1>1.2 Introduction</h1>
<div class="amendment"><p>This chapter was updated in May 2024 to reflect Working Together 2023.</p></div>
<h2>1. Scope</h2>
<p>Children are best protected when professionals are clear about what is required of them
   individually and understand how they need to work together. Research has also demonstrated
   that every day counts for children who need additional help.</p>
<p>If a child is in immediate danger, call the <b>police</b> on <a href="tel:999">999</a> now.</p>
<h3>1.1 Key principles</h3>
<p>These procedures follow Working Together to Safeguard Children &amp; rest on two key principles:</p>
<ol><li>Safeguarding is everyone&rsquo;s responsibility: each professional should play their full part.</li>
<li>A child-centred approach:
  <ul><li>&bull; protecting children from maltreatment</li><li>preventing impairment of children's health</li></ul></li></ol>
<h4>Escalation</h4>
<p>Concerns about another agency's response are escalated to a manager within two working days.</p>
<h2>2. Contacts</h2>
<table><tr><th>Agency</th><th>Telephone</th></tr>
<tr><td>Children's Services</td><td>0121 303 1888</td></tr>
<tr><td>Police</td><td><b>101</b> (or 999 in an emergency)</td></tr></table>
</article></main>
<footer><div class="print-footer"><p>This page is correct as printed on Saturday 21st of December 2024 04:51:56 PM
please refer back to this website (http://westmidlands.procedures.org.uk) for updates.</p></div>
<p>Copyright tri.x 2024. Privacy policy. Accessibility statement.</p></footer>
</body></html>"""


@pytest.fixture(scope="module")
def chapter():
    return read_html(TRIX_PAGE.encode("utf-8"))


def texts(document, kind):
    return [block.text for block in document.blocks if block.kind == kind]


def test_headings_keep_their_depth_from_h1_to_h4(chapter):
    headings = [(b.text, b.level) for b in chapter.blocks if b.kind == "heading"]
    assert headings == [("1.2 Introduction", 1), ("1. Scope", 2), ("1.1 Key principles", 3), ("Escalation", 4), ("2. Contacts", 2)]


def test_heading_levels_start_at_one_when_a_page_starts_at_h2():
    page = "<html><body><main>" + "".join(
        f"<h{n}>Section at depth {n}</h{n}><p>{'Practitioners record every concern in the child’s file. ' * 3}</p>" for n in (2, 3, 4)
    ) + "</main></body></html>"
    levels = [b.level for b in read_html(page.encode()).blocks if b.kind == "heading"]
    assert levels == [1, 2, 3]


def test_paragraphs_have_collapsed_whitespace_and_decoded_entities(chapter):
    paragraphs = texts(chapter, "paragraph")
    assert paragraphs[1].startswith("Children are best protected when professionals are clear about what is required of them individually")
    assert "These procedures follow Working Together to Safeguard Children & rest on two key principles:" in paragraphs
    assert not any("  " in text or "\n" in text or "&amp;" in text or "<" in text for text in paragraphs)


def test_inline_markup_keeps_the_spaces_around_it(chapter):
    assert "If a child is in immediate danger, call the police on 999 now." in texts(chapter, "paragraph")


def test_list_items_lose_their_bullets_and_nested_lists_keep_their_items(chapter):
    assert texts(chapter, "item") == [
        "Safeguarding is everyone’s responsibility: each professional should play their full part.",
        "A child-centred approach:",
        "protecting children from maltreatment",
        "preventing impairment of children's health",
    ]


def test_table_rows_join_their_cells(chapter):
    assert texts(chapter, "row") == ["Agency | Telephone", "Children's Services | 0121 303 1888", "Police | 101 (or 999 in an emergency)"]


def test_title_drops_the_site_name_as_trafilatura_does(chapter):
    assert chapter.title == "1.2 Introduction"


def test_og_title_when_the_page_has_no_title_element():
    page = '<html><head><meta property="og:title" content="Allegations against staff"></head><body><p>Report it.</p></body></html>'
    assert read_html(page.encode()).title == "Allegations against staff"


def test_canonical_address_is_the_source_url(chapter):
    assert chapter.source_url == "https://westmidlands.procedures.org.uk/page/intro"


@pytest.mark.parametrize("href", ["/page/intro", "javascript:alert(1)", "ftp://example.org/intro"])
def test_a_canonical_address_that_is_not_http_is_ignored(href):
    page = f'<html><head><link rel="canonical" href="{href}"></head><body><p>Report it.</p></body></html>'
    assert read_html(page.encode()).source_url is None


def test_dates_are_the_print_line_and_the_amendment(chapter):
    assert [(d.kind, d.date) for d in chapter.dates] == [("updated", "2024-05"), ("printed", "2024-12-21")]
    assert chapter.dates[1].said.startswith("This page is correct as printed on Saturday 21st of December 2024")


def test_print_line_in_the_footer_stays_a_paragraph_of_its_own_at_the_end(chapter):
    last = chapter.blocks[-1]
    assert (last.kind, last.text) == ("paragraph", "This page is correct as printed on Saturday 21st of December 2024 04:51:56 PM "
                                      "please refer back to this website (http://westmidlands.procedures.org.uk) for updates.")


def test_amendment_line_sits_where_the_page_has_it(chapter):
    assert chapter.blocks[1].text == "This chapter was updated in May 2024 to reflect Working Together 2023."


def test_a_print_line_under_a_line_break_still_stands_alone():
    page = f"""<html><body><main><h1>Neglect</h1><p>{'Neglect is the persistent failure to meet a child’s basic needs. ' * 5}</p></main>
    <div id="site-footer">Copyright tri.x 2019<br>This page is correct as printed on Friday 22nd of November 2019 01:50:13 PM</div></body></html>"""
    document = read_html(page.encode())
    assert document.blocks[-1].text == "This page is correct as printed on Friday 22nd of November 2019 01:50:13 PM"
    assert [(d.kind, d.date) for d in document.dates] == [("printed", "2019-11-22")]
    assert not any("Copyright" in block.text for block in document.blocks)


def test_navigation_scripts_styles_cookie_banner_and_footer_are_dropped(chapter):
    everything = " ".join(block.text for block in chapter.blocks)
    for chrome in ("Home", "Search the site", "trackingId", "script text", "font-family", "cookies",
                   "Please select a partnership", "Birmingham", "Copyright", "Privacy policy"):
        assert chrome not in everything


def test_a_tiny_page_is_read_whole_with_its_structure_but_no_chrome():
    page = b"""<html><head><title>Urgent</title><script>var hidden = 1;</script></head><body>
    <nav><a href="/">Home</a></nav><h2>If a child is at risk</h2><div>Call the <b>police</b> on <a>999</a> now</div>
    <ul><li>Tell your manager</li></ul><style>p { color: red }</style></body></html>"""
    document = read_html(page)
    assert [(b.kind, b.text) for b in document.blocks] == [
        ("heading", "If a child is at risk"), ("paragraph", "Call the police on 999 now"), ("item", "Tell your manager")]
    assert document.blocks[0].level == 1 and document.title == "Urgent"


def test_markup_written_as_text_stays_text():
    document = read_html(b"<html><body><p>Type &lt;b&gt;urgent&lt;/b&gt; in the subject line.</p></body></html>")
    assert [b.text for b in document.blocks] == ["Type <b>urgent</b> in the subject line."]


@pytest.mark.parametrize("data", [b"", b"<html><body>  <script>only()</script> </body></html>", b"\x00\x01\x02 binary"])
def test_a_page_with_nothing_to_read_is_a_format_error(data):
    with pytest.raises(FormatError):
        read_html(data)


def test_a_paragraph_that_is_a_links_text_is_known_as_a_link_and_a_sentence_with_a_link_in_it_is_not():
    # (trafilatura drops a list made of links alone as the site's navigation.)
    page = b"""<html><head><title>Further advice</title></head><body><main>
    <h1>Further advice</h1>
    <p>Read <a href="https://example.org/wt">Working Together</a> for how the local safeguarding partners work with schools, colleges and the police.</p>
    <p><a href="https://www.gov.uk/what-to-do">What to do if you're worried a child is being abused</a> - DfE advice</p>
    <p>Staff who are worried about a child should speak to the designated safeguarding lead straight away, and record what they saw.</p>
    <p><a href="tel:01216751669">LADO: 0121 675 1669</a></p>
    </main></body></html>"""
    # A phone link is a contact, the page's own words, not another resource.
    assert [(b.text[:20], b.linked) for b in read_html(page).blocks if b.kind != "heading"] == [
        ("Read Working Togethe", False), ("What to do if you're", True), ("Staff who are worrie", False), ("LADO: 0121 675 1669", False)]


def test_headings_keep_their_depth_down_to_h6():
    body = "".join(f"<h{n}>Level {n} heading</h{n}><p>Paragraph under level {n} with enough words to be kept by the extractor as body text of the page.</p>" for n in range(1, 7))
    page = f"<html><head><title>Levels</title></head><body><main>{body}</main></body></html>".encode()
    assert [(b.level, b.text) for b in read_html(page).blocks if b.kind == "heading"] == [(n, f"Level {n} heading") for n in range(1, 7)]


def test_a_phone_link_alone_in_the_content_is_kept_and_one_in_the_site_footer_is_not():
    # trafilatura drops a paragraph that is only a link; a phone number is what a practitioner needs.
    page = b"""<html><head><title>Allegations against staff</title></head><body>
    <main><h1>Allegations against staff</h1>
    <p>Staff who are worried about the conduct of a colleague towards a child should tell the headteacher on the same day.</p>
    <p>The headteacher should then speak to the local authority designated officer before any investigation begins.</p>
    <p><a href="tel:01216751669">LADO: 0121 675 1669</a></p></main>
    <footer><a href="tel:01213031111">Council switchboard: 0121 303 1111</a></footer>
    </body></html>"""
    texts = [b.text for b in read_html(page).blocks]
    assert texts[-1] == "LADO: 0121 675 1669" and not any("switchboard" in text for text in texts)
