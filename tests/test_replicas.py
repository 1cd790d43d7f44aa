"""Two `python app.py` replicas on two ports over one PostgreSQL store: a re-ingest is served
by both within 5 s of the publish, with no restart, and when one is killed the other answers."""

import shutil
import time

from conftest import ROOT

from eval.replicas import ADDED, ASKED, ask, edit_chapter, replica, seconds_until_served, wait_listening
from ingest.build import build_index


def test_two_replicas_serve_a_changed_chapter_within_5_s_and_one_survives_the_others_death(settings, embedder, postgres, tmp_path):
    from gradio_client import Client

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

        first.kill()
        first.wait(timeout=30)
        assert ADDED in ask(clients[1], ASKED)
        assert second.poll() is None
