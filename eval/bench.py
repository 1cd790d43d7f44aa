"""Benchmark: how ingest, updates, questions, start-up and memory grow with the corpus.

Example:
    python -m eval.bench                       # corpus ×1 and ×100
    python -m eval.bench --sizes 1,100,1000 --llama-sizes 1

Each size runs in its own process (so peak memory is its own) on a scaled copy of corpus/:
copies with varied titles, areas, print dates, paragraph order and wording. One table is
printed and written, with JSON and a PNG plot, to eval/reports/bench-<time>/.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

from config import load_settings

AREAS = ["Birmingham", "Dudley", "Milton Keynes", "Walsall", "Leeds", "Cornwall", "Kent", "Norfolk", None]
SWAPS = [("children", "young people"), ("professionals", "practitioners"), ("agencies", "organisations"), ("should", "must"), ("ensure", "make sure")]
QUESTIONS_FILE = Path(__file__).parent / "questions.jsonl"


def scaled_corpus(source: Path, target: Path, copies: int, seed: int = 7) -> None:
    """`copies` varied copies of every corpus file, with a manifest giving each its title and area."""
    rng = random.Random(seed)
    target.mkdir(parents=True)
    manifest = []
    for n in range(copies):
        for path in sorted(source.glob("*.txt")):
            blocks = path.read_text(encoding="utf-8").split("\n\n")
            head, body = blocks[:1], blocks[1:]
            if n:
                rng.shuffle(body)
                body = [_reword(block, rng) for block in body]
            day = f"{rng.randint(1, 28)} {rng.choice(['January', 'April', 'June', 'October'])} {rng.randint(2015, 2026)}"
            name = f"{n:04d}-{path.name}"
            (target / name).write_text("\n\n".join(head + body) + f"\n\nLast updated: {day}\n", encoding="utf-8")
            area = rng.choice(AREAS)
            manifest.append(f'["{name}"]\ntitle = "Chapter {n}: {path.stem}"\n' + (f'area = "{area}"\n' if area else ""))
    (target / "manifest.toml").write_text("\n".join(manifest), encoding="utf-8")


def _reword(block: str, rng: random.Random) -> str:
    if rng.random() < 0.5:
        old, new = rng.choice(SWAPS)
        return block.replace(old, new)
    return block


def _percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def measure_size(copies: int, workdir: Path, llama: bool) -> dict:
    """Everything for one corpus size, in this process (run by the parent in a child)."""
    import numpy as np

    from answer.assistant import Assistant
    from eval.questions import load_questions
    from ingest.build import build_index
    from searchindex import store
    from searchindex.embed import Embedder

    corpus, index_dir = workdir / "corpus", workdir / "index"
    scaled_corpus(load_settings().corpus_dir, corpus, copies)
    settings = load_settings().with_overrides(corpus_dir=corpus, index_dir=index_dir)
    started = time.perf_counter()
    embedder = Embedder(settings)
    model_load = time.perf_counter() - started
    started = time.perf_counter()
    report = build_index([corpus], index_dir, settings, embedder)
    ingest_s = time.perf_counter() - started
    index = store.read_index(index_dir, embedder.identity)
    chunk_texts = [c.text for c in index.chunks]
    sample = chunk_texts[: min(len(chunk_texts), 2000)]
    started = time.perf_counter()
    embedder.model.encode(sample, batch_size=64, normalize_embeddings=True)
    raw_chunks_per_s = len(sample) / (time.perf_counter() - started)

    one = corpus / f"{copies // 2:04d}-003_59e7203d59049fa8.txt"
    one.write_text(one.read_text(encoding="utf-8") + "\n\nA new paragraph on escalation added in this update.\n", encoding="utf-8")
    started = time.perf_counter()
    build_index([corpus], index_dir, settings, embedder)
    one_chapter_s = time.perf_counter() - started
    started = time.perf_counter()
    unchanged = build_index([corpus], index_dir, settings, embedder)
    unchanged_s = time.perf_counter() - started

    assistant = Assistant(settings, embedder)
    questions = [q for q in load_questions(QUESTIONS_FILE)][:60]
    for q in questions[:5]:
        assistant.ask(q.question, list(q.history))
    latencies, encodes = [], []
    for q in questions:
        started = time.perf_counter()
        assistant.ask(q.question, list(q.history))
        latencies.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        embedder.encode([q.question])
        encodes.append((time.perf_counter() - started) * 1000)
    p50, p95 = _percentiles(latencies)
    enc50, enc95 = _percentiles(encodes)

    live = assistant.index()
    query_vectors = embedder.encode([q.question for q in questions])
    np.save(workdir / "queries.npy", query_vectors)  # for the approximate-search measurement at scale
    recall = dense_recall(live, query_vectors)

    result = {
        "copies": copies, "documents": len(index.manifest["documents"]), "chunks": len(index.chunks),
        "sentences": len(index.sentences), "embedded": report.embedded, "model_load_s": round(model_load, 2),
        "ingest_s": round(ingest_s, 2), "ingest_chunks_per_s": round(len(chunk_texts) / ingest_s, 1),
        "raw_encode_chunks_per_s": round(raw_chunks_per_s, 1), "ingest_vs_raw": round(len(chunk_texts) / ingest_s / raw_chunks_per_s, 2),
        "one_chapter_update_s": round(one_chapter_s, 2), "unchanged_rerun_s": round(unchanged_s, 2),
        "unchanged_embedded": unchanged.embedded, "question_p50_ms": round(p50, 1), "question_p95_ms": round(p95, 1),
        "query_encode_p50_ms": round(enc50, 1), "query_encode_p95_ms": round(enc95, 1),
        "dense_index": type(live.dense).__name__, "dense_recall_at_10": round(recall, 3),
        "index_mb": round(_du(live.folder) / 2**20, 1),
    }
    if llama:
        result.update(llama_index_defaults(corpus, settings.resolved_model_path(), questions))
    return result


def dense_recall(index, query_vectors, k: int = 10) -> float:
    """Recall@k of the FAISS index against exact search; the corpus repeats sentences, so a
    found vector counts when it is as close as the k-th exact one (ties are not misses)."""
    import numpy as np

    exact = query_vectors @ index.vectors.T
    kth = -np.sort(-exact, axis=1)[:, k - 1]
    _, found = index.dense.search(query_vectors, k)
    hits = [(exact[i, row] >= kth[i] - 1e-5).sum() for i, row in enumerate(found)]
    return float(np.mean(hits) / k)


def approximate_at_scale(index_dir: Path, size: int, k: int = 10, seed: int = 7) -> dict:
    """Recall@k against exact search of the approximate index the store builds past
    `approximate_above`, on `size` vectors: the build's distinct sentence vectors topped up with
    noisy copies of them (the scaled corpus repeats its sentences, so it never has enough
    distinct ones to need it)."""
    import faiss
    import numpy as np

    from searchindex import store

    own = np.load(store.current_build(index_dir) / "vectors.npy")
    queries = np.load(index_dir.parent / "queries.npy")
    rng = np.random.default_rng(seed)
    copies = own[rng.integers(0, len(own), size - len(own))] + rng.normal(0, 0.03, (size - len(own), own.shape[1]))
    data = np.vstack([own, copies / np.linalg.norm(copies, axis=1, keepdims=True)]).astype(np.float32)
    started = time.perf_counter()
    approximate = store.build_dense(data, approximate_above=0)
    build_s = time.perf_counter() - started
    exact = faiss.IndexFlatIP(data.shape[1])
    exact.add(data)
    _, truth = exact.search(queries, k)
    started = time.perf_counter()
    _, found = approximate.search(queries, k)
    search_ms = (time.perf_counter() - started) * 1000 / len(queries)
    recall = float(np.mean([len(set(f) & set(t)) / k for f, t in zip(found, truth)]))
    return {"approximate_index": type(approximate).__name__, "approximate_vectors": size, "approximate_recall_at_10": round(recall, 3),
            "approximate_build_s": round(build_s, 1), "approximate_search_ms": round(search_ms, 2)}


def llama_index_defaults(corpus: Path, model_path: str, questions) -> dict:
    from llama_index.core import Document, VectorStoreIndex
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    embed = HuggingFaceEmbedding(model_name=model_path, device="cpu")
    documents = [Document(text=p.read_text(encoding="utf-8")) for p in sorted(corpus.glob("*.txt"))]
    started = time.perf_counter()
    index = VectorStoreIndex.from_documents(documents, embed_model=embed, transformations=[SentenceSplitter(chunk_size=1024, chunk_overlap=200)])
    ingest_s = time.perf_counter() - started
    retriever = index.as_retriever(similarity_top_k=5)
    latencies = []
    for q in questions:
        started = time.perf_counter()
        retriever.retrieve(q.question)
        latencies.append((time.perf_counter() - started) * 1000)
    p50, p95 = _percentiles(latencies)
    return {"llama_ingest_s": round(ingest_s, 2), "llama_question_p50_ms": round(p50, 1), "llama_question_p95_ms": round(p95, 1)}


def cold_start(index_dir: Path, corpus: Path) -> float:
    """Seconds from a new Python process to its first answer, with the index present."""
    code = "from answer.assistant import Assistant; from config import load_settings; Assistant.open(load_settings()).ask('what age is a child?')"
    env = {**os.environ, "ASSISTANT_INDEX_DIR": str(index_dir), "ASSISTANT_CORPUS_DIR": str(corpus), "HF_HUB_OFFLINE": "1"}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).parent.parent, env=env, check=True, capture_output=True)
    return round(time.perf_counter() - started, 2)


def run_child(copies: int, workdir: Path, llama: bool) -> dict:
    """One size in a child process, with its own peak resident memory."""
    command = [sys.executable, "-m", "eval.bench", "--one", str(copies), "--workdir", str(workdir)] + (["--llama"] if llama else [])
    process = subprocess.Popen(command, cwd=Path(__file__).parent.parent, stdout=subprocess.PIPE, text=True)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise SystemExit(f"bench for ×{copies} failed (status {status})")
    result = json.loads(output.strip().splitlines()[-1])
    result["peak_rss_mb"] = round(usage.ru_maxrss / 1024, 0)
    result["cold_start_s"] = cold_start(workdir / "index", workdir / "corpus")
    return result


COLUMNS = [
    ("copies", "×"), ("chunks", "chunks"), ("ingest_chunks_per_s", "ingest c/s"), ("raw_encode_chunks_per_s", "raw c/s"),
    ("ingest_vs_raw", "vs raw"), ("one_chapter_update_s", "1-chap s"), ("unchanged_rerun_s", "unchg s"),
    ("question_p50_ms", "q p50 ms"), ("question_p95_ms", "q p95 ms"), ("query_encode_p50_ms", "enc p50"),
    ("cold_start_s", "cold s"), ("peak_rss_mb", "RSS MB"), ("index_mb", "index MB"), ("dense_recall_at_10", "recall@10"),
    ("approximate_vectors", "IVF n"), ("approximate_recall_at_10", "IVF r@10"), ("approximate_search_ms", "IVF ms"),
    ("llama_ingest_s", "llama ingest s"), ("llama_question_p95_ms", "llama q p95"),
]


def table(results: list[dict]) -> str:
    lines = [" ".join(h.rjust(max(9, len(h))) for _, h in COLUMNS)]
    for r in results:
        lines.append(" ".join(str(r.get(k, "–")).rjust(max(9, len(h))) for k, h in COLUMNS))
    return "\n".join(lines)


def plot(results: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [r["chunks"] for r in results]
    figure, axes = plt.subplots(1, 3, figsize=(13, 3.6))
    axes[0].plot(sizes, [r["ingest_chunks_per_s"] for r in results], "o-", label="ingest")
    axes[0].plot(sizes, [r["raw_encode_chunks_per_s"] for r in results], "o--", label="raw encode")
    axes[0].set_title("chunks per second")
    axes[1].plot(sizes, [r["question_p95_ms"] for r in results], "o-", label="question p95")
    axes[1].plot(sizes, [r["query_encode_p95_ms"] for r in results], "o--", label="query encode p95")
    axes[1].set_title("milliseconds")
    axes[2].plot(sizes, [r["peak_rss_mb"] for r in results], "o-", label="peak RSS MB")
    axes[2].plot(sizes, [r["index_mb"] for r in results], "o--", label="index MB")
    axes[2].set_title("megabytes")
    for axis in axes:
        axis.set_xscale("log")
        axis.set_xlabel("chunks")
        axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1,100", help="corpus multiples, comma-separated (default 1,100)")
    parser.add_argument("--llama-sizes", default="1,100", help="sizes at which llama-index defaults are also measured")
    parser.add_argument("--out", type=Path, help="report folder (default eval/reports/bench-<time>)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--llama", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.one:
        print(json.dumps(measure_size(args.one, args.workdir, args.llama)))
        return 0
    import tempfile

    out = args.out or Path(__file__).parent / "reports" / time.strftime("bench-%Y%m%d-%H%M%S")
    out.mkdir(parents=True, exist_ok=True)
    llama_sizes = {int(s) for s in args.llama_sizes.split(",") if s}
    results = []
    sizes = [int(s) for s in args.sizes.split(",")]
    for copies in sizes:
        with tempfile.TemporaryDirectory(prefix=f"bench-x{copies}-") as workdir:
            print(f"×{copies}…", file=sys.stderr, flush=True)
            results.append(run_child(copies, Path(workdir), copies in llama_sizes))
            if copies == max(sizes):
                results[-1].update(approximate_at_scale(Path(workdir) / "index", 2 * load_settings().approximate_above))
    (out / "bench.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    plot(results, out / "bench.png")
    (out / "bench.txt").write_text(table(results) + "\n", encoding="utf-8")
    print(table(results))
    print(f"report: {out}/bench.txt, bench.json, bench.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
