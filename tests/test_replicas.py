"""Two `python app.py` replicas on two ports over one PostgreSQL store: a re-ingest is served
by both within 5 s of the publish, with no restart; behind nginx (sticky by client address, as
the README deploys them) a conversation stays with one replica, and when that one is killed the
other answers."""

import shutil
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT

from eval.replicas import ADDED, ASKED, ask, edit_chapter, proxy, replica, seconds_until_served, wait_listening
from ingest.build import build_index


def test_two_replicas_serve_a_changed_chapter_within_5_s_and_one_survives_the_others_death(settings, embedder, postgres, tmp_path):
    from gradio_client import Client

    if not shutil.which("nginx") and not Path("/usr/sbin/nginx").exists():
        pytest.skip("Debian's nginx is not installed: run scripts/test.sh")
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    shared = settings.with_overrides(corpus_dir=corpus, index_dir=tmp_path / "writer", store=postgres.address())
    build_index([corpus], shared.index_dir, shared, embedder)
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    with replica(shared.store, tmp_path / "cache1", logs[0]) as (url1, first), replica(shared.store, tmp_path / "cache2", logs[1]) as (url2, second):
        wait_listening(url1, first, logs[0])
        wait_listening(url2, second, logs[1])
        clients = [Client(url, verbose=False) for url in (url1, url2)]
        assert all("call 999" in ask(c, ASKED) and ADDED not in ask(c, ASKED) for c in clients)

        edit_chapter(corpus)
        report = build_index([corpus], shared.index_dir, shared, embedder)
        assert report.updated == ["001_85fc01a5fa2a4b07.txt"]
        served = seconds_until_served(clients, ASKED, ADDED, time.monotonic(), timeout_s=10)
        assert max(served) < 5.0, served

        with proxy([url1, url2]) as front:
            through = Client(front, verbose=False)
            history, _, _ = through.predict("who do i tell if im worried about a child", [], "All areas", api_name="/ask")
            history, _, plain = through.predict("what about schools?", history, "All areas", api_name="/ask")
            assert "school" in plain.split("Sources")[0].lower() and "call 999" in plain
            chosen = urllib.request.urlopen(front + "config", timeout=30).headers["X-Upstream"]
            dead, alive = (first, clients[1]) if chosen == url1.split("//")[1].rstrip("/") else (second, clients[0])
            dead.kill()
            dead.wait(timeout=30)
            assert ADDED in ask(alive, ASKED)
            assert ADDED in ask(through, ASKED)  # the proxy sends the session to the replica left
