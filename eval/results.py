"""One result line per question, exactly as the evaluation contract names its fields."""

from __future__ import annotations

from records import Answer, Chunk, Citation


def _source(chunk: Chunk) -> dict:
    return {"source": chunk.source, "print_date": chunk.print_date}


def citation_json(citation: Citation) -> dict:
    chunk = citation.chunk
    return {
        "rank": citation.rank,
        "text": chunk.text,
        "title": chunk.title,
        "source": chunk.source,
        "section": chunk.section,
        "area": chunk.area,
        "print_date": chunk.print_date,
        "also_in": [_source(other) for other in citation.also_in],
        "warnings": list(citation.warnings),
    }


def result_json(question_id: str, answer: Answer, latency_ms: float, k: int) -> dict:
    return {
        "id": question_id,
        "answer": answer.text,
        "abstained": answer.abstained,
        "citations": [citation_json(c) for c in answer.citations[:k]],
        "latency_ms": round(latency_ms, 1),
    }
