"""Shared fixtures: the real model and a real index of corpus/, built once per session."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from config import Settings, load_settings  # noqa: E402

# The ONNX file set-up exported, for every index a test builds and every process it starts:
# exporting it again per folder would cost seconds each.
os.environ.setdefault("ASSISTANT_MODELS_DIR", str(load_settings({}).resolved_models_dir()))


@pytest.fixture(scope="session")
def settings(tmp_path_factory) -> Settings:
    return load_settings({}).with_overrides(index_dir=tmp_path_factory.mktemp("index"), models_dir=os.environ["ASSISTANT_MODELS_DIR"])


@pytest.fixture(scope="session")
def embedder(settings):
    from searchindex.embed import open_embedder

    return open_embedder(settings)


@pytest.fixture(scope="session")
def built_index(settings, embedder):
    from ingest.build import build_index

    report = build_index([settings.corpus_dir], settings.index_dir, settings, embedder)
    assert not report.failed
    return report


@pytest.fixture(scope="session")
def assistant(settings, embedder, built_index):
    from answer.assistant import Assistant

    return Assistant.open(settings, embedder)


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A copy of the shipped corpus a test may change."""
    folder = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", folder)
    return folder


def corpus_text(name: str) -> str:
    return (ROOT / "corpus" / name).read_text(encoding="utf-8")


def signed_in_admin_page(settings: Settings, assistant=lambda: None):
    """The admin page's handlers, and a request carrying a live admin session's cookie as a
    signed-in browser's calls do (admin_sessions.py), to call them with."""
    from types import SimpleNamespace

    from admin import AdminPage
    from admin_sessions import COOKIE, AdminSessions

    sessions = AdminSessions("a long enough password", idle_s=60, max_failures=5, lockout_s=60)
    request = SimpleNamespace(cookies={COOKIE: sessions.sign_in("test", "a long enough password")})
    return AdminPage(settings, assistant, sessions), request


@pytest.fixture(scope="session")
def postgres():
    """A throwaway PostgreSQL server on a loopback port (eval/pgcluster.py), for the whole run."""
    from eval.pgcluster import Cluster, NoPostgres

    try:
        cluster = Cluster()
    except NoPostgres as error:
        pytest.skip(str(error))
    cluster.start()
    yield cluster
    cluster.remove()
