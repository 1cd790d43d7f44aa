"""Benchmark: how ingest, updates, questions, start-up and memory grow with the corpus.

Example:
    python -m eval.bench --sizes 1,10                  # a few minutes on 2 cores
    python -m eval.bench --sizes 1000 --out eval/reports/bench-20261124-181500
                                                       # ×1000 alone (about an hour), added to that report
    python -m eval.bench                               # ×1, ×10, ×100 and ×1000 in one go
    python -m eval.bench --corpus ../shared/realdocs --sizes 1,10 --llama-sizes 1 --out eval/reports/bench-real
                                                       # the seeds and the guidance PDFs, then ×10

Each size is corpus/ and reworded copies of it (eval/bench_corpus.py), so a bigger corpus has
that much more distinct text to embed. Each size runs in its own processes, one after another:
ingest, a one-chapter update, an unchanged re-run and questions (peak RSS its own), torch's
raw encoding of a sample of the same texts, a cold start to a first answer, and llama-index
defaults beside them. Rows are written, with the targets and a log-log PNG, to
eval/reports/bench-<time>/ (or --out, where a size's row replaces that size's old one).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from config import load_settings
from eval.bench_corpus import add_documents, scaled_corpus
from eval.bench_report import merge, read_rows, write_report

if TYPE_CHECKING:
    from answer.assistant import Assistant
    from searchindex.embed import Embedder
    from searchindex.store import IndexData

T = TypeVar("T")

ROOT = Path(__file__).parent.parent
QUESTIONS_FILE = Path(__file__).parent / "questions.jsonl"
REAL_QUESTIONS_FILE = Path(__file__).parent / "realdocs.jsonl"  # about ../shared/realdocs, for --corpus
RECALL_QUESTION_FILES = [QUESTIONS_FILE, Path(__file__).parent / "practitioners.jsonl"]
LATENCY_QUESTIONS = 60
WARM_UP_QUESTIONS = 5
RAW_SAMPLE = 2000  # texts torch encodes raw, at most: a minute or so
RAW_MIN_SECONDS = 10  # a smaller sample is encoded again until the rate is steady
OPEN_MODEL = "from config import load_settings; from searchindex.embed import open_embedder; open_embedder(load_settings())"
COLD_START = "from answer.assistant import Assistant; from config import load_settings; Assistant.open(load_settings()).ask('what age is a child?')"
# A chapter's revision: a word changed and a sentence added in one paragraph, a new paragraph after it.
EDITED_ENDING = " Any decision not to refer must be recorded in writing, with its reasons."
NEW_PARAGRAPH = (
    "Where practitioners disagree about whether a concern meets the threshold for a referral, they should "
    "escalate it to their designated safeguarding lead on the same working day."
)


def _say(copies: int, message: str) -> None:
    print(f"×{copies}: {message}", file=sys.stderr, flush=True)


def _percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]


def index_mb(index_dir: Path, models_dir: Path) -> float:
    """The index folder's size, leaving out exported models kept in it."""
    files = [p for p in index_dir.rglob("*") if p.is_file() and not p.is_relative_to(models_dir)]
    return round(sum(p.stat().st_size for p in files) / 2**20, 1)


