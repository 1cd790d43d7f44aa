"""The embedder's backends: ONNX Runtime (the default, no torch in the chat) and
sentence-transformers on torch give the same vectors, so an index built by one is served by
the other; the ONNX file is checked against its record; int8 vectors are never mixed with fp32."""

import json
import os
import re
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT

from answer.assistant import Assistant
from eval.questions import load_questions
from ingest.build import build_index
from searchindex import store
from searchindex.embed import ModelError, file_sha256, open_embedder
from searchindex.onnx_export import main as export_main
from searchindex.onnx_export import onnx_file

QUESTIONS = load_questions(ROOT / "eval" / "practitioners.jsonl")[:20]  # typed as practitioners type, follow-ups too


@pytest.fixture(scope="module")
def torch_embedder(settings):
    return open_embedder(settings.with_overrides(embed_backend="torch"))


@pytest.fixture(scope="module")
def torch_settings(settings, torch_embedder, tmp_path_factory):
    """The corpus indexed by the torch backend, beside the session's index (built by ONNX)."""
    torch_settings = settings.with_overrides(index_dir=tmp_path_factory.mktemp("torch-index"))
    assert not build_index([settings.corpus_dir], torch_settings.index_dir, torch_settings, torch_embedder).failed
    return torch_settings


def _seen(answer) -> tuple:
    """What a practitioner sees of an answer (scores aside)."""
    return answer.text, answer.abstained, [(c.chunk.source, c.chunk.text) for c in (*answer.citations, *answer.related)]


def test_the_default_backend_is_onnx_and_the_index_records_it(settings, embedder, built_index):
    model = store.read_manifest(settings.index_dir)["model"]
    path = onnx_file(settings.resolved_models_dir(), embedder.identity.sha256, "fp32")
    assert (model["backend"], model["variant"], model["onnx_sha256"]) == ("onnx", "fp32", file_sha256(path))
    assert json.loads(path.with_suffix(".json").read_text())["weights_sha256"] == model["sha256"]


def test_torch_and_onnx_give_the_same_vector_for_every_sentence_and_passage(settings, built_index, torch_settings, torch_embedder):
    by_onnx = store.read_index(settings.index_dir, torch_embedder.identity)
    by_torch = store.read_index(torch_settings.index_dir, torch_embedder.identity)
    assert [s.embed_text for s in by_onnx.sentences] == [s.embed_text for s in by_torch.sentences]
    for onnx_rows, torch_rows in [(by_onnx.vectors, by_torch.vectors), (by_onnx.passage_vectors, by_torch.passage_vectors)]:
        assert len(onnx_rows) == len(torch_rows) > 40
        assert (onnx_rows * torch_rows).sum(axis=1).min() >= 0.9999


def test_an_index_built_with_torch_is_served_by_onnx_with_the_same_answers(embedder, torch_settings, torch_embedder):
    by_onnx = Assistant(torch_settings, embedder)
    by_torch = Assistant(torch_settings, torch_embedder)
    for q in QUESTIONS:
        assert _seen(by_onnx.ask(q.question, q.history)) == _seen(by_torch.ask(q.question, q.history)), q.id


def test_the_chat_answers_without_importing_torch(settings, built_index):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(ASSISTANT_INDEX_DIR=str(settings.index_dir), ASSISTANT_MODELS_DIR=str(settings.resolved_models_dir()))
    script = (
        "import sys, app\n"
        "*_, (chat, _, plain, _) = app.respond('whats the age of a child', [], app.ALL_AREAS, [])\n"
        "print(bool(plain.strip()), sorted(m for m in ('torch', 'sentence_transformers', 'transformers') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip().splitlines()[-1:] == ["True []"], done.stderr[-2000:]


def test_a_damaged_onnx_file_is_refused_in_one_line_naming_it_and_export_replaces_it(settings, embedder, tmp_path, monkeypatch):
    models = tmp_path / "models"
    shutil.copytree(settings.resolved_models_dir(), models)
    path = onnx_file(models, embedder.identity.sha256, "fp32")
    with path.open("r+b") as handle:  # one byte half way in, among the weights
        handle.seek(path.stat().st_size // 2)
        byte = handle.read(1)
        handle.seek(-1, os.SEEK_CUR)
        handle.write(bytes([byte[0] ^ 0xFF]))
    damaged = settings.with_overrides(models_dir=str(models))
    with pytest.raises(ModelError, match=f"^{re.escape(str(path))}: sha256 .* \\(damaged or edited\\)") as refused:
        open_embedder(damaged)
    assert "\n" not in str(refused.value)
    monkeypatch.setenv("ASSISTANT_MODELS_DIR", str(models))
    assert export_main(["--variant", "fp32"]) == 0
    assert open_embedder(damaged).identity == embedder.identity


def test_a_missing_onnx_file_without_torch_to_export_it_is_one_line(settings, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # as on a machine where torch is not installed
    with pytest.raises(ModelError, match="-fp32.onnx: exporting it needs torch, which is not installed") as refused:
        open_embedder(settings.with_overrides(models_dir=str(tmp_path / "models")))
    assert "\n" not in str(refused.value)


def test_int8_vectors_differ_so_an_index_of_fp32_vectors_is_refused_by_the_int8_embedder_in_one_line(settings, embedder, built_index):
    int8 = open_embedder(settings.with_overrides(embed_backend="onnx-int8"))
    texts = [s.embed_text for s in store.read_index(settings.index_dir, embedder.identity).sentences[:50]]
    cosines = (int8.encode(texts) * embedder.encode(texts)).sum(axis=1)
    assert 0.95 < cosines.min() and cosines.max() < 0.9999
    with pytest.raises(store.IndexUnavailable, match="built with fp32 vectors \\(onnx\\) but the configured embedder gives int8 \\(onnx\\)") as refused:
        Assistant(settings, int8).index()
    assert "\n" not in str(refused.value)
