"""Step 6 of ingest (and the query side of answering): text → normalised vectors.

The model is loaded from a local folder only (HF_HUB_OFFLINE=1): nothing is fetched.
Its identity (weights hash, dimension) is recorded in the index and checked on load.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from config import BUNDLED_MODEL_SHA256, Settings

WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
BATCH_SIZE = 64


class ModelError(Exception):
    """The embedding model is missing, or not the one that was asked for."""


@dataclass(frozen=True)
class ModelIdentity:
    name: str
    path: str
    sha256: str
    dimension: int

    def to_json(self) -> dict:
        return asdict(self)


def weights_sha256(folder: Path) -> str:
    for name in WEIGHT_FILES:
        path = folder / name
        if path.exists():
            digest = hashlib.sha256()
            with path.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
            return digest.hexdigest()
    raise ModelError(f"{folder}: no model weights ({' or '.join(WEIGHT_FILES)}) found")


def expected_sha256(settings: Settings) -> str:
    """The weights hash to insist on: the configured one, or the bundled model's own."""
    return settings.model_sha256 or ("" if settings.model_path else BUNDLED_MODEL_SHA256)


class Embedder:
    """A sentence-transformers model loaded from disk, encoding to unit-length float32 rows."""

    def __init__(self, settings: Settings) -> None:
        folder = Path(settings.resolved_model_path())
        if not folder.is_dir():
            raise ModelError(f"model folder {folder} does not exist (setting ASSISTANT_MODEL_PATH)")
        sha = weights_sha256(folder)
        wanted = expected_sha256(settings)
        if wanted and sha != wanted:
            raise ModelError(f"{folder}: weights sha256 {sha[:12]}… is not the expected {wanted[:12]}…")
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
        dimension = self.model.get_embedding_dimension()
        self.identity = ModelIdentity(folder.name if folder.name != "model" else folder.parent.name, str(folder), sha, int(dimension))

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.identity.dimension), dtype=np.float32)
        vectors = self.model.encode(
            texts, batch_size=BATCH_SIZE, normalize_embeddings=True, show_progress_bar=progress, convert_to_numpy=True
        )
        return np.asarray(vectors, dtype=np.float32)
