"""Admin sessions on the real server: rights come from the cookie the server sets at sign-in,
never from Gradio's session hash; sign-out and 30 minutes unused end them; wrong passwords
lock a client out; only a signed-in admin can send Gradio files, which expire; a short admin
password stops the start. Admin handlers are called as the page calls them (Gradio's queue)."""

import json
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
from browser import running_app
from conftest import ROOT

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def server(settings, built_index, tmp_path_factory):
    root = tmp_path_factory.mktemp("admin-sessions")
    with running_app(root / "app.log", index_dir=str(settings.index_dir), feedback_path=str(root / "feedback.jsonl"),
                     admin_password=PASSWORD, max_file_mb="1") as url:
        yield url


def sign_in(url: str, password: str = PASSWORD) -> httpx.Response:
    return httpx.post(url + "admin/sign-in", data={"password": password}, follow_redirects=False, timeout=30)


def admin_load(url: str) -> int:
    """The admin page's load event: what fills its tables."""
    config = httpx.get(url + "config", timeout=30).json()
    corpus = next(c["id"] for c in config["components"] if c["type"] == "dataframe" and c["props"].get("label") == "Corpus")
    return next(d["id"] for d in config["dependencies"] if d["targets"] == [[0, "load"]] and corpus in d["outputs"])


def call(url: str, fn_index: int, session_hash: str, cookies: dict | None = None) -> dict:
    """One event through Gradio's queue, as the page sends it; returns its closing message."""
    with httpx.Client(base_url=url, cookies=cookies or {}, timeout=60) as client:
        joined = client.post("gradio_api/queue/join", json={"data": [], "fn_index": fn_index, "session_hash": session_hash, "event_data": None, "trigger_id": None})
        joined.raise_for_status()
        with client.stream("GET", "gradio_api/queue/data", params={"session_hash": session_hash}) as stream:
            for line in stream.iter_lines():
                if line.startswith("data:"):
                    message = json.loads(line[5:])
                    if message.get("msg") == "process_completed":
                        return message
    raise AssertionError("the queue closed without an answer")


def tables_in(message: dict) -> str:
    return json.dumps(message.get("output", {}).get("data", []))


def test_the_session_cookie_is_httponly_and_samesite_strict(server):
    response = sign_in(server)
    assert response.status_code == 303 and response.headers["location"] == "/admin"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie


def test_a_second_client_reusing_a_signed_in_session_hash_gets_nothing(server):
    load, session_hash = admin_load(server), uuid.uuid4().hex[:11]
    cookies = dict(sign_in(server).cookies)
    mine = call(server, load, session_hash, cookies)
    assert mine["success"] and "001_85fc01a5fa2a4b07.txt" in tables_in(mine)
    theirs = call(server, load, session_hash)  # the same session hash, no cookie
    assert "001_85fc01a5fa2a4b07.txt" not in tables_in(theirs)
    assert "session has ended" in tables_in(theirs)
    page = httpx.get(server + "admin", follow_redirects=False, timeout=30)
    assert page.status_code == 303 and page.headers["location"] == "/admin/sign-in"


def test_sign_out_ends_the_session_on_the_server(server):
    load, cookies = admin_load(server), dict(sign_in(server).cookies)
    assert httpx.get(server + "admin", cookies=cookies, follow_redirects=False, timeout=30).status_code == 200
    out = httpx.post(server + "admin/sign-out", cookies=cookies, follow_redirects=False, timeout=30)
    assert out.status_code == 303 and "notice=out" in out.headers["location"]
    after = call(server, load, uuid.uuid4().hex[:11], cookies)  # the old cookie, kept by a copy
    assert "001_85fc01a5fa2a4b07.txt" not in tables_in(after)
    assert httpx.get(server + "admin", cookies=cookies, follow_redirects=False, timeout=30).status_code == 303


def test_only_a_signed_in_admin_can_upload_and_only_up_to_the_file_limit(server):
    small = {"files": ("chapter.txt", b"1.1 Title\n\nText.\n", "text/plain")}
    assert httpx.post(server + "gradio_api/upload", files=small, timeout=30).status_code == 403
    cookies = dict(sign_in(server).cookies)
    assert httpx.post(server + "gradio_api/upload", files=small, cookies=cookies, timeout=30).status_code == 200
    large = {"files": ("big.txt", b"x" * (2 * 2**20), "text/plain")}
    assert httpx.post(server + "gradio_api/upload", files=large, cookies=cookies, timeout=30).status_code == 413


def test_five_wrong_passwords_lock_the_client_out_even_with_the_right_one_next(settings, built_index, tmp_path):
    with running_app(tmp_path / "app.log", index_dir=str(settings.index_dir), admin_password=PASSWORD) as url:
        for _ in range(4):
            assert sign_in(url, "guess " * 3).status_code == 401
        fifth = sign_in(url, "guess " * 3)
        assert fifth.status_code == 429 and "try again in 15 minutes" in fifth.text
        locked = sign_in(url)
        assert locked.status_code == 429 and "set-cookie" not in locked.headers


def test_a_session_unused_for_the_idle_time_ends_and_gradios_copies_of_uploads_expire(settings, built_index, tmp_path):
    uploads = tmp_path / "gradio"
    with running_app(tmp_path / "app.log", environ={"GRADIO_TEMP_DIR": str(uploads)}, index_dir=str(settings.index_dir),
                     admin_password=PASSWORD, admin_idle_minutes="0.05", upload_keep_minutes="0.05") as url:
        load, cookies = admin_load(url), dict(sign_in(url).cookies)
        assert call(url, load, uuid.uuid4().hex[:11], cookies)["success"]
        sent = httpx.post(url + "gradio_api/upload", files={"files": ("c.txt", b"Text.\n", "text/plain")}, cookies=cookies, timeout=30)
        kept = Path(sent.json()[0])
        assert kept.exists() and uploads in kept.parents
        time.sleep(4)  # unused for longer than its 3 s
        assert "001_85fc01a5fa2a4b07.txt" not in tables_in(call(url, load, uuid.uuid4().hex[:11], cookies))
        deadline = time.monotonic() + 20  # kept for 3 s, looked for every second
        while kept.exists() and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not kept.exists()


def test_a_short_admin_password_stops_the_start_with_one_line():
    env = {"ASSISTANT_ADMIN_PASSWORD": "short pw", "HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"}
    run = subprocess.run([sys.executable, "app.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    assert run.stderr.strip() == "error: ASSISTANT_ADMIN_PASSWORD: at least 12 characters are needed (it has 8)"
