"""The optional language model: settings → a llama-index LLM (or none), and the prompt
files in prompts/ that tell it how to write from the cited passages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from config import Settings

BACKENDS = ("none", "openai", "ollama")
OLLAMA_URL = "http://127.0.0.1:11434"
PLACEHOLDER = re.compile(r"\{(passages|question|history)\}")


class LLMSettingError(ValueError):
    """An LLM setting that cannot work, named as the environment variable that sets it."""


def connect(settings: Settings):
    """The configured model client, or None when answers stay extractive."""
    backend = settings.llm_backend.strip().lower()
    if backend not in BACKENDS:
        raise LLMSettingError(f"ASSISTANT_LLM_BACKEND: expected one of {', '.join(BACKENDS)}, got {settings.llm_backend!r}")
    if backend == "none":
        return None
    if not settings.llm_model:
        raise LLMSettingError(f"ASSISTANT_LLM_MODEL: required when ASSISTANT_LLM_BACKEND is {backend}")
    if backend == "ollama":
        from llama_index.llms.ollama import Ollama

        return Ollama(model=settings.llm_model, base_url=settings.llm_base_url or OLLAMA_URL,
                      request_timeout=settings.llm_timeout_s, temperature=0.0)
    if not settings.llm_base_url:
        raise LLMSettingError("ASSISTANT_LLM_BASE_URL: required for an OpenAI-compatible endpoint (e.g. http://127.0.0.1:8000/v1)")
    from llama_index.llms.openai_like import OpenAILike

    # Local servers take any key; retries would multiply the wait a practitioner sees.
    return OpenAILike(model=settings.llm_model, api_base=settings.llm_base_url, api_key=settings.llm_api_key or "none",
                      is_chat_model=True, timeout=settings.llm_timeout_s, max_retries=0, temperature=0.0,
                      max_tokens=settings.llm_max_tokens)


@dataclass(frozen=True)
class Prompts:
    system: str
    answer: str
    condense: str

    @classmethod
    def load(cls, folder: Path) -> "Prompts":
        """Read on every answer, so an admin's edit applies to the next question."""
        return cls(*((folder / f"{name}.txt").read_text(encoding="utf-8").strip() for name in ("system", "answer", "condense")))


def fill(template: str, **values: str) -> str:
    """The template with {passages}, {question} and {history} filled in one pass, so a
    brace in a question or passage is never read as another placeholder."""
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], template)
