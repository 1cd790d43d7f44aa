"""Hardening: odd questions get a clear reply, damaged indexes are rebuilt or passed over,
admin actions stay behind sign-in, and questions leave no trace on disk."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from browser import running_app
from conftest import ROOT

from answer.assistant import Assistant
from ingest.build import build_index
from ingest.load import IngestError
from ingest.lock import ingest_lock
from ingest.uploads import save_upload
from searchindex import store


@pytest.mark.parametrize(
    "question",
    [
        "",
        " \t\n ",
        "x" * 100_000,
        "01234 567890",
        "🙂🙂👶🏽",
        "Pwy sy'n gyfrifol am ddiogelu plant?",
        "Kto jest odpowiedzialny za ochronę dzieci?",
        "\x00\x07\x1b[31m",
    ],
    ids=["empty", "whitespace", "100KB", "phone number only", "emoji only", "Welsh", "Polish", "control characters"],
)
def test_odd_questions_get_a_clear_reply_and_no_citations(assistant, question):
    answer = assistant.ask(question)
    assert answer.abstained and answer.citations == ()
    assert "call 999" in answer.text
    assert len(answer.text) < 1000


def test_control_characters_and_emoji_around_a_real_question_are_ignored(assistant):
    clean = assistant.ask("what age is a child?")
    noisy = assistant.ask("\x00what age\x07 is a child?\x1b 👶")
    assert not noisy.abstained
    assert noisy.citations[0].chunk.id == clean.citations[0].chunk.id


@pytest.fixture
def copied(settings, embedder, built_index, tmp_path):
    folder = tmp_path / "index"
    shutil.copytree(settings.index_dir, folder)
    return settings.with_overrides(index_dir=folder)


def _a_shard(settings) -> Path:
    documents = store.read_manifest(settings.index_dir)["documents"]
    return settings.index_dir / "shards" / documents["001_85fc01a5fa2a4b07.txt"]["shard"]


@pytest.mark.parametrize("damage", ["corrupt vectors", "truncated text", "missing shard", "pointer to nothing", "other model"])
def test_a_damaged_index_is_rebuilt_from_the_corpus_on_start(copied, embedder, damage, caplog):
    build, shard = store.current_build(copied.index_dir), _a_shard(copied)
    if damage == "corrupt vectors":
        (shard / "vectors.npy").write_bytes(b"not vectors")
    elif damage == "truncated text":
        data = (shard / "shard.json").read_bytes()
        (shard / "shard.json").write_bytes(data[: len(data) // 2])
    elif damage == "missing shard":
        shutil.rmtree(shard)
    elif damage == "pointer to nothing":
        (copied.index_dir / "CURRENT").write_text("no-such-build", encoding="utf-8")
    else:
        manifest = (build / "manifest.json").read_text(encoding="utf-8")
        (build / "manifest.json").write_text(manifest.replace('"dimension": 384', '"dimension": 768'), encoding="utf-8")
    assistant = Assistant.open(copied, embedder)
    assert store.current_build(copied.index_dir) != build
    assert "building a new index" in caplog.text
    assert not assistant.ask("what age is a child?").abstained


def test_a_broken_new_build_is_passed_over_and_the_loaded_one_keeps_serving(copied, embedder, caplog):
    assistant = Assistant.open(copied, embedder)
    serving = assistant.index().folder
    broken = copied.index_dir / "builds" / "broken"
    shutil.copytree(serving, broken)
    manifest = json.loads((broken / "manifest.json").read_text(encoding="utf-8"))
    manifest["documents"]["001_85fc01a5fa2a4b07.txt"]["shard"] = "no-such-shard"
    (broken / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (copied.index_dir / "CURRENT").write_text("broken", encoding="utf-8")
    answer = assistant.ask("what age is a child?")
    assert not answer.abstained and assistant.index().folder == serving
    assert "still serving" in caplog.text


def test_a_second_ingest_at_the_same_time_stops_with_a_clear_message(copied, embedder):
    with ingest_lock(copied.index_dir):
        with pytest.raises(IngestError, match="another ingest is already running"):
            build_index([copied.corpus_dir], copied.index_dir, copied, embedder)


def test_uploads_are_limited_in_type_and_size(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    source = tmp_path / "upload.bin"
    source.write_bytes(b"MZ\x90\x00")
    with pytest.raises(IngestError, match="unsupported file type"):
        save_upload(source, "tool.exe", corpus, 1024)
    source.write_bytes(b"x" * 2048)
    with pytest.raises(IngestError, match="too large"):
        save_upload(source, "big.txt", corpus, 1024)
    source.write_bytes(b"Title\n\nText.\n")
    assert save_upload(source, "../../../etc/cron.d/evil.txt", corpus, 1024) == corpus / "evil.txt"
    assert list(corpus.iterdir()) == [corpus / "evil.txt"]


def test_admin_actions_are_not_in_the_api_and_the_app_binds_to_localhost(settings, built_index, tmp_path):
    from gradio_client import Client

    assert settings.host == "127.0.0.1"
    log = tmp_path / "app.log"
    with running_app(log, index_dir=str(settings.index_dir), admin_password="a long enough password") as url:
        endpoints = Client(url, verbose=False).view_api(print_info=False, return_format="dict")["named_endpoints"]
        assert set(endpoints) == {"/ask"}
    assert "Running on local URL:  http://127.0.0.1:" in log.read_text()


def test_a_question_leaves_no_trace_on_disk(settings, built_index, tmp_path):
    from gradio_client import Client

    secret = "zebrafinch quokka 4711"
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    app_settings = {"index_dir": str(settings.index_dir), "feedback_path": str(run_dir / "feedback.jsonl")}
    os.environ["GRADIO_TEMP_DIR"] = str(run_dir / "gradio-tmp")
    try:
        with running_app(run_dir / "app.log", **app_settings) as url:
            client = Client(url, verbose=False)
            client.predict(f"does {secret} have to follow the safeguarding procedures?", [], "All areas", api_name="/ask")
    finally:
        del os.environ["GRADIO_TEMP_DIR"]
    places = [run_dir, settings.index_dir, ROOT / "index", ROOT / "feedback", ROOT / "eval" / "reports"]
    hits = subprocess.run(["grep", "-rl", "quokka", *[str(p) for p in places if Path(p).exists()]], capture_output=True, text=True)
    assert hits.stdout == "", hits.stdout
