"""The admin page (/admin) in a real browser: a sign-in page in front of it, uploads safely
named, re-ingest publishes at once, the log shows the run; a chapter's details edited (bad
addresses refused), a chapter retired, the review table, sign-out. Half-written log lines."""

import re
import shutil

import pytest
from playwright.sync_api import expect
from browser import browser_page, running_app, screenshot
from conftest import ROOT, signed_in_admin_page

from ingest.uploads import safe_name
from ingest.load import IngestError


def test_upload_names_are_reduced_to_plain_characters():
    assert safe_name("../../etc/passwd.txt") == "passwd.txt"
    assert safe_name("C:\\\\Users\\\\me\\\\Ch 5 – Neglect (v2).DOCX") == "Ch 5 _ Neglect (v2).docx"
    assert safe_name("odd\nname<script>.md") == "odd_name_script_.md"
    with pytest.raises(IngestError):
        safe_name("..")


def test_admin_uploads_edits_retires_reviews_and_the_chat_follows(settings, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    (tmp_path / "uploads").mkdir()
    chapter = tmp_path / "uploads" / "Ch 9 <Escalation>.txt"
    chapter.write_text("9.1 Escalation <img src=x onerror=window.pwned=1>\n\nWhen professionals disagree about a referral, they should escalate to their designated safeguarding lead within two working days.\n\nLast updated 18/05/2017\n", encoding="utf-8")
    app_settings = {"corpus_dir": str(corpus), "index_dir": str(tmp_path / "index"), "admin_password": "correct horse"}
    with running_app(tmp_path / "app.log", **app_settings) as url, browser_page(1280, 1400) as page:
        page.goto(url + "admin")
        assert page.get_by_text("Corpus").count() == 0
        page.get_by_label("Admin password").fill("wrong")
        page.get_by_role("button", name="Sign in").click()
        page.get_by_text("Wrong password.").wait_for(timeout=15000)
        assert not page.get_by_role("button", name="Re-ingest the corpus").is_visible()

        page.get_by_label("Admin password").fill("correct horse")
        page.get_by_role("button", name="Sign in").click()
        page.get_by_text("001_85fc01a5fa2a4b07.txt").first.wait_for(timeout=15000)
        assert page.url == url + "admin"

        page.locator("input[type=file][multiple]").set_input_files(str(chapter))
        expect(page.get_by_label("Upload result")).to_have_value(re.compile("saved Ch 9 Escalation.txt"), timeout=20000)
        edit_chapter(page, "Ch 9 Escalation.txt", "javascript:alert(1)")
        expect(page.get_by_label("Edit result")).to_have_value(re.compile(r"^Not saved: source_url: only an http"))
        edit_chapter(page, "Ch 9 Escalation.txt", "https://example.org/escalation")
        expect(page.get_by_label("Edit result")).to_have_value(re.compile("Saved Ch 9 Escalation.txt"))
        page.get_by_role("tab", name="Retire a chapter").click()
        choose(page, "Chapter to retire", "002_6e6ee004ff62726c.txt")
        page.get_by_role("button", name="Retire this chapter").click()
        expect(page.get_by_label("Retire result")).to_have_value(re.compile(r"Moved 002_6e6ee004ff62726c.txt to retired/\d{4}-\d\d-\d\d/"))

        page.get_by_role("tab", name="Corpus").click()
        page.get_by_role("button", name="Re-ingest the corpus").click()
        expect(page.get_by_label("Last run")).to_have_value(re.compile("added 1, updated 0, unchanged 4, removed 1"), timeout=60000)
        corpus_table = page.get_by_role("grid", name="Corpus")
        corpus_table.get_by_text("Ch 9 Escalation.txt").wait_for(timeout=15000)
        expect(corpus_table).to_contain_text("9.1 Escalation <img src=x onerror=window.pwned=1>")
        expect(corpus_table).to_contain_text("https://example.org/escalation")
        expect(corpus_table).not_to_contain_text("002_6e6ee004ff62726c.txt")
        assert page.locator("img[src='x']").count() == 0 and page.evaluate("window.pwned === undefined")
        screenshot(page, "admin-after-reingest")

        page.get_by_role("tab", name="Needs review").click()
        review = page.get_by_role("grid", name="Needs review")
        expect(review).to_contain_text("Ch 9 Escalation.txt")
        page.get_by_text("Most currency warnings first").click()
        expect(review.locator("tbody tr").first).to_contain_text("001_85fc01a5fa2a4b07.txt")  # Working Together 2015: most warned
        screenshot(page, "admin-needs-review")

        page.get_by_role("button", name="Sign out").click()
        page.get_by_text("Signed out.").wait_for(timeout=15000)
        page.goto(url + "admin")
        expect(page.get_by_label("Admin password")).to_be_visible()  # back at the sign-in page

        page.goto(url)
        page.get_by_label("Your question", exact=True).fill("how quickly should a disagreement about a referral be escalated?")
        page.keyboard.press("Enter")
        page.locator("#chat details").first.wait_for(timeout=30000)
        reply = page.locator("#chat").inner_text()
        assert "within two working days" in reply and "updated 18 May 2017" in reply  # its stamp says "Last updated"
        assert page.locator("#chat a[href='https://example.org/escalation']").count() == 1
    assert (corpus / "Ch 9 Escalation.txt").exists()
    assert list((corpus / "retired").glob("*/002_6e6ee004ff62726c.txt"))


def choose(page, label: str, option: str) -> None:
    page.get_by_label(label).click()
    page.get_by_role("option", name=option).click()


def edit_chapter(page, name: str, source_url: str) -> None:
    page.get_by_role("tab", name="Edit a chapter").click()
    # A chapter with a title first, so that the blank title of `name` (no entry yet) proves
    # its entry has arrived before the address is typed: it would otherwise be overwritten.
    choose(page, "Chapter file", "000_7e969022eef22aac.txt")
    expect(page.get_by_label("Title")).to_have_value("1.2 Introduction")
    choose(page, "Chapter file", name)
    expect(page.get_by_label("Title")).to_have_value("")
    page.get_by_label("Source address (source_url)").fill(source_url)
    page.get_by_role("button", name="Save to the manifest").click()


def test_half_written_last_lines_are_skipped_counted_and_shown_to_the_admin(settings, embedder, built_index, tmp_path):
    """What a kill or a full disk leaves at the end of the ingest log and the feedback file."""
    from answer.assistant import Assistant
    from ingest.report import LOG_NAME, Report, append_log

    index = tmp_path / "index"
    shutil.copytree(settings.index_dir, index)
    local = settings.with_overrides(index_dir=index, feedback_path=tmp_path / "feedback.jsonl")
    append_log(index, Report(added=["a.txt"]), 1.5)
    with (index / LOG_NAME).open("a", encoding="utf-8") as log:
        log.write('{"finished_at": "2025-01-01T10:00:00", "seconds": 2, "added": ["b.t')
    local.feedback_path.write_bytes(b'{"at": "2025-01-01", "rating": "up", "sources": []}\n\x00\x00\x00\n{"at": "2025-01-0')
    import feedback

    feedback.record(local.feedback_path, "answer-1", "down", [], None)  # written after the damage, and kept
    append_log(index, Report(updated=["c.txt"]), 0.5)
    assistant = Assistant(local, embedder)
    corpus, summary, log_rows, ratings, *_ = signed_in_admin_page(local, lambda: assistant)[0].everything()
    assert summary.startswith("20") and "updated 1" in summary
    assert "1 unreadable line of the ingest log skipped" in summary
    assert [row[2:4] for row in log_rows][:2] == [[0, 1], [1, 0]]
    assert ratings.startswith("Feedback: up 1, down 1") and "2 unreadable lines skipped" in ratings


def test_the_admin_sees_how_a_chapter_is_read_before_practitioners_do(settings, tmp_path):
    """The admin page's "How a chapter is read" and `python -m ingest show` tell the same story."""
    import subprocess
    import sys

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "escalation.md").write_text(
        "# 9.1 Escalation\n\nThis page is correct as printed on 3rd March 2025\n\n## When to escalate\n\n"
        "When professionals disagree about a referral, they should escalate to their designated safeguarding lead.\n",
        encoding="utf-8")
    page, request = signed_in_admin_page(settings.with_overrides(corpus_dir=corpus))
    shown = page.reading("escalation.md", request)
    assert "title: 9.1 Escalation" in shown and "dates: printed 2025-03-03" in shown
    assert "    When to escalate" in shown and "they should escalate to their designated safeguarding lead" in shown
    cli = subprocess.run([sys.executable, "-m", "ingest", "show", str(corpus / "escalation.md")], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert cli.returncode == 0 and cli.stdout.strip() == shown.strip()
    missing = subprocess.run([sys.executable, "-m", "ingest", "show", str(corpus / "gone.pdf")], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert missing.returncode == 2 and missing.stderr.strip().count("\n") == 0 and "gone.pdf" in missing.stderr
