"""The PostgreSQL store on a real, throwaway server: ingest publishes a build in one
transaction, a replica serves a changed chapter within seconds from its local copy, a killed
publish leaves the build before live, the chat answers on while the database is away and
reconnects by itself, and feedback and the ingest log take many writers."""

import os
import shutil
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from conftest import ROOT, signed_in_admin_page

from answer.assistant import Assistant
from eval.pgcluster import free_port
from ingest.build import build_index
from ingest.report import Report
from journal import feedback_tallies, log_run, read_log
from records import Chunk, Sentence
from searchindex import pgstore
from searchindex.lexical import TermCounts
from searchindex.shards import FolderStore, Shard
from searchindex.stores import StoreUnavailable

EDITED = "001_85fc01a5fa2a4b07.txt"
OTHER = "003_59e7203d59049fa8.txt"
ADDED = "Practitioners must tell the designated safeguarding lead about every missed health appointment of a looked after child within one working day."
ASKED = "what happens to a missed health appointment of a looked after child?"
QUESTIONS = ["what age is a child?", "who do i tell if im worried about a child", "what does child centred mean"]


@pytest.fixture
def shared(settings, postgres, tmp_path):
    """Settings for a store of its own in the test server, a corpus copy, and this replica's cache."""
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    return settings.with_overrides(corpus_dir=corpus, index_dir=tmp_path / "cache", store=postgres.address())


def edit(corpus, name=EDITED, added=ADDED) -> None:
    path = corpus / name
    path.write_text(path.read_text(encoding="utf-8").replace("\n\n", f"\n\n{added}\n\n", 1), encoding="utf-8")


def shard_ids(address) -> set[str]:
    with pgstore.connect(address) as conn:
        return {row[0] for row in conn.execute("SELECT DISTINCT shard FROM shard_parts")}


def served_within(assistant, seconds: float) -> float:
    started = time.monotonic()
    while ADDED not in assistant.ask(ASKED).text:
        assert time.monotonic() - started < seconds, f"not served within {seconds} s"
        time.sleep(0.05)
    return time.monotonic() - started


def test_a_shard_is_the_same_bytes_and_the_same_shard_in_either_store(shared, tmp_path):
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(5, 8)).astype(np.float32)
    chunks = [Chunk(f"c{i}", "a.txt", "A", None, ("1",), (), None, 0, 9, f"passage {i}") for i in range(2)]
    sentences = [Sentence(0, 0, "passage 0", None), Sentence(1, 0, "passage 1", None), Sentence(1, 1, "more", None)]
    shard = Shard({"title": "A"}, chunks, sentences, vectors[:3], vectors[3:], TermCounts.of(["passage zero", "passage one"]))
    folder = FolderStore(tmp_path / "folder")
    with pgstore.PostgresStore.writer(shared.store) as database:
        ids = database.write_shard(shard), folder.write_shard(shard)
        for store, shard_id in zip((database, folder), ids):
            back = store.read_shard(shard_id)
            assert back.chunks == chunks and back.sentences == sentences and back.info == {"title": "A"}
            assert np.array_equal(back.vectors, shard.vectors) and np.array_equal(back.passage_vectors, shard.passage_vectors)
            assert store.has_shard(shard_id) and not store.has_shard("nothing")
        assert database.live() is None
        name = database.publish({"documents": {"a.txt": {"shard": ids[0]}}})
    with pgstore.connect(shared.store) as conn:
        assert pgstore.live_build(conn) == name
        assert pgstore.shard_parts(conn, ids[0]) == {p: (tmp_path / "folder" / "shards" / ids[1] / p).read_bytes() for p in ("vectors.npy", "terms.npy", "shard.json", "checksums.json")}


def test_a_replica_answers_as_one_machine_does_and_serves_a_changed_chapter_within_5_s(shared, embedder, assistant):
    report = build_index([shared.corpus_dir], shared.index_dir, shared, embedder)
    assert len(report.added) == 5 and "build" in str(report.build)
    replica = Assistant.open(shared, embedder)
    try:
        assert [replica.ask(q).text for q in QUESTIONS] == [assistant.ask(q).text for q in QUESTIONS]
        assert replica.thesaurus() == assistant.thesaurus() and len(replica.currency_rules) == len(assistant.currency_rules)
        before = shard_ids(shared.store)
        edit(shared.corpus_dir)
        report = build_index([shared.corpus_dir], shared.index_dir, shared, embedder)
        assert report.updated == [EDITED]
        assert len(shard_ids(shared.store) - before) == 1  # the changed chapter's shard alone
        assert served_within(replica, 5.0) < 5.0
        cached = list((shared.index_dir / "shards").iterdir())
        assert len(cached) == 6  # five shards, and the changed chapter's old one for the build before
    finally:
        replica.replica.stop()


