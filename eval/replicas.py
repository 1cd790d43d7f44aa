"""Two chat replicas over one PostgreSQL store, checked end to end and timed.

    python -m eval.replicas                  # ×1 (about a minute on 2 cores)
    python -m eval.replicas --sizes 1,100    # also ×100: bench copies (eval/bench_corpus.py), ~5 min of ingest

For each size: a throwaway PostgreSQL server (eval/pgcluster.py), the corpus ingested into
it, two `python app.py` replicas on two ports with a cache folder each; both asked; one
chapter edited and re-ingested, and the time from the publish to each replica answering
with the new text (target: 5 s); a question's latency on a replica and on the folder store
over the same corpus; then one replica killed and the other asked again. Prints a table and
exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
EDITED = "001_85fc01a5fa2a4b07.txt"
ADDED = "Practitioners must tell the designated safeguarding lead about every missed health appointment of a looked after child within one working day."
ASKED = "what happens to a missed health appointment of a looked after child?"
LATENCY_QUESTIONS = [
    "who do i tell if im worried about a child",
    "what does child centred mean",
    "what age is a child?",
    "which local authority areas do the west midlands procedures cover?",
]
TARGET_S = 5.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def replica(address: str, index_dir: Path, log: Path, corpus: Path | None = None) -> Iterator[tuple[str, subprocess.Popen]]:
    """`python app.py` on a free port over the store at `address`; yields its URL and process."""
    port = free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "ASSISTANT_PORT": str(port), "ASSISTANT_STORE": address, "ASSISTANT_INDEX_DIR": str(index_dir)}
    if corpus:
        env["ASSISTANT_CORPUS_DIR"] = str(corpus)
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield f"http://127.0.0.1:{port}/", process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)


# The README's reverse proxy, on loopback: sticky by client address (Gradio's queue keeps a
# session in one process), and which replica answered in a header, for the tests to see.
NGINX_CONF = """
daemon off;
pid {root}/nginx.pid;
error_log {root}/error.log;
events {{}}
http {{
    access_log off;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    upstream assistant {{ ip_hash; {servers} }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://assistant;
            proxy_http_version 1.1;
            proxy_buffering off;
            proxy_read_timeout 300s;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""


@contextmanager
def proxy(urls: list[str]) -> Iterator[str]:
    """Debian's nginx in front of the replicas at `urls`; yields its URL."""
    program = shutil.which("nginx") or "/usr/sbin/nginx"
    root, port = Path(tempfile.mkdtemp(prefix="assistant-nginx-")), free_port()
    root.chmod(0o755)  # its workers run as nobody when it is started as root
    servers = " ".join(f"server {url.split('//')[1].rstrip('/')};" for url in urls)
    (root / "nginx.conf").write_text(NGINX_CONF.format(root=root, servers=servers, port=port))
    process = subprocess.Popen([program, "-c", str(root / "nginx.conf"), "-p", str(root)], stderr=subprocess.PIPE, text=True)
    try:
        wait_listening(f"http://127.0.0.1:{port}/", process, root / "error.log", timeout_s=20)
        yield f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(root, ignore_errors=True)


def wait_listening(url: str, process: subprocess.Popen, log: Path, timeout_s: float = 180) -> None:
    port = int(url.rstrip("/").rsplit(":", 1)[1])
    deadline = time.monotonic() + timeout_s
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited: {_tail(log)}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{process.args[0]} did not listen within {timeout_s} s: {_tail(log)}") from None
            time.sleep(0.3)


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-2000:] if log.exists() else ""


def ask(client, question: str) -> str:
    """The reply's text as the chat shows it (one question, no history)."""
    history, _, plain = client.predict(question, [], "All areas", api_name="/ask")
    return plain


def seconds_until_served(clients: list, question: str, text: str, since: float, timeout_s: float = 30) -> list[float]:
    """For each replica, seconds from `since` (the publish) until its answer quotes `text`."""
    served: dict[int, float] = {}
    while len(served) < len(clients) and time.monotonic() - since < timeout_s:
        for number, client in enumerate(clients):
            if number not in served and text in ask(client, question):
                served[number] = time.monotonic() - since
        time.sleep(0.05)
    return [served.get(n, float("inf")) for n in range(len(clients))]


def edit_chapter(corpus: Path) -> None:
    """The sentence ADDED put into one chapter (at ×N, the first copy's: eval/bench_corpus.py names it 0000-…)."""
    path = corpus / EDITED if (corpus / EDITED).exists() else corpus / f"0000-{EDITED}"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\n\n", f"\n\n{ADDED}\n\n", 1), encoding="utf-8")


def latency_ms(asks: list, rounds: int = 5) -> list[float]:
    """Median milliseconds a question takes with each of `asks` (functions of a question),
    taken in turns so that both see the same load."""
    timings: list[list[float]] = [[] for _ in asks]
    for _ in range(rounds):
        for question in LATENCY_QUESTIONS:
            for timing, asking in zip(timings, asks):
                started = time.perf_counter()
                asking(question)
                timing.append((time.perf_counter() - started) * 1000)
    return [round(statistics.median(t), 1) for t in timings]


def in_process_ms(settings, folder: Path, embedder) -> list[float]:
    """A question's latency inside the process, without Gradio: a replica (its own copy of the
    database's build) against a single machine's folder store holding the same build."""
    from answer.assistant import Assistant

    on_replica = Assistant.open(settings.with_overrides(index_dir=folder.parent / "cache3"), embedder)
    alone = Assistant(settings.with_overrides(index_dir=folder, store=""), embedder)
    try:
        return latency_ms([on_replica.ask, alone.ask])
    finally:
        on_replica.replica.stop()


def run_size(copies: int, workdir: Path, embedder, cluster) -> dict:
    from gradio_client import Client

    from config import load_settings
    from eval.bench_corpus import scaled_corpus
    from ingest.build import build_index

    corpus = workdir / "corpus"
    if copies == 1:
        shutil.copytree(ROOT / "corpus", corpus)
    else:
        scaled_corpus(ROOT / "corpus", corpus, copies)
        for rules in ("thesaurus.toml", "currency.toml"):  # published with the build, as at ×1
            shutil.copy(ROOT / "corpus" / rules, corpus / rules)
    address = cluster.address()
    settings = load_settings({}).with_overrides(corpus_dir=corpus, index_dir=workdir / "writer", store=address)
    started = time.monotonic()
    build_index([corpus], settings.index_dir, settings, embedder, progress=copies > 1)
    row: dict = {"x": copies, "ingest s": round(time.monotonic() - started, 1)}
    logs = [workdir / f"replica{n}.log" for n in (1, 2)]
    with replica(address, workdir / "cache1", logs[0]) as (url1, first), replica(address, workdir / "cache2", logs[1]) as (url2, second):
        for url, process, log in ((url1, first, logs[0]), (url2, second, logs[1])):
            wait_listening(url, process, log)
        clients = [Client(url, verbose=False) for url in (url1, url2)]
        # The same build from a folder store: a single machine's chat over a copy of the replica's cache.
        shutil.copytree(workdir / "cache1", workdir / "folder")
        with replica("", workdir / "folder", workdir / "folder.log", corpus) as (url3, alone):
            wait_listening(url3, alone, workdir / "folder.log")
            alone_client = Client(url3, verbose=False)
            row["chat p50 ms (replica, folder)"] = latency_ms([lambda q: ask(clients[0], q), lambda q: ask(alone_client, q)])
        row["answer p50 ms (replica, folder)"] = in_process_ms(settings, workdir / "folder", embedder)
        assert all(ADDED not in ask(c, ASKED) for c in clients)
        edit_chapter(corpus)
        started = time.monotonic()
        report = build_index([corpus], settings.index_dir, settings, embedder)
        row["publish s"] = round(time.monotonic() - started, 2)
        row["embedded"] = report.embedded
        row["served s (1, 2)"] = [round(s, 2) for s in seconds_until_served(clients, ASKED, ADDED, time.monotonic())]
        first.kill()
        first.wait(timeout=30)
        row["after a kill"] = "answers" if ADDED in ask(clients[1], ASKED) else "FAILED"
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.replicas", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1", help="comma-separated corpus multiples (default: 1)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from config import load_settings
    from eval.pgcluster import Cluster
    from searchindex.embed import open_embedder

    os.environ.setdefault("ASSISTANT_MODELS_DIR", str(load_settings().resolved_models_dir()))
    embedder = open_embedder(load_settings())
    cluster = Cluster()
    cluster.start()
    rows, failed = [], False
    try:
        for copies in (int(s) for s in args.sizes.split(",")):
            with tempfile.TemporaryDirectory(prefix=f"replicas-x{copies}-") as workdir:
                row = run_size(copies, Path(workdir), embedder, cluster)
            failed |= max(row["served s (1, 2)"]) > TARGET_S or row["after a kill"] != "answers"
            rows.append(row)
            print(row, flush=True)
    finally:
        cluster.remove()
    print(" | ".join(rows[0]))
    for row in rows:
        print(" | ".join(str(v) for v in row.values()))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
