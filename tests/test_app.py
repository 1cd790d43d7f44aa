"""The real Gradio server, started as a user starts it, asked through gradio_client."""

import os
import socket
import subprocess
import sys
import time

import pytest
from conftest import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(settings, built_index, tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("app") / "app.log"
    env = {**os.environ, "ASSISTANT_PORT": str(port), "ASSISTANT_INDEX_DIR": str(settings.index_dir), "HF_HUB_OFFLINE": "1"}
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"app.py exited: {log.read_text()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.5)
    else:
        process.kill()
        pytest.fail("app.py did not start listening within 180 s")
    yield url
    process.terminate()
    process.wait(timeout=30)


def message_text(message: dict) -> str:
    content = message["content"]
    return content if isinstance(content, str) else " ".join(part.get("text", "") for part in content)


def test_chat_answers_with_markers_sources_dates_and_999(server):
    from gradio_client import Client

    client = Client(server, verbose=False)
    history, box = client.predict("who is responsible for safeguarding children?", [], api_name="/ask")
    reply = message_text(history[-1])
    assert box == ""
    assert "&#91;1&#93;" in reply  # the [1] marker, written inert
    assert "<details><summary>" in reply and "Sources" in reply
    assert "print date not stated" in reply or "printed " in reply
    assert "call 999" in reply

    history, _ = client.predict("what about schools?", history, api_name="/ask")
    assert "school" in message_text(history[-1]).split("Sources")[0].lower()

    history, _ = client.predict("what's the capital of France?", history, api_name="/ask")
    off_topic = message_text(history[-1])
    assert "don&#39;t cover this" in off_topic and "<details>" not in off_topic
