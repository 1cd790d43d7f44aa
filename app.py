"""The chat screen: Gradio around the answering side, nothing more.

Run `python app.py` (or scripts/chat.sh) and open http://localhost:7860.
"""

from __future__ import annotations

import html
import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no calls home from an offline tool

import gradio as gr

import journal
from answer.assistant import Assistant
from answer.compose import SAFETY_NOTICE
from answer.rank import RankerError
from answer.render import inert, to_markdown, to_plain_text
from answer.thesaurus import ThesaurusError
from config import load_settings
from ingest.load import IngestError
from searchindex import store
from searchindex.embed import ModelError
from searchindex.store import IndexUnavailable
from searchindex.stores import StoreUnavailable

SETTINGS = load_settings()
ALL_AREAS = "All areas"
EXAMPLES = [
    "Who is responsible for safeguarding children?",
    "What does child-centred mean?",
    "I'm worried about a child, who do I tell?",
    "What do children say they need from professionals?",
]
ABOUT = (
    "**What this can do:** find what the safeguarding procedures held here say, quoted word for "
    "word with the source, section and print date. **What it can't do:** know your local contacts, "
    "anything outside those texts, or the details of your case. It is not a substitute for your "
    "safeguarding lead."
)
FEEDBACK_OPTIONS = ["Like", "Dislike", "Wrong or unhelpful source", "Out of date", "Missing information"]
# After an answer: its first line to the top of the chat (below the chat's floating label,
# LABEL_PX tall), the page scrolled only if that line is out of sight (on a phone), and
# the cursor back in the question box without scrolling to it.
SHOW_ANSWER = """() => setTimeout(() => {
  const LABEL_PX = 40;
  const answer = [...document.querySelectorAll('#chat .message-row.bot-row')].pop();
  if (answer) {
    let scroller = answer.parentElement;
    while (scroller && !['auto', 'scroll'].includes(getComputedStyle(scroller).overflowY)) scroller = scroller.parentElement;
    if (scroller) scroller.scrollTop += answer.getBoundingClientRect().top - scroller.getBoundingClientRect().top - LABEL_PX;
    const top = answer.getBoundingClientRect().top;
    if (top < LABEL_PX || top > window.innerHeight - 80) window.scrollBy(0, top - LABEL_PX - 8);
  }
  document.querySelector('#question textarea')?.focus({preventScroll: true});
}, 150)"""
STYLESHEET = Path(__file__).with_name("app.css")

_assistant: Assistant | None = None
_assistant_lock = threading.Lock()


def assistant() -> Assistant:
    global _assistant
    with _assistant_lock:
        if _assistant is None:
            _assistant = Assistant.open(SETTINGS)
        return _assistant


def indexed_documents() -> dict[str, dict]:
    """What the live index holds about each corpus file (title, area, source address…)."""
    return (store.read_manifest(SETTINGS.index_dir) or {}).get("documents", {})


def area_choices() -> list[str]:
    return [ALL_AREAS, *sorted({d["area"] for d in indexed_documents().values() if d.get("area")})]


def live_pages() -> dict[str, str]:
    """Each corpus file's live address, where its manifest entry gives one."""
    return {name: d["source_url"] for name, d in indexed_documents().items() if d.get("source_url")}


def _text(content: object) -> str:
    """A chat message's text, whichever shape Gradio hands it over in (a question as typed:
    the chat shows it with its markup characters as entities, see respond)."""
    if isinstance(content, str):
        return html.unescape(content)
    if isinstance(content, dict):
        return str(content.get("text", ""))
    if isinstance(content, list):
        return " ".join(_text(part) for part in content)
    return ""


def respond(message: str, history: list[dict], area: str, cited: list) -> Iterator[tuple[list[dict], str, str, list]]:
    """Answer `message` in the light of the user's earlier turns; clear the input box.

    Yields the conversation as the answer is written (a language model streams drafts;
    the extractive answer comes at once), then the answer as plain text for copying and
    (kept on the server, per session) the sources each answer cited, for feedback.
    """
    earlier = [_text(m["content"]) for m in history if m.get("role") == "user"]
    # Shown as typed: a link or image written into a question would otherwise become live in the
    # user's own bubble (an image makes the browser fetch its address).
    asked = [*history, {"role": "user", "content": inert(message)}]
    links = live_pages()
    for answer in assistant().answers(message, earlier, None if area in (None, "", ALL_AREAS) else area):
        if answer.draft:
            yield [*asked, {"role": "assistant", "content": to_markdown(answer, links)}], "", "", cited
    sources = [{"source": c.chunk.source, "section": c.chunk.section, "print_date": c.chunk.print_date} for c in answer.citations]
    keep = message if SETTINGS.feedback_keeps_questions else None
    shown = {"role": "assistant", "content": to_markdown(answer, links)}
    yield [*asked, shown], "", to_plain_text(answer, links), [*cited, (keep, sources, uuid.uuid4().hex)]


