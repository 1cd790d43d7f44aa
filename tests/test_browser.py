"""The chat as a practitioner sees it, in Debian's Chromium: answers with markers, sources
with dates and ages, follow-ups, abstention, hostile text shown inert, area filter, copy,
feedback, keyboard use and a narrow phone screen. A screenshot is saved per test."""

import json
import re
import shutil

import pytest
from browser import browser_page, running_app, screenshot
from conftest import ROOT
from playwright.sync_api import expect

HOSTILE = (
    "Hostile Test Chapter\n\n"
    "Record keeping for bruising concerns: <script>window.pwned = 1</script> "
    "<img src=x onerror=\"window.pwned = 2\"> [open the form](javascript:window.pwned=3) "
    "![tracker](http://127.0.0.1:9/pixel.png) practitioners must record every bruise on a non-mobile baby.\n\n"
    + "Unbroken" * 3000 + "\n"
)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser")
    corpus = root / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    (corpus / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    settings = {"corpus_dir": str(corpus), "index_dir": str(root / "index"), "feedback_path": str(root / "feedback.jsonl")}
    with running_app(root / "app.log", **settings) as url:
        yield url, root


@pytest.fixture
def page(app):
    with browser_page() as page:
        page.goto(app[0])
        yield page


def ask(page, question: str) -> str:
    """Type a question, press Enter, and return the text of the newest reply."""
    replies = page.locator("#chat .message-row.bot-row")
    before = replies.count()
    page.get_by_label("Your question").fill(question)
    page.keyboard.press("Enter")
    expect(replies).to_have_count(before + 1, timeout=30000)
    expect(replies.last).to_contain_text("call 999", timeout=30000)
    return replies.last.inner_text()


def test_answer_shows_markers_sources_print_dates_and_999(page):
    reply = ask(page, "which local authority areas do the west midlands procedures cover?")
    assert re.search(r"\[1\]", reply)
    assert "1.2 Introduction" in reply and "West Midlands" in reply
    assert re.search(r"printed 21 Dec 2024 · \d+ (year|month)s? ago", reply)
    assert "If a child is in immediate danger, call 999" in page.locator("#safety-notice").inner_text()
    page.locator("#chat details").first.click()
    expect(page.locator("#chat details mark").first).to_be_visible()
    screenshot(page, "answer-with-sources")


def test_follow_up_and_abstention(page):
    ask(page, "who is responsible for safeguarding children?")
    follow = ask(page, "what about schools?")
    assert "school" in follow.split("Sources")[0].lower()
    off = ask(page, "what's the capital of France?")
    assert "don't cover this" in off and "children's social care" in off
    assert page.locator("#chat .message-row.bot-row").last.locator("details").count() == 0
    screenshot(page, "follow-up-and-abstention")


def test_hostile_document_text_is_shown_as_text_and_never_runs(page):
    reply = ask(page, "what must practitioners record about bruising on a non-mobile baby?")
    page.locator("#chat details").first.click()
    passage = page.locator("#chat details").first.inner_text()
    assert "<script>window.pwned = 1</script>" in passage and "javascript:" in passage
    assert page.evaluate("window.pwned === undefined")
    assert page.locator("#chat img[src='x'], #chat a[href^='javascript'], #chat img[src*='pixel.png'], #chat script").count() == 0
    assert "Hostile Test Chapter" in reply
    screenshot(page, "hostile-document-inert")


def test_area_filter_keeps_to_one_partnership_and_unstated_areas(page):
    page.get_by_label("Procedures from").click()
    page.get_by_role("option", name="Milton Keynes").click()
    reply = ask(page, "what should I do if I have concerns about a child's welfare?")
    sources = [line for line in reply.split("\n") if line.startswith("[")]
    assert sources and all("Milton Keynes" in s or "area not stated" in s for s in sources)
    assert not any("West Midlands" in s for s in sources)
    screenshot(page, "area-filter")


def test_copy_gives_plain_text_with_print_dates(page):
    ask(page, "what did the MKSCB partner agencies commit to?")
    page.get_by_text("Copy the last answer as plain text").click()
    text = page.locator("#plain-answer textarea").input_value()
    assert "Sources:" in text and "printed 22 Nov 2019" in text and "&#" not in text and "<" not in text
    assert "warning: mentions LSCBs" in text


def test_feedback_is_stored_without_the_question(page, app):
    ask(page, "does the guidance apply to schools?")
    page.locator("#chat button[aria-label='Dislike'], #chat button[title='Dislike']").last.click()
    expect(page.locator("#feedback-thanks")).to_contain_text("feedback was saved", timeout=15000)
    entries = [json.loads(line) for line in (app[1] / "feedback.jsonl").read_text().splitlines()]
    assert entries[-1]["rating"] == "down" and entries[-1]["sources"]
    assert "question" not in entries[-1] and "apply to schools" not in json.dumps(entries)


def test_enter_sends_and_focus_returns_to_the_box(page):
    ask(page, "what age is a child?")
    page.get_by_role("button", name="Send").click()  # an empty send changes nothing harmful
    page.wait_for_timeout(1500)
    assert page.evaluate("document.activeElement?.closest('#question') !== null")


def test_phone_width_layout(app):
    with browser_page(width=390, height=844) as page:
        page.goto(app[0])
        ask(page, "what does child-centred mean?")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 2
        for label in ("Your question", "Procedures from"):
            expect(page.get_by_label(label)).to_be_visible()
        screenshot(page, "phone-390px")
