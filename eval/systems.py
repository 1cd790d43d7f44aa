"""The systems one evaluation run compares: ours, and plain baselines in the same
result format — ours with one retrieval signal switched off, and llama-index's defaults."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Callable

from answer.assistant import Assistant
from eval.questions import Question
from eval.results import result_json
from searchindex.store import IndexData

# A system turns a question into one result line (contract fields, then its answer's notes).
System = Callable[[Question, int], dict]


def timed_ask(assistant: Assistant) -> System:
    def ask(question: Question, k: int) -> dict:
        started = time.perf_counter()
        answer = assistant.ask(question.question, list(question.history))
        return result_json(question.id, answer, (time.perf_counter() - started) * 1000, k)

    return ask


def ours(assistant: Assistant) -> dict[str, System]:
    """Ours, then ours ranked by one signal alone (the best sentence's cosine, or BM25): the same
    candidates, normalisation, composition and abstention."""
    dense_only = Assistant(assistant.settings.with_overrides(rank_by="sentence"), assistant.embedder)
    bm25_only = Assistant(assistant.settings.with_overrides(rank_by="bm25"), assistant.embedder)
    return {"ours": timed_ask(assistant), "dense only": timed_ask(dense_only), "bm25 only": timed_ask(bm25_only)}


def indexed_files(index: IndexData) -> list[Path]:
    """The files an index was built from, as they were then: the baselines must read the corpus
    ours answers from, wherever ASSISTANT_CORPUS_DIR points."""
    files = []
    for name, document in sorted(index.manifest["documents"].items()):
        path = Path(document.get("path", name))
        try:
            same = hashlib.sha256(path.read_bytes()).hexdigest() == document.get("file_hash")
        except OSError:
            raise ValueError(f"{path}: in the index, but gone; the baselines read the indexed files: re-run `python -m ingest`") from None
        if not same:
            raise ValueError(f"{path}: changed since it was indexed; the baselines read the indexed files: re-run `python -m ingest`")
        files.append(path)
    return files


def llama_documents(files: list[Path]) -> list:
    """The files as llama-index reads them by default: text files whole, PDFs a page at a time
    by pypdf; HTML and Word (no llama-index reader is installed) as our readers lay them out."""
    from llama_index.core import Document

    from config import load_settings
    from ingest.formats import read
    from ingest.layout import lay_out

    documents = []
    for path in files:
        if path.suffix.lower() == ".pdf":
            from pypdf import PdfReader

            pages = [page.extract_text() or "" for page in PdfReader(path).pages]
        else:
            content = read(path.suffix, path.read_bytes(), **load_settings().zip_limits())
            pages = [content if isinstance(content, str) else lay_out(content).text]
        documents += [Document(text=page, metadata={"source": path.name}) for page in pages if page.strip()]
    return documents


def _retrieving(retriever) -> System:
    """A llama-index retriever as a system: the top passage stands in for an answer."""

    def ask(question: Question, k: int) -> dict:
        started = time.perf_counter()
        nodes = retriever.retrieve(" ".join([*question.history, question.question]))
        latency = (time.perf_counter() - started) * 1000
        citations = [
            {"rank": i, "text": n.node.get_content(), "title": n.node.metadata["source"], "source": n.node.metadata["source"],
             "section": "", "area": None, "print_date": None, "also_in": [], "warnings": []}
            for i, n in enumerate(nodes[:k], start=1)
        ]
        answer = citations[0]["text"] if citations else ""
        return {"id": question.id, "answer": answer, "abstained": False, "citations": citations, "latency_ms": round(latency, 1),
                "abstention_reason": None, "notes": [], "related": []}

    return ask


def llama_index_defaults(files: list[Path], model_path: str) -> System:
    """llama-index out of the box: SentenceSplitter 1024/200, VectorStoreIndex, the same
    bundled model, top-5 retrieval."""
    from llama_index.core import VectorStoreIndex
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    embed = HuggingFaceEmbedding(model_name=model_path, device="cpu")
    index = VectorStoreIndex.from_documents(llama_documents(files), embed_model=embed, transformations=[SentenceSplitter(chunk_size=1024, chunk_overlap=200)])
    return _retrieving(index.as_retriever(similarity_top_k=5))


def llama_index_bm25(files: list[Path], chunk_tokens: int) -> System:
    """llama-index's BM25 retriever over SentenceSplitter chunks of `chunk_tokens` tokens."""
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.retrievers.bm25 import BM25Retriever

    nodes = SentenceSplitter(chunk_size=chunk_tokens, chunk_overlap=min(200, chunk_tokens // 5)).get_nodes_from_documents(llama_documents(files))
    return _retrieving(BM25Retriever.from_defaults(nodes=nodes, similarity_top_k=5))
