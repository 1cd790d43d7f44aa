"""The real Gradio server, started as a user starts it, asked through gradio_client."""

import json
import urllib.request

import pytest
from browser import running_app


@pytest.fixture(scope="module")
def server(settings, built_index, tmp_path_factory):
    with running_app(tmp_path_factory.mktemp("app") / "app.log", index_dir=str(settings.index_dir)) as url:
        yield url


def message_text(message: dict) -> str:
    content = message["content"]
    return content if isinstance(content, str) else " ".join(part.get("text", "") for part in content)


def test_chat_answers_with_markers_sources_dates_and_999(server):
    from gradio_client import Client

    client = Client(server, verbose=False)
    history, box, plain = client.predict("who is responsible for safeguarding children?", [], "All areas", api_name="/ask")
    reply = message_text(history[-1])
    assert box == "" and "Sources:" in plain and "call 999" in plain
    assert "&#91;1&#93;" in reply  # the [1] marker, written inert
    assert "<details class=\"source\"><summary>" in reply and "Sources" in reply
    assert "print date not stated" in reply or "printed " in reply
    assert "call 999" in reply

    history, _, _ = client.predict("what about schools?", history, "All areas", api_name="/ask")
    assert "school" in message_text(history[-1]).split("Sources")[0].lower()

    history, _, _ = client.predict("what's the capital of France?", history, "All areas", api_name="/ask")
    off_topic = message_text(history[-1])
    assert "don&#39;t cover this" in off_topic and "<details" not in off_topic


def test_without_an_admin_password_there_is_no_admin_surface(server):
    config = json.loads(urllib.request.urlopen(server + "config", timeout=30).read())
    labels = {str(c.get("props", {}).get("label")) for c in config["components"]}
    assert "Admin password" not in labels and "Corpus" not in labels
    endpoints = {d.get("api_name") for d in config["dependencies"]}
    assert endpoints & {"ask"} and not any("ingest" in str(e) or "upload" in str(e) for e in endpoints)
