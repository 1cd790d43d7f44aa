"""Answering step 3, optional: the cited passages → an answer a language model writes,
streamed as drafts, then checked; the extractive answer stands whenever that fails.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import time
from collections.abc import Iterator

from answer.check import MARKER, CheckFailed, check
from answer.compose import NOT_COVERED, with_notice
from answer.llm import Prompts, fill
from answer.render import place
from config import Settings
from records import Answer, Citation

WRITING = "(Writing: each sentence is checked against its source before the answer is final.)"
WRITTEN = "Written by a language model from the passages below; each sentence cites its source."
# Passage text that addresses the model rather than the reader: kept out of the prompt.
INSTRUCTION_LIKE = re.compile(
    r"[^.\n]*\b(?:(?:ignore|disregard|forget)\s+(?:all\s+|any\s+)?(?:(?:your|the|previous|prior|above|earlier)\s+)*"
    r"(?:instructions|rules|prompts?|guidance above)|system\s+prompt|you\s+are\s+now\b)[^.\n]*[.\n]?",
    re.I,
)
DELIMITER = re.compile(r"<(/?\s*passages?\b)", re.I)  # a passage must not close the data block
log = logging.getLogger(__name__)


class Writer:
    """Writes answers with `model` (a llama-index LLM) from the prompt files in settings.prompts_dir."""

    def __init__(self, model, settings: Settings) -> None:
        self.model = model
        self.settings = settings

    def condense(self, question: str, history: list[str]) -> str | None:
        """The follow-up as a standalone question, or None (the caller falls back to its heuristic)."""
        from llama_index.core.llms import ChatMessage

        try:
            prompt = fill(Prompts.load(self.settings.prompts_dir).condense,
                          history="\n".join(f"- {h}" for h in history), question=question)
            reply = self.model.chat([ChatMessage(role="user", content=prompt)]).message.content or ""
        except Exception as problem:  # a missing prompt file or any failure of the model leaves the heuristic in charge
            log.warning("condensing the follow-up failed (%s)", type(problem).__name__)
            return None
        lines = [line.strip() for line in reply.strip().splitlines() if line.strip()]
        if not lines or len(lines[0]) > self.settings.max_question_chars:
            return None
        return lines[0]

    def write(self, quoted: Answer) -> Iterator[Answer]:
        """Drafts as the model streams, then the checked answer, or `quoted` with the reason."""
        passages = [_shown(c) for c in quoted.citations]  # checked against exactly what the model saw
        text, deadline = "", time.monotonic() + self.settings.llm_timeout_s
        try:
            messages = self._messages(Prompts.load(self.settings.prompts_dir), quoted, passages)
            for part in self.model.stream_chat(messages):
                text += part.delta or ""
                yield dataclasses.replace(quoted, text=with_notice(f"{text}\n\n{WRITING}", quoted.caution), draft=True)
                if time.monotonic() > deadline:
                    raise TimeoutError
            checked = check(text, passages)
        except CheckFailed as problem:
            yield _quoted_instead(quoted, str(problem))
            return
        except Exception as problem:  # timeouts, refused connections, unreadable replies, a missing prompt file alike
            log.warning("the language model failed (%s)", type(problem).__name__)
            yield _quoted_instead(quoted, _describe(problem))
            return
        if checked.declined:
            yield dataclasses.replace(quoted, text=with_notice(NOT_COVERED), abstained=True, citations=(),
                                      notes=("the language model found no answer in the passages",))
            return
        left_out = f" {checked.dropped} sentence(s) without support in the passages left out." if checked.dropped else ""
        yield dataclasses.replace(quoted, text=with_notice(f"{checked.text}\n\n({WRITTEN}{left_out})", quoted.caution),
                                  notes=(*quoted.notes, f"written by {self.settings.llm_model}"))

    def _messages(self, prompts: Prompts, quoted: Answer, texts: list[str]) -> list:
        from llama_index.core.llms import ChatMessage

        passages = "\n\n".join(f'<passage n="{c.rank}">\n{text}\n</passage>' for c, text in zip(quoted.citations, texts))
        question = quoted.standalone_question or quoted.question
        return [ChatMessage(role="system", content=prompts.system),
                ChatMessage(role="user", content=fill(prompts.answer, passages=passages, question=question))]


def _shown(citation: Citation) -> str:
    """A passage as the model sees it: where it is from, then its text, as data."""
    chunk = citation.chunk
    heading = " · ".join(p for p in (place(chunk), chunk.area) if p)
    return _as_data(f"{heading}\n{chunk.text.strip()}")


def _as_data(text: str) -> str:
    """Document text with anything that addresses the model, could close the data block, or
    pass for one of its citation markers (a page's own "[1]") taken out."""
    text = INSTRUCTION_LIKE.sub("[instruction-like text removed] ", text)
    return MARKER.sub(r"(\1)", DELIMITER.sub("‹\\1", text))


def _quoted_instead(quoted: Answer, reason: str) -> Answer:
    note = f"(Note: {reason}, so the passages are quoted word for word instead.)"
    return dataclasses.replace(quoted, text=f"{note}\n\n{quoted.text}", notes=(*quoted.notes, reason))


def _describe(problem: Exception) -> str:
    name = type(problem).__name__.lower()
    if "timeout" in name:
        return "the language model took too long to answer"
    if "connect" in name:
        return "the language model could not be reached"
    if isinstance(problem, OSError):
        return "a prompt file in the prompts folder could not be read"
    return "the language model's reply could not be read"
