"""The chat as a practitioner sees it, in Debian's Chromium on a desktop (1280×1400) and a
phone (390×844): the newest answer's first line in view, sources one line each, warnings
said once, live-page links, related passages on an abstention, no admin panel, keyboard
use, axe-core, hostile text shown inert, area filter, copy and feedback, and nothing of a
question kept in the browser. One app serves the whole module; screenshots go to
tests/screenshots/."""

import json
import re
import shutil

import pytest
from browser import SCREENS, browser_page, running_app, screenshot, serious_accessibility_problems
from conftest import ROOT
from playwright.sync_api import expect

HOSTILE = (
    "Hostile Test Chapter\n\n"
    "Record keeping for bruising concerns: <script>window.pwned = 1</script> "
    "<img src=x onerror=\"window.pwned = 2\"> [open the form](javascript:window.pwned=3) "
    "![tracker](http://127.0.0.1:9/pixel.png) practitioners must record every bruise on a non-mobile baby.\n\n"
    + "Unbroken" * 3000 + "\n"
)
WEST_MIDLANDS = "which local authority areas do the west midlands procedures cover?"
LIVE_PAGE = "http://westmidlands.procedures.org.uk"  # from corpus/manifest.toml
# The lead suggested the LADO timescales; the assistant answers that one from Working Together.
NEAR_DOMAIN = "what is the phone number for children's social care in Birmingham?"
OFF_TOPIC = "what's the weather tomorrow in Leeds"
# A made-up child and address, as a worried practitioner would type them.
CASE_DETAILS = ("Zephyrine Quillfeather", "17 Marrowgate Lane")
# Everything the page's origin keeps in the browser: localStorage, sessionStorage, and every
# IndexedDB database's stores (keys and values), as one string.
BROWSER_STORAGE = """async () => {
  const dump = (storage) => Object.keys(storage).map(k => k + '=' + storage.getItem(k));
  const kept = [...dump(localStorage), ...dump(sessionStorage)];
  const read = (request) => new Promise((resolve, reject) => { request.onsuccess = () => resolve(request.result); request.onerror = () => reject(request.error); });
  for (const info of await indexedDB.databases()) {
    const db = await read(indexedDB.open(info.name));
    for (const name of db.objectStoreNames) {
      const store = db.transaction(name, 'readonly').objectStore(name);
      kept.push(info.name + '/' + name, JSON.stringify(await read(store.getAllKeys())), JSON.stringify(await read(store.getAll())));
    }
    db.close();
  }
  return kept.join('\\n');
}"""
RELATED = "Related passages (they do not answer your question)"
# The newest answer's first line: inside the chat's visible part, on screen, and not
# covered by anything (elementFromPoint finds the answer itself there).
FIRST_LINE_IN_VIEW = """() => {
  const row = [...document.querySelectorAll('#chat .message-row.bot-row')].pop();
  const walker = document.createTreeWalker(row, NodeFilter.SHOW_TEXT, n => n.textContent.trim() ? 1 : 3);
  const range = document.createRange();
  range.selectNodeContents(walker.nextNode());
  const line = range.getClientRects()[0], chat = document.querySelector('#chat').getBoundingClientRect();
  const middle = line.top + line.height / 2;
  return line.top >= Math.max(chat.top, 0) && line.bottom <= Math.min(chat.bottom, innerHeight)
    && row.contains(document.elementFromPoint(line.left + 2, middle));
}"""


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser")
    corpus = root / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    (corpus / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    settings = {"corpus_dir": str(corpus), "index_dir": str(root / "index"), "feedback_path": str(root / "feedback.jsonl"),
                "admin_password": "a password, so that the admin page exists"}
    with running_app(root / "app.log", **settings) as url:
        yield url, root


@pytest.fixture
def page(app):
    with browser_page(*SCREENS["desktop"]) as page:
        page.goto(app[0])
        yield page


@pytest.fixture(params=sorted(SCREENS))
def screen(app, request):
    """The chat page on each screen size in turn; the test's name for screenshots is `screen.size`."""
    with browser_page(*SCREENS[request.param]) as page:
        page.size = request.param
        page.goto(app[0])
        yield page


def ask(page, question: str) -> str:
    """Type a question, press Enter, and return the text of the newest reply."""
    replies = page.locator("#chat .message-row.bot-row")
    before = replies.count()
    page.get_by_label("Your question", exact=True).fill(question)
    page.keyboard.press("Enter")
    expect(replies).to_have_count(before + 1, timeout=30000)
    expect(replies.last).to_contain_text("call 999", timeout=30000)
    return replies.last.inner_text()


def newest(page):
    return page.locator("#chat .message-row.bot-row").last


def test_the_newest_answers_first_line_is_in_view_when_it_arrives(screen):
    ask(screen, "who is responsible for safeguarding children?")
    ask(screen, WEST_MIDLANDS)
    screen.wait_for_function(FIRST_LINE_IN_VIEW, timeout=5000)
    assert screen.evaluate("document.documentElement.scrollWidth") <= screen.viewport_size["width"] + 2
    expect(screen.get_by_label("Your question", exact=True)).to_be_in_viewport()
    screenshot(screen, f"first-line-in-view-{screen.size}", full_page=False)


def test_each_source_is_one_short_line_and_each_warning_is_said_once(screen):
    reply = ask(screen, WEST_MIDLANDS)
    summaries = newest(screen).locator("details.source > summary")
    assert summaries.count() >= 3
    line_height = summaries.first.evaluate("s => parseFloat(getComputedStyle(s).lineHeight)")
    assert all(box["height"] < 1.6 * line_height for box in (s.bounding_box() for s in summaries.all()))
    assert "Safeguarding is everyone" not in summaries.all_inner_texts()[1]  # the section path waits inside
    warnings = [line for line in reply.split("\n") if line.startswith("⚠")]
    assert len(warnings) == len(set(warnings)) and reply.count("check the live procedures") == 1
    assert re.search(r"⚠ (\[\d\] ){2,}mention LSCBs", reply) and reply.count("LSCBs, replaced") == 1
    screenshot(screen, f"grouped-warnings-{screen.size}")


def test_a_source_with_a_live_address_links_to_it_in_a_new_tab(screen):
    screen.context.route(f"{LIVE_PAGE}/**", lambda route: route.fulfill(body="<title>West Midlands procedures</title>live", content_type="text/html"))
    ask(screen, WEST_MIDLANDS)
    sources = newest(screen).locator("details.source")
    linked = newest(screen).locator("details.source:has(a[href^='http'])")
    # only the West Midlands page has an address in the manifest
    assert 0 < linked.count() == sources.filter(has_text="West Midlands").count() < sources.count()
    linked.first.locator("summary").click()
    link = linked.first.locator("a[href^='http']")
    expect(link).to_have_text("westmidlands.procedures.org.uk")
    assert link.get_attribute("href") == LIVE_PAGE and link.get_attribute("target") == "_blank"
    assert set(link.get_attribute("rel").split()) >= {"noopener", "noreferrer"}
    screenshot(screen, f"live-page-link-{screen.size}", full_page=False)
    with screen.expect_popup() as popup:
        link.click()
    popup.value.wait_for_load_state()
    assert popup.value.url.startswith(LIVE_PAGE) and popup.value.title() == "West Midlands procedures"


def test_an_abstention_shows_related_passages_apart_and_an_off_topic_one_none(screen):
    reply = ask(screen, NEAR_DOMAIN)
    assert "don't cover this" in reply and "Sources" not in reply
    related = newest(screen).locator("details.related")
    expect(related.locator("> summary")).to_have_text(RELATED)
    assert related.get_attribute("open") is None and related.evaluate("d => getComputedStyle(d).borderTopStyle") == "dashed"
    related.locator("> summary").click()
    assert related.locator("details.source").count() >= 1
    screenshot(screen, f"related-passages-{screen.size}")
    off = ask(screen, OFF_TOPIC)
    assert "don't cover this" in off and newest(screen).locator("details").count() == 0


def test_the_chat_page_shows_no_admin_panel_and_admin_has_its_own_address(screen, app):
    expect(screen.get_by_label("Your question", exact=True)).to_be_visible()
    assert screen.get_by_text(re.compile("admin", re.IGNORECASE)).count() == 0
    assert screen.get_by_label("Admin password").count() == 0 and not screen.locator("nav").is_visible()
    screen.goto(app[0] + "admin")
    expect(screen.get_by_label("Admin password")).to_be_visible()


def test_keyboard_only_tab_to_the_box_enter_to_send_focus_returns(screen):
    expect(screen.get_by_label("Your question", exact=True)).to_be_visible()
    screen.evaluate("document.activeElement?.blur()")
    for _ in range(30):
        screen.keyboard.press("Tab")
        if screen.evaluate("document.activeElement?.closest('#question') !== null"):
            break
    else:
        pytest.fail("Tab never reached the question box")
    replies = screen.locator("#chat .message-row.bot-row")
    screen.keyboard.type("what age is a child?")
    screen.keyboard.press("Enter")
    expect(replies).to_have_count(1, timeout=30000)
    expect(replies.last).to_contain_text("call 999", timeout=30000)
    screen.wait_for_function("document.activeElement?.closest('#question') !== null", timeout=5000)


def test_no_serious_accessibility_violations_on_the_chat_page(screen):
    ask(screen, WEST_MIDLANDS)
    problems = serious_accessibility_problems(screen)
    assert not problems, "\n".join(problems)


def test_sources_open_on_section_print_date_age_and_highlights(page):
    reply = ask(page, WEST_MIDLANDS)
    assert re.search(r"\[1\]", reply)
    assert "1.2 Introduction" in reply and "West Midlands" in reply and "printed 21 Dec 2024" in reply
    assert "If a child is in immediate danger, call 999" in page.locator("#safety-notice").inner_text()
    page.locator("#chat details.source > summary").first.click()
    expect(page.locator("#chat details .source-place").first).to_contain_text(re.compile(r"printed 21 Dec 2024 · \d+ (year|month)s? ago"))
    expect(page.locator("#chat details mark").first).to_be_visible()
    screenshot(page, "answer-with-sources")


def test_follow_up_and_abstention(page):
    ask(page, "who is responsible for safeguarding children?")
    follow = ask(page, "what about schools?")
    assert "school" in follow.split("Sources")[0].lower()
    off = ask(page, "what's the capital of France?")
    assert "don't cover this" in off and "children's social care" in off
    assert newest(page).locator("details").count() == 0
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
    ask(page, "what should I do if I have concerns about a child's welfare?")
    sources = newest(page).locator("details.source > summary").all_inner_texts()
    assert sources and any("Milton Keynes" in s for s in sources)
    assert not any("West Midlands" in s for s in sources)
    screenshot(page, "area-filter")


def test_copy_gives_plain_text_with_print_dates_and_grouped_warnings(page):
    ask(page, "what did the MKSCB partner agencies commit to?")
    page.get_by_text("Copy the last answer as plain text").click()
    text = page.locator("#plain-answer textarea").input_value()
    assert "Sources:" in text and "printed 22 Nov 2019" in text and "&#" not in text and "<" not in text
    assert re.search(r"^⚠ (\[\d\] )+mentions? LSCBs", text, re.MULTILINE) and text.count("LSCBs, replaced") == 1


def test_feedback_is_stored_without_the_question(page, app):
    ask(page, "does the guidance apply to schools?")
    page.locator("#chat button[aria-label='Dislike'], #chat button[title='Dislike']").last.click()
    expect(page.locator("#feedback-thanks")).to_contain_text("feedback was saved", timeout=15000)
    entries = [json.loads(line) for line in (app[1] / "feedback.jsonl").read_text().splitlines()]
    assert entries[-1]["rating"] == "down" and entries[-1]["sources"]
    assert "question" not in entries[-1] and "apply to schools" not in json.dumps(entries)


def test_a_question_naming_a_child_leaves_nothing_of_it_in_the_browser(page, app):
    """Gradio 6 keeps run history in localStorage and lists it at /gradio_api/runs: on a shared
    office PC that discloses the case to the next user (issue 24)."""
    child, address = CASE_DETAILS
    page.evaluate("localStorage.setItem('probe', 'storage works'); sessionStorage.setItem('probe', 'here too')")
    ask(page, f"{child} at {address} has bruises on her arms, who do I tell?")
    page.wait_for_timeout(1500)  # Gradio saves a run just after its answer arrives
    page.reload()
    expect(page.get_by_label("Your question", exact=True)).to_be_visible()
    page.wait_for_timeout(1000)
    stored = page.evaluate(BROWSER_STORAGE)
    assert "storage works" in stored and "here too" in stored  # the dump reads what is there
    for detail in (child, *child.split(), address, "Marrowgate", "bruises on her arms"):
        assert detail not in stored, f"{detail!r} is kept in the browser"
    assert "run-history" not in stored
    assert page.get_by_role("link", name=re.compile("^Runs", re.IGNORECASE)).count() == 0
    assert page.request.get(app[0] + "gradio_api/runs").status == 404


def test_markup_typed_into_a_question_shows_as_typed_and_fetches_nothing(page):
    fetched = []
    page.on("request", lambda request: fetched.append(request.url) if ":9/" in request.url else None)
    question = "what must I record? [the form](http://127.0.0.1:9/form) ![x](http://127.0.0.1:9/pixel.png) <b>now</b> *urgent*"
    ask(page, question)
    bubble = page.locator("#chat .message-row.user-row").last
    expect(bubble).to_contain_text(question)
    assert bubble.locator("a, img, b, em").count() == 0
    page.wait_for_timeout(500)
    assert fetched == []


def choose_feedback(page, option: str) -> None:
    """One of the newest answer's extra feedback options, from the menu its Feedback button opens
    on hover (a CSS :hover menu that headless Chromium keeps open unreliably, so the option's
    click is dispatched to it once the menu is there)."""
    newest(page).get_by_role("button", name="Feedback").hover()
    newest(page).get_by_text(option, exact=True).dispatch_event("click")


def test_one_out_of_date_click_is_one_record_and_taking_it_back_withdraws_it(page, app):
    import feedback

    path = app[1] / "feedback.jsonl"
    before = path.read_text().splitlines() if path.exists() else []
    tallied, _ = feedback.tallies(path)
    ask(page, "who should I contact about a child missing from education?")
    choose_feedback(page, "Out of date")
    expect(page.locator("#feedback-thanks")).to_contain_text("feedback was saved", timeout=15000)
    page.wait_for_timeout(1500)  # Gradio's menu sends its choice twice; both have arrived by now
    written = [json.loads(line) for line in path.read_text().splitlines()[len(before):]]
    assert [entry["rating"] for entry in written] == ["Out of date"]
    assert feedback.tallies(path)[0].get("Out of date", 0) == tallied.get("Out of date", 0) + 1

    choose_feedback(page, "Out of date")  # chosen again: taken back
    expect(page.locator("#feedback-thanks")).to_contain_text("withdrawn", timeout=15000)
    page.wait_for_timeout(1500)
    written = [json.loads(line) for line in path.read_text().splitlines()[len(before):]]
    assert all(entry["rating"] != "" for entry in written) and len(written) == 2
    assert feedback.tallies(path)[0] == tallied