KILLED_WRITER = """
import sys, time
from searchindex import pgstore
put, count = pgstore.PostgresStore._put, [0]
def stalled(self, shard_id, parts):
    put(self, shard_id, parts)
    count[0] += 1
    if count[0] == 1:
        print("written", shard_id, flush=True)
        time.sleep(120)
    return shard_id
pgstore.PostgresStore._put = stalled
from ingest.__main__ import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_publish_killed_between_shard_writes_leaves_the_build_before_live(shared, embedder, tmp_path):
    build_index([shared.corpus_dir], shared.index_dir, shared, embedder)
    with pgstore.connect(shared.store) as conn:
        live, shards = pgstore.live_build(conn), shard_ids(shared.store)
    edit(shared.corpus_dir)
    edit(shared.corpus_dir, OTHER, "Every referral must be confirmed in writing within two working days.")
    env = {**os.environ, "ASSISTANT_STORE": shared.store, "ASSISTANT_INDEX_DIR": str(shared.index_dir), "HF_HUB_OFFLINE": "1"}
    errors = (tmp_path / "stderr").open("w")
    writer = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(shared.corpus_dir)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=errors, text=True)
    line = writer.stdout.readline()
    assert line.startswith("written"), (tmp_path / "stderr").read_text()[-2000:]
    assert shard_ids(shared.store) == shards  # not yet committed: no other connection sees it
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=30)
    with pgstore.connect(shared.store) as conn:
        assert pgstore.live_build(conn) == live
    assert shard_ids(shared.store) == shards  # rolled back: nothing half written is left
    report = build_index([shared.corpus_dir], shared.index_dir, shared, embedder)  # the lock died with the writer
    assert sorted(report.updated) == [EDITED, OTHER]


def test_the_database_down_at_start_is_one_clear_line(settings, embedder, tmp_path):
    nowhere = f"postgresql://postgres@127.0.0.1:{free_port()}/assistant"
    env = {**os.environ, "ASSISTANT_STORE": nowhere, "ASSISTANT_INDEX_DIR": str(tmp_path / "cache"), "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-m", "ingest"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1, done.stderr[-2000:]
    assert lines[0].startswith(f"error: the database at postgresql://127.0.0.1:{nowhere.split(':')[2].split('/')[0]}/assistant cannot be reached")
    with pytest.raises(StoreUnavailable, match="cannot be reached"):
        Assistant.open(settings.with_overrides(store=nowhere, index_dir=tmp_path / "cache"), embedder)


def test_answers_go_on_while_the_database_is_away_and_the_replica_reconnects(shared, embedder, postgres):
    build_index([shared.corpus_dir], shared.index_dir, shared, embedder)
    replica = Assistant.open(shared, embedder)
    admin, request = signed_in_admin_page(shared, lambda: replica)
    served = replica.ask(QUESTIONS[1]).text
    try:
        postgres.stop()
        assert replica.ask(QUESTIONS[1]).text == served  # from the cached build
        deadline = time.monotonic() + 10
        while replica.replica.available:
            assert time.monotonic() < deadline, "the lost database was not noticed"
            time.sleep(0.1)
        _, summary, log, feedback, *_ = admin.everything()
        assert summary.startswith("Publishing is unavailable: the database at") and log == [] and "unavailable" in feedback
        with pytest.raises(Exception, match="Publishing is unavailable"):
            admin.reingest("Oldest print first", request, progress=lambda *a, **k: None)
    finally:
        postgres.start()
    deadline = time.monotonic() + 15
    while not replica.replica.available:
        assert time.monotonic() < deadline, "the replica did not reconnect"
        time.sleep(0.1)
    edit(shared.corpus_dir)
    admin.reingest("Oldest print first", request, progress=lambda *a, **k: None)
    assert served_within(replica, 0.5) < 0.5  # the admin's own replica copies the build at once
    assert "updated 1" in admin.everything()[1]
    replica.replica.stop()


def test_feedback_and_the_ingest_log_take_many_writers(shared):
    def write(number):
        for i in range(20):
            from journal import record_feedback

            record_feedback(shared, f"answer-{number}-{i}", "up" if i % 4 else "down", [{"source": "a.txt"}], None)
        log_run(shared, shared.index_dir, Report(added=[f"chapter {number}"]), 1.0)

    writers = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()
    assert feedback_tallies(shared) == ({"up": 60, "down": 20}, 0)
    log, unreadable = read_log(shared)
    assert sorted(e["added"][0] for e in log) == [f"chapter {n}" for n in range(4)]
    assert not (shared.index_dir / "ingest-log.jsonl").exists() and not shared.feedback_path.exists()
