"""The chat screen: Gradio around the answering side, nothing more.

Run `python app.py` (or scripts/chat.sh) and open http://localhost:7860.
"""

from __future__ import annotations

import os
import threading

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no calls home from an offline tool

import gradio as gr

from answer.assistant import Assistant
from answer.compose import SAFETY_NOTICE
from answer.render import to_markdown
from config import load_settings

SETTINGS = load_settings()
EXAMPLES = [
    "Who is responsible for safeguarding children?",
    "What does child-centred mean?",
    "I'm worried about a child, who do I tell?",
    "What do children say they need from professionals?",
]
ABOUT = (
    "Answers come only from the safeguarding procedure texts held here, quoted word for word "
    "with their source and print date. It does not know your local contacts or anything "
    "outside those texts, and it is not a substitute for your safeguarding lead."
)

_assistant: Assistant | None = None
_assistant_lock = threading.Lock()


def assistant() -> Assistant:
    global _assistant
    with _assistant_lock:
        if _assistant is None:
            _assistant = Assistant.open(SETTINGS)
        return _assistant


def _text(content: object) -> str:
    """A chat message's text, whichever shape Gradio hands it over in."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text", ""))
    if isinstance(content, list):
        return " ".join(_text(part) for part in content)
    return ""


def respond(message: str, history: list[dict]) -> tuple[list[dict], str]:
    """Answer `message` in the light of the user's earlier turns; clear the input box."""
    earlier = [_text(m["content"]) for m in history if m.get("role") == "user"]
    answer = assistant().ask(message, earlier)
    reply = {"role": "assistant", "content": to_markdown(answer)}
    return [*history, {"role": "user", "content": message}, reply], ""


with gr.Blocks(title="Safeguarding procedures assistant") as demo:
    gr.Markdown("# Safeguarding procedures assistant")
    gr.Markdown(f"**{SAFETY_NOTICE}**", elem_id="safety-notice")
    gr.Markdown(ABOUT, elem_id="about")
    chat = gr.Chatbot(label="Conversation", height=520, elem_id="chat", sanitize_html=True)
    with gr.Row():
        box = gr.Textbox(
            label="Your question",
            placeholder="Ask about the safeguarding procedures… (Enter to send)",
            scale=5,
            autofocus=True,
            max_length=SETTINGS.max_question_chars,
            elem_id="question",
        )
        send = gr.Button("Send", variant="primary", scale=1)
    gr.Examples(EXAMPLES, inputs=box, label="Try asking")
    gr.on([box.submit, send.click], respond, inputs=[box, chat], outputs=[chat, box], api_name="ask")
    if SETTINGS.admin_password:
        import admin

        admin.build(SETTINGS, assistant)


if __name__ == "__main__":
    assistant()  # load the model and index (building it if missing) before the first question
    demo.queue(default_concurrency_limit=SETTINGS.concurrency_limit).launch(
        server_name=SETTINGS.host, server_port=SETTINGS.port
    )