def edit_chapter(path: Path) -> None:
    """Revise the middle long paragraph of a chapter and add one after it."""
    blocks = path.read_text(encoding="utf-8").split("\n\n")
    prose = [i for i, block in enumerate(blocks) if len(block.split()) > 30 and block.rstrip().endswith(".")]
    i = prose[len(prose) // 2]
    blocks[i] = blocks[i].rstrip().replace(" should ", " must ", 1) + EDITED_ENDING
    blocks.insert(i + 1, NEW_PARAGRAPH)
    path.write_text("\n\n".join(blocks), encoding="utf-8")


def typical_chapter(corpus: Path, copies: int) -> Path:
    """The median-sized chapter of the middle copy."""
    chapters = sorted(corpus.glob(f"{copies // 2:04d}-*.txt"), key=lambda p: p.stat().st_size)
    return chapters[len(chapters) // 2]


def texts_to_embed(corpus: Path) -> tuple[int, int]:
    """Documents, and texts ingest will embed (each distinct sentence and passage), without the model."""
    from ingest.load import find_files, load, read_manifest
    from ingest.prepare import prepare
    from ingest.sentences import split_chunks

    settings, manifest, files, texts = load_settings(), read_manifest(corpus), find_files([corpus]), set()
    for path in files:
        _, chunks = prepare(load(path, manifest, settings), settings)
        texts.update(c.embed_text for c in chunks)
        texts.update(s.embed_text for s in split_chunks(chunks))
    return len(files), len(texts)


def repeat_shares(index: IndexData) -> tuple[float, float]:
    """Share of sentences whose text another sentence already has, anywhere and in another document.
    A long list's lead-in is repeated in each of its passages, so the first is never quite 0."""
    texts = [s.text for s in index.sentences]
    in_document = {(index.chunks[s.chunk].source, s.text) for s in index.sentences}
    distinct = len(set(texts))
    return round(1 - distinct / len(texts), 4), round(1 - distinct / len(in_document), 4)


def dense_recall(index: IndexData, queries: np.ndarray, k: int = 10, batch: int = 50) -> float:
    """Recall@k of the FAISS index against exact search over the same vectors; a vector found
    as close as the k-th exact one counts (ties are not misses)."""
    _, found = index.dense.search(queries, k)
    hits = 0
    for start in range(0, len(queries), batch):  # in batches: queries × vectors is large at ×1000
        exact = queries[start : start + batch] @ index.vectors.T
        kth = -np.partition(-exact, k - 1, axis=1)[:, k - 1]
        rows = found[start : start + batch]
        hits += sum(int((exact[i, row[row >= 0]] >= kth[i] - 1e-5).sum()) for i, row in enumerate(rows))
    return round(hits / (k * len(queries)), 4)


def _timed(step: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    result = step()
    return result, round(time.perf_counter() - started, 2)


def _corpus_counts(index: IndexData) -> dict:
    repeat, across_documents = repeat_shares(index)
    return {"documents": len(index.manifest["documents"]), "passages": len(index.chunks), "sentences": len(index.sentences),
            "repeat_share": repeat, "repeat_share_across_documents": across_documents}


def _write_raw_sample(index: IndexData, path: Path) -> None:
    texts = sorted({s.embed_text for s in index.sentences} | {c.embed_text for c in index.chunks})
    path.write_text(json.dumps(random.Random(0).sample(texts, min(RAW_SAMPLE, len(texts)))), encoding="utf-8")


def _question_latencies(assistant: Assistant, extra: bool) -> dict:
    from eval.questions import load_questions

    questions = load_questions(QUESTIONS_FILE)[:LATENCY_QUESTIONS]
    if extra:  # the real documents' questions too, half and half
        questions = questions[: LATENCY_QUESTIONS // 2] + load_questions(REAL_QUESTIONS_FILE)[: LATENCY_QUESTIONS // 2]
    for q in questions[:WARM_UP_QUESTIONS]:
        assistant.ask(q.question, list(q.history))
    latencies = []
    for q in questions:
        started = time.perf_counter()
        assistant.ask(q.question, list(q.history))
        latencies.append((time.perf_counter() - started) * 1000)
    p50, p95 = _percentiles(latencies)
    return {"question_p50_ms": round(p50, 1), "question_p95_ms": round(p95, 1)}


def _updates(ingest: Callable, corpus: Path, copies: int) -> dict:
    edit_chapter(typical_chapter(corpus, copies))
    update, update_s = _timed(ingest)
    rerun, rerun_s = _timed(ingest)
    return {"one_chapter_update_s": update_s, "one_chapter_embedded": update.embedded,
            "unchanged_rerun_s": rerun_s, "unchanged_embedded": rerun.embedded}


def _recall(index: IndexData, embedder: Embedder) -> dict:
    from eval.questions import load_questions

    queries = embedder.encode([q.question for path in RECALL_QUESTION_FILES for q in load_questions(path)])
    return {"dense_vectors": len(index.vectors), "dense_index": type(index.dense).__name__, "dense_recall_at_10": dense_recall(index, queries)}


def measure(copies: int, workdir: Path) -> dict:
    """Ingest, questions, a one-chapter update, an unchanged re-run and recall for one size, in
    this process (a child of the bench): model load is timed apart from all of them."""
    from answer.assistant import Assistant
    from ingest.build import build_index
    from searchindex.embed import open_embedder

    corpus, index_dir = workdir / "corpus", workdir / "index"
    settings = load_settings().with_overrides(corpus_dir=corpus, index_dir=index_dir)
    embedder, model_load_s = _timed(lambda: open_embedder(settings))
    _say(copies, f"model loaded in {model_load_s} s; ingest")
    ingest, ingest_s = _timed(lambda: build_index([corpus], index_dir, settings, embedder, progress=True))
    row = {"copies": copies, "embedded": ingest.embedded, "model_load_s": model_load_s, "ingest_s": ingest_s,
           "ingest_texts_per_s": round(ingest.embedded / ingest_s, 1), "embedder": settings.embed_backend,
           "index_mb": index_mb(index_dir, settings.resolved_models_dir())}
    assistant = Assistant(settings, embedder)
    row.update(_corpus_counts(assistant.index()))
    _write_raw_sample(assistant.index(), workdir / "raw_sample.json")
    _say(copies, "questions")
    row.update(_question_latencies(assistant, any(corpus.glob("*.pdf"))))
    _say(copies, "one-chapter update and unchanged re-run")
    row.update(_updates(lambda: build_index([corpus], index_dir, settings, embedder), corpus, copies))
    _say(copies, "recall against exact search")
    row.update(_recall(assistant.index(), embedder))
    return row


def raw_encode(workdir: Path) -> dict:
    """Texts per second of sentence-transformers on torch alone, on the sample ingest wrote."""
    from sentence_transformers import SentenceTransformer

    from searchindex.embed_torch import BATCH_SIZE

    texts = json.loads((workdir / "raw_sample.json").read_text(encoding="utf-8"))
    model = SentenceTransformer(load_settings().resolved_model_path(), device="cpu", local_files_only=True)
    model.encode(texts[:BATCH_SIZE], batch_size=BATCH_SIZE)  # the first batch pays one-off set-up
    encoded, started = 0, time.perf_counter()
    while not encoded or time.perf_counter() - started < RAW_MIN_SECONDS:
        encoded += len(model.encode(texts, batch_size=BATCH_SIZE, normalize_embeddings=True))
    return {"raw_texts_per_s": round(encoded / (time.perf_counter() - started), 1)}


def llama_index_defaults(workdir: Path) -> dict:
    """llama-index out of the box on the same files, model and questions."""
    from llama_index.core import VectorStoreIndex
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    from eval.questions import load_questions
    from eval.systems import llama_documents
    from ingest.load import find_files

    embed = HuggingFaceEmbedding(model_name=load_settings().resolved_model_path(), device="cpu")
    documents = llama_documents(find_files([workdir / "corpus"]))
    splitter = SentenceSplitter(chunk_size=1024, chunk_overlap=200)
    index, ingest_s = _timed(lambda: VectorStoreIndex.from_documents(documents, embed_model=embed, transformations=[splitter]))
    retriever = index.as_retriever(similarity_top_k=5)
    latencies = []
    for q in load_questions(QUESTIONS_FILE)[:LATENCY_QUESTIONS]:
        started = time.perf_counter()
        retriever.retrieve(q.question)
        latencies.append((time.perf_counter() - started) * 1000)
    p50, p95 = _percentiles(latencies)
    return {"llama_ingest_s": ingest_s, "llama_question_p50_ms": round(p50, 1), "llama_question_p95_ms": round(p95, 1)}


def _run(args: list[str], env: dict | None = None) -> tuple[str, float, float]:
    """A Python process run to its end: its output, its peak resident MB and its seconds."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise SystemExit(f"bench step `{' '.join(args[:4])}…` failed (status {status})")
    return output, round(usage.ru_maxrss / 1024), time.perf_counter() - started


def _child(step: str, workdir: Path, copies: int) -> tuple[dict, float]:
    output, peak_mb, _ = _run(["-m", "eval.bench", "--child", step, "--workdir", str(workdir), "--sizes", str(copies)])
    return json.loads(output.strip().splitlines()[-1]), peak_mb


def cold_start(workdir: Path) -> dict:
    """A new Python process to its first answer, with the index present."""
    env = {**os.environ, "ASSISTANT_INDEX_DIR": str(workdir / "index"), "ASSISTANT_CORPUS_DIR": str(workdir / "corpus"), "HF_HUB_OFFLINE": "1"}
    _, peak_mb, seconds = _run(["-c", COLD_START], env)
    return {"cold_start_s": round(seconds, 2), "serve_rss_mb": peak_mb}


def _estimate(copies: int, texts: int, rows: list[dict]) -> str:
    known = [r for r in rows if r["copies"] < copies and r.get("ingest_texts_per_s")]
    if not known:
        return ""
    rate, at = known[-1]["ingest_texts_per_s"], known[-1]["copies"]
    return f" (~{texts / rate / 60:.0f} min at ×{at}'s {rate:.0f} texts/s)"


def measure_size(copies: int, workdir: Path, llama: bool, rows: list[dict], extra: Path | None) -> dict:
    _say(copies, "writing the corpus")
    scaled_corpus(load_settings().corpus_dir, workdir / "corpus", copies)
    if extra:
        add_documents(extra, workdir / "corpus", copies)
    documents, texts = texts_to_embed(workdir / "corpus")
    _say(copies, f"{documents} documents; ingest must embed {texts:,} texts{_estimate(copies, texts, rows)}")
    row, peak_mb = _child("measure", workdir, copies)
    row["peak_rss_mb"] = peak_mb
    row["corpus"] = f"seeds + {extra.name}" if extra else "seeds"
    _say(copies, "cold start")
    row.update(cold_start(workdir))
    _say(copies, "torch raw encode")
    row.update(_child("raw", workdir, copies)[0])
    row["ingest_vs_raw"] = round(row["ingest_texts_per_s"] / row["raw_texts_per_s"], 2)
    if llama:
        _say(copies, "llama-index defaults")
        row.update(_child("llama", workdir, copies)[0])
    return row


def _sizes(text: str) -> list[int]:
    return [int(s) for s in text.split(",") if s]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1,10,100,1000", help="corpus multiples, comma-separated (default 1,10,100,1000)")
    parser.add_argument("--llama-sizes", default="1,10", help="sizes at which llama-index defaults are measured too (default 1,10)")
    parser.add_argument("--out", type=Path, help="report folder; rows already in it are kept unless re-measured (default eval/reports/bench-<time>)")
    parser.add_argument("--corpus", type=Path, help="documents to add to every size, e.g. ../shared/realdocs (copied as they are, then reworded as text in each further copy); use its own --out")
    parser.add_argument("--child", choices=["measure", "raw", "llama"], help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.child:
        steps = {"measure": lambda: measure(_sizes(args.sizes)[0], args.workdir), "raw": lambda: raw_encode(args.workdir),
                 "llama": lambda: llama_index_defaults(args.workdir)}
        print(json.dumps(steps[args.child]()))
        return 0
    out = args.out or Path(__file__).parent / "reports" / time.strftime("bench-%Y%m%d-%H%M%S")
    out.mkdir(parents=True, exist_ok=True)
    rows, llama_sizes = read_rows(out), set(_sizes(args.llama_sizes))
    with tempfile.TemporaryDirectory(prefix="bench-models-") as models:
        # One exported model for every size, made before any is timed: an export is once per install.
        os.environ.setdefault("ASSISTANT_MODELS_DIR", models)
        print(f"model ready in {_run(['-c', OPEN_MODEL])[2]:.1f} s (with its export, if any)", file=sys.stderr)
        for copies in _sizes(args.sizes):
            with tempfile.TemporaryDirectory(prefix=f"bench-x{copies}-") as workdir:
                rows = merge(rows, measure_size(copies, Path(workdir), copies in llama_sizes, rows, args.corpus))
            write_report(out, rows)  # after every size, so a long run keeps what it has measured
    print((out / "bench.txt").read_text(encoding="utf-8"), end="")
    print(f"report: {out}/bench.txt, bench.json, bench.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
