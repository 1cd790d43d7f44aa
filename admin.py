"""The admin page (/admin): corpus table, uploads, re-ingest, run log, each chapter's title,
area and source address, retiring withdrawn chapters, and which chapters need review first.

It exists only when ASSISTANT_ADMIN_PASSWORD is set. Signing in and out happen in front of
Gradio (admin_gate.py), which sets the session cookie; every handler here checks that cookie
(admin_sessions.py) on every call, never Gradio's session hash, which travels in URLs.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Callable

import gradio as gr

from admin_gate import SIGN_IN, SIGN_OUT
from admin_sessions import COOKIE, AdminSessions
from admin_tables import (
    CORPUS_COLUMNS, LOG_COLUMNS, MOST_WARNINGS_FIRST, OLDEST_FIRST, REVIEW_COLUMNS,
    corpus_rows, feedback_summary, last_summary, log_rows, review_rows, unavailable,
)
from answer.assistant import Assistant
from config import Settings
from ingest.build import build_index
from ingest.formats import SUFFIXES
from ingest.load import IngestError, find_files, read_manifest
from ingest.lock import ingest_lock
from ingest.manifest import checked_entry, retire, set_entry
from ingest.uploads import save_upload
from journal import log_run
from searchindex.stores import StoreUnavailable

REINGEST_HINT = "Re-ingest to publish the change."
CHAPTER_LISTS = 3  # the edit, retire and how-it-is-read choosers
ENDED = "Your admin session has ended (signed out, or unused for too long)"
SESSION_ENDED = f"{ENDED}: [sign in again]({SIGN_IN}?notice=ended)."
# Sign-out is a form post to admin_gate's route, which ends the session and clears the cookie.
SIGN_OUT_JS = f"""() => {{ const form = document.createElement('form'); form.method = 'post';
  form.action = '{SIGN_OUT}'; document.body.append(form); form.submit(); }}"""


def chapter_names(settings: Settings) -> list[str]:
    return [path.name for path in find_files([settings.corpus_dir])]


class AdminPage:
    """The page's handlers, each a plain function of the form's values and the session."""

    def __init__(self, settings: Settings, assistant: Callable[[], Assistant], sessions: AdminSessions) -> None:
        self.settings = settings
        self.assistant = assistant
        self.sessions = sessions

    def _require(self, request: gr.Request | None) -> None:
        """Refuse the call unless it carries a live admin session's cookie."""
        cookies = getattr(request, "cookies", None) or {}
        if not self.sessions.check(cookies.get(COOKIE)):
            raise gr.Error(f"{ENDED}: sign in again.")

    def review(self, order: str) -> list[list]:
        index = self.assistant().index()
        return review_rows(self.settings, index.chunks, self.assistant().currency_rules, order, date.today())

    def reorder(self, order: str, request: gr.Request) -> list[list]:
        self._require(request)
        return self.review(order)

    def everything(self, order: str = OLDEST_FIRST) -> tuple:
        """Every table and list on the page, as they stand now."""
        s = self.settings
        replica = self.assistant().replica
        summary = unavailable(replica.problem) if replica and not replica.available else last_summary(s)
        return corpus_rows(s), summary, log_rows(s), feedback_summary(s), self.review(order), *self.chapter_lists()

    def opened(self, request: gr.Request) -> tuple:
        """The page as it loads: everything for a live session, else only a way to sign in."""
        try:
            self._require(request)
        except gr.Error:
            return (gr.update(visible=False), SESSION_ENDED, *[gr.update()] * (5 + CHAPTER_LISTS))
        return (gr.update(visible=True), "", *self.everything())

    def chapters(self) -> dict:
        return gr.update(choices=chapter_names(self.settings), value=None)

    def chapter_lists(self) -> tuple[dict, ...]:
        """Each chapter chooser on the page (edit, retire, how it was read), refreshed."""
        return (self.chapters(),) * CHAPTER_LISTS

    def reading(self, name: str | None, request: gr.Request) -> str:
        """How the chapter is read (`python -m ingest show`): title, dates, headings, passages."""
        self._require(request)
        if not name:
            return ""
        try:
            from ingest.manifest import corpus_file
            from ingest.show import describe

            return describe(corpus_file(self.settings.corpus_dir, name), self.settings)
        except IngestError as error:
            return f"Not readable: {error}"

    def upload(self, files: list | None, replace: bool, request: gr.Request) -> tuple:
        """Each file saved, or refused in one line; one of a live chapter's name only with `replace`."""
        self._require(request)
        lines = []
        for file in files or []:
            path = Path(file if isinstance(file, str) else file.name)
            original = getattr(file, "orig_name", None) or path.name
            try:
                with ingest_lock(self.settings.index_dir):
                    live = {name.casefold() for name in chapter_names(self.settings)}
                    saved = save_upload(path, original, self.settings.corpus_dir, self.settings.max_file_mb * 2**20, replace=replace)
                replaced = saved.name.casefold() in live
                lines.append(f"replaced {saved.name} (the old file is in retired/{date.today()}/)" if replaced else f"saved {saved.name}")
            except IngestError as error:
                lines.append(f"refused {error}")
        return "\n".join(lines) + ("\nRe-ingest to publish them." if lines else ""), *self.chapter_lists()

    def reingest(self, order: str, request: gr.Request, progress=gr.Progress()) -> tuple:
        self._require(request)
        progress(0.1, desc="Reading and embedding changed chapters…")
        started = time.monotonic()
        s = self.settings
        replica = self.assistant().replica
        try:
            report = build_index([s.corpus_dir], s.index_dir, s, self.assistant().embedder)
            log_run(s, s.index_dir, report, time.monotonic() - started)
            if replica:
                replica.sync()  # this replica serves the build at once; the others hear of it
        except IngestError as error:
            raise gr.Error(str(error)) from None
        except StoreUnavailable as error:
            raise gr.Error(unavailable(error)) from None
        progress(1.0, desc="Published")
        return self.everything(order)

    def chosen(self, name: str | None, request: gr.Request) -> tuple[str, str, str]:
        """The chapter's manifest entry, to edit."""
        self._require(request)
        entry = read_manifest(self.settings.corpus_dir).get(name or "")
        return (entry.title or "", entry.area or "", entry.source_url or "") if entry else ("", "", "")

    def save(self, name: str | None, title: str, area: str, source_url: str, request: gr.Request) -> str:
        self._require(request)
        if not name:
            return "Choose a chapter first."
        try:
            set_entry(self.settings.corpus_dir, name, checked_entry(title, area, source_url))
        except IngestError as error:
            return f"Not saved: {error}"
        return f"Saved {name} to manifest.toml. {REINGEST_HINT}"

    def retire(self, name: str | None, request: gr.Request) -> tuple:
        self._require(request)
        if not name:
            return "Choose a chapter first.", *[gr.update()] * CHAPTER_LISTS
        try:
            with ingest_lock(self.settings.index_dir):
                moved = retire(self.settings.corpus_dir, name, date.today())
        except IngestError as error:
            return f"Not retired: {error}", *[gr.update()] * CHAPTER_LISTS
        where = moved.relative_to(self.settings.corpus_dir)
        return f"Moved {name} to {where}. Re-ingest to remove it from answers.", *self.chapter_lists()


