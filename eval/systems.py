"""The systems one evaluation run compares: ours, and plain baselines in the same
result format — ours with one retrieval signal switched off, and llama-index's defaults."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

from answer.assistant import Assistant
from eval.questions import Question
from eval.results import result_json

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


def llama_index_defaults(corpus_dir: Path, model_path: str) -> System:
    """llama-index out of the box: SentenceSplitter 1024/200, VectorStoreIndex, the same
    bundled model, top-5 retrieval; the top passage stands in for an answer."""
    from llama_index.core import Document, VectorStoreIndex
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    embed = HuggingFaceEmbedding(model_name=model_path, device="cpu")
    documents = [Document(text=p.read_text(encoding="utf-8"), metadata={"source": p.name}) for p in sorted(corpus_dir.glob("*.txt"))]
    index = VectorStoreIndex.from_documents(documents, embed_model=embed, transformations=[SentenceSplitter(chunk_size=1024, chunk_overlap=200)])
    retriever = index.as_retriever(similarity_top_k=5)

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