def rate(cited: list, event: gr.LikeData) -> str:
    """Store a rating, or its withdrawal (a choice clicked again), with the sources of the answer it is about."""
    answer_number = event.index // 2 if isinstance(event.index, int) else event.index[0] // 2
    if answer_number >= len(cited):
        return ""
    question, sources, answer = cited[answer_number]
    rating = "up" if event.liked is True else "down" if event.liked is False else (str(event.liked or "") or None)
    try:
        journal.record_feedback(SETTINGS, answer, rating, sources, question)
    except StoreUnavailable:
        return "Sorry: your feedback could not be saved just now. Please try again later."
    return "Thank you: your feedback was saved." if rating else "Your feedback on that answer was withdrawn."


# Gradio's copies of uploads are deleted once older than upload_keep_minutes (checked ten times as often).
KEEP_UPLOADS_S = max(1, round(SETTINGS.upload_keep_minutes * 60))
with gr.Blocks(title="Safeguarding procedures assistant", delete_cache=(max(1, KEEP_UPLOADS_S // 10), KEEP_UPLOADS_S)) as demo:
    gr.Markdown("# Safeguarding procedures assistant")
    gr.Markdown(f"**{SAFETY_NOTICE}**", elem_id="safety-notice")
    gr.Markdown(ABOUT, elem_id="about")
    cited = gr.State([])
    with gr.Row():
        area = gr.Dropdown([ALL_AREAS], value=ALL_AREAS, label="Procedures from", scale=1, elem_id="area",
                           info="One area's procedures plus those that name no area")
    chat = gr.Chatbot(label="Conversation", height=520, elem_id="chat", feedback_options=FEEDBACK_OPTIONS, autoscroll=False,
                      layout="panel", buttons=["copy", "copy_all"])  # Gradio's share button has no accessible name
    thanks = gr.Markdown(elem_id="feedback-thanks")
    with gr.Row():
        box = gr.Textbox(
            label="Your question",
            placeholder="Ask about the safeguarding procedures… (Enter to send)",
            scale=5,
            autofocus=True,
            max_length=SETTINGS.max_question_chars,
            elem_id="question",
        )
        send = gr.Button("Send", variant="primary", scale=1, elem_id="send")
    gr.Examples(EXAMPLES, inputs=box, label="Try asking")
    with gr.Accordion("Copy the last answer as plain text (with sources and print dates)", open=False):
        plain = gr.Textbox(label="Answer as plain text", lines=8, buttons=["copy"], interactive=False, elem_id="plain-answer")
    gr.on(
        [box.submit, send.click], respond, inputs=[box, chat, area, cited], outputs=[chat, box, plain, cited], api_name="ask"
    ).then(None, js=SHOW_ANSWER)
    chat.like(rate, [cited], [thanks], api_name=False)
    demo.load(lambda: gr.update(choices=area_choices()), outputs=area, api_name=False)  # areas of the live index

GATE: dict = {}  # the admin page's sign-in routes and guard, passed to Gradio's app (admin_gate.py)
if SETTINGS.admin_password:  # no password, no admin page: /admin is then simply not found
    import admin
    import admin_gate
    from admin_sessions import AdminSessions

    SESSIONS = AdminSessions.of(SETTINGS)
    GATE = admin_gate.app_kwargs(SESSIONS)
    with demo.route("Admin", "admin", show_in_navbar=False):
        admin.build(SETTINGS, assistant, SESSIONS, demo)


if __name__ == "__main__":
    if SETTINGS.admin_password_problem():
        raise SystemExit(f"error: {SETTINGS.admin_password_problem()}")
    try:
        assistant()  # load the model and index (building it if missing) before the first question
    except (ModelError, IndexUnavailable, IngestError, RankerError, ThesaurusError, StoreUnavailable) as error:
        raise SystemExit(f"error: {error}") from None
    demo.queue(default_concurrency_limit=SETTINGS.concurrency_limit).launch(
        server_name=SETTINGS.host, server_port=SETTINGS.port, css_paths=[STYLESHEET],
        # Gradio 6 keeps every question and answer in the browser's localStorage and lists them at
        # /gradio_api/runs: on a shared office PC that discloses case details to the next user.
        run_history=False, footer_links=["api", "gradio", "settings"],
        max_file_size=f"{SETTINGS.max_file_mb}mb", app_kwargs=GATE,
    )