def build(settings: Settings, assistant: Callable[[], Assistant], sessions: AdminSessions, demo: gr.Blocks) -> None:
    """Render the admin page into the enclosing gr.Blocks route; `demo` for its page-load event."""
    page = AdminPage(settings, assistant, sessions)
    with gr.Row():
        gr.Markdown("# Admin: safeguarding procedures assistant\n[Back to the chat](/)")
        sign_out = gr.Button("Sign out", scale=0, min_width=120)
    notice = gr.Markdown()
    with gr.Column(visible=False) as panel:
        ratings = gr.Markdown(elem_id="feedback-tallies")
        with gr.Tab("Corpus"):
            corpus = gr.Dataframe(headers=CORPUS_COLUMNS, label="Corpus", interactive=False, wrap=True)
            replace = gr.Checkbox(False, label="Replace chapters of the same name (the old file is kept in retired/<date>/)")
            uploads = gr.File(label="Upload new or updated chapters", file_count="multiple", file_types=sorted(SUFFIXES))
            upload_result = gr.Textbox(label="Upload result", interactive=False)
            reingest = gr.Button("Re-ingest the corpus", variant="primary")
            summary = gr.Textbox(label="Last run", lines=6, interactive=False)
            log = gr.Dataframe(headers=LOG_COLUMNS, label="Ingest log", interactive=False)
        with gr.Tab("Needs review"):
            gr.Markdown("Chapters to update first: the oldest prints, and those whose passages name superseded guidance.")
            order = gr.Radio([OLDEST_FIRST, MOST_WARNINGS_FIRST], value=OLDEST_FIRST, label="Order")
            review = gr.Dataframe(headers=REVIEW_COLUMNS, label="Needs review", interactive=False, wrap=True)
        with gr.Tab("Edit a chapter"):
            edit_name = gr.Dropdown([], label="Chapter file")
            title = gr.Textbox(label="Title", info="Blank: taken from the chapter's first heading")
            area = gr.Textbox(label="Area", info="The partnership that publishes it; blank: not stated")
            source_url = gr.Textbox(label="Source address (source_url)", info="Its live page, http:// or https://; blank: none")
            save = gr.Button("Save to the manifest", variant="primary")
            edit_result = gr.Textbox(label="Edit result", interactive=False)
        with gr.Tab("Retire a chapter"):
            gr.Markdown("A withdrawn chapter is moved to `retired/<date>/` in the corpus folder, never deleted; "
                        "it leaves the answers at the next re-ingest.")
            retire_name = gr.Dropdown([], label="Chapter to retire")
            retire_button = gr.Button("Retire this chapter", variant="stop")
            retire_result = gr.Textbox(label="Retire result", interactive=False)
        with gr.Tab("How a chapter is read"):
            gr.Markdown("Its title, the dates it states, its headings and its passages as ingest reads them "
                        "(`python -m ingest show FILE`): check a new chapter here before practitioners see it.")
            read_name = gr.Dropdown([], label="Chapter file")
            read_result = gr.Textbox(label="As read", lines=30, max_lines=60, interactive=False, buttons=["copy"])

    choosers = [edit_name, retire_name, read_name]
    tables = [corpus, summary, log, ratings, review, *choosers]
    demo.load(page.opened, None, [panel, notice, *tables], api_name=False)
    sign_out.click(None, js=SIGN_OUT_JS)
    uploads.upload(page.upload, [uploads, replace], [upload_result, *choosers], api_name=False)
    reingest.click(page.reingest, [order], tables, api_name=False, concurrency_limit=1)
    order.change(page.reorder, [order], [review], api_name=False)
    edit_name.change(page.chosen, [edit_name], [title, area, source_url], api_name=False)
    save.click(page.save, [edit_name, title, area, source_url], [edit_result], api_name=False)
    retire_button.click(page.retire, [retire_name], [retire_result, *choosers], api_name=False)
    read_name.change(page.reading, [read_name], [read_result], api_name=False)
