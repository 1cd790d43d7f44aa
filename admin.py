"""The admin screen inside the chat app: corpus table, uploads, re-ingest, run log.

It exists only when ASSISTANT_ADMIN_PASSWORD is set, and shows nothing but a sign-in box
until the right password is given; every admin action checks the session again.
"""

from __future__ import annotations

import hmac
import threading
import time
from pathlib import Path
from typing import Callable

import gradio as gr

import feedback
from answer.assistant import Assistant
from config import Settings
from ingest import store
from ingest.build import build_index
from ingest.formats import SUFFIXES
from ingest.load import IngestError
from ingest.report import append_log, read_log
from ingest.uploads import save_upload

CORPUS_COLUMNS = ["file", "title", "area", "print date", "chunks", "last ingested"]
LOG_COLUMNS = ["finished", "seconds", "added", "updated", "removed", "failed"]
MAX_DELAY_S = 8.0

_failures = 0
_failures_lock = threading.Lock()


def check_password(given: str, expected: str) -> bool:
    """Constant-time comparison; each failure in a row doubles the wait before the answer."""
    global _failures
    ok = bool(expected) and hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))
    with _failures_lock:
        _failures = 0 if ok else _failures + 1
        delay = 0.0 if ok else min(MAX_DELAY_S, 0.25 * 2 ** (_failures - 1))
    time.sleep(delay)
    return ok


def corpus_rows(settings: Settings) -> list[list]:
    documents = (store.read_manifest(settings.index_dir) or {}).get("documents", {})
    return [
        [name, d.get("title"), d.get("area") or "not stated", d.get("print_date") or "not stated", d.get("chunks"), d.get("ingested_at")]
        for name, d in sorted(documents.items())
    ]


def log_rows(settings: Settings) -> list[list]:
    return [
        [e["finished_at"], e["seconds"], len(e["added"]), len(e["updated"]), len(e["removed"]), len(e["failed"])]
        for e in reversed(read_log(settings.index_dir))
    ]


def last_summary(settings: Settings) -> str:
    entries = read_log(settings.index_dir, last=1)
    if not entries:
        return "No ingest has been logged yet."
    e = entries[0]
    lines = [f"{e['finished_at']} ({e['seconds']} s): added {len(e['added'])}, updated {len(e['updated'])}, "
             f"unchanged {len(e['unchanged'])}, removed {len(e['removed'])}, failed {len(e['failed'])}"]
    lines += [f"updated: {u}" for u in e["updated"]] + [f"failed: {f}" for f in e["failed"]]
    return "\n".join(lines)


def feedback_summary(settings: Settings) -> str:
    counts = feedback.tallies(settings.feedback_path)
    if not counts:
        return "Feedback: none yet."
    return "Feedback: " + ", ".join(f"{rating} {count}" for rating, count in counts.items())


def _require(signed_in: bool) -> None:
    if not signed_in:
        raise gr.Error("Sign in as an admin first.")


def build(settings: Settings, assistant: Callable[[], Assistant]) -> None:
    """Render the admin section into the enclosing gr.Blocks."""
    signed_in = gr.State(False)
    with gr.Accordion("Admin", open=False, elem_id="admin"):
        with gr.Row(visible=True) as sign_in_row:
            password = gr.Textbox(label="Admin password", type="password", scale=3)
            sign_in = gr.Button("Sign in", scale=1)
        notice = gr.Markdown()
        with gr.Column(visible=False) as panel:
            ratings = gr.Markdown(elem_id="feedback-tallies")
            corpus = gr.Dataframe(headers=CORPUS_COLUMNS, label="Corpus", interactive=False, wrap=True)
            uploads = gr.File(label="Upload new or updated chapters", file_count="multiple", file_types=sorted(SUFFIXES))
            upload_result = gr.Textbox(label="Upload result", interactive=False)
            reingest = gr.Button("Re-ingest the corpus", variant="primary")
            summary = gr.Textbox(label="Last run", lines=6, interactive=False)
            log = gr.Dataframe(headers=LOG_COLUMNS, label="Ingest log", interactive=False)

    def on_sign_in(given: str):
        if not check_password(given or "", settings.admin_password):
            return False, gr.update(), gr.update(visible=False), "Wrong password.", gr.update(), gr.update(), gr.update(), gr.update()
        shown = (corpus_rows(settings), last_summary(settings), log_rows(settings), feedback_summary(settings))
        return True, gr.update(visible=False), gr.update(visible=True), "Signed in.", *shown

    def on_upload(files: list | None, ok: bool) -> str:
        _require(ok)
        lines = []
        for file in files or []:
            path = Path(file if isinstance(file, str) else file.name)
            original = getattr(file, "orig_name", None) or path.name
            try:
                saved = save_upload(path, original, settings.corpus_dir, settings.max_file_mb * 2**20)
                lines.append(f"saved {saved.name}")
            except IngestError as error:
                lines.append(f"refused {error}")
        return "\n".join(lines) + ("\nRe-ingest to publish them." if lines else "")

    def on_reingest(ok: bool, progress=gr.Progress()):
        _require(ok)
        progress(0.1, desc="Reading and embedding changed chapters…")
        started = time.monotonic()
        try:
            report = build_index([settings.corpus_dir], settings.index_dir, settings, assistant().embedder)
        except IngestError as error:
            raise gr.Error(str(error)) from None
        append_log(settings.index_dir, report, time.monotonic() - started)
        progress(1.0, desc="Published")
        return corpus_rows(settings), last_summary(settings), log_rows(settings)

    shown = [signed_in, sign_in_row, panel, notice, corpus, summary, log, ratings]
    sign_in.click(on_sign_in, [password], shown, api_name=False)
    password.submit(on_sign_in, [password], shown, api_name=False)
    uploads.upload(on_upload, [uploads, signed_in], [upload_result], api_name=False)
    reingest.click(on_reingest, [signed_in], [corpus, summary, log], api_name=False, concurrency_limit=1)
