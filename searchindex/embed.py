"""Step 6 of ingest (and the query side of answering): text → normalised vectors.

The model is loaded from a local folder only: nothing is fetched. It runs on one of two
backends behind `Embedder`: ONNX Runtime over a file exported here from the same weights
(embed_onnx.py), or sentence-transformers on torch (embed_torch.py). What made the vectors
(weights hash, dimension, backend, variant) is recorded in the index and checked on load.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Protocol

import numpy as np

from config import BUNDLED_MODEL_SHA256, Settings

WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
# Setting → (backend, variant). fp32 vectors are the same from either backend (lowest cosine
# 0.9999999 on the corpus), so an index built by one is served by the other; int8 ones are not.
BACKENDS = {"onnx": ("onnx", "fp32"), "torch": ("torch", "fp32"), "onnx-int8": ("onnx", "int8")}


class ModelError(Exception):
    """The embedding model is missing, or not the one that was asked for."""


@dataclass(frozen=True)
class ModelIdentity:
    name: str
    path: str
    sha256: str  # of the weights
    dimension: int
    backend: str = "torch"  # "torch" (sentence-transformers) or "onnx"
    variant: str = "fp32"
    onnx_sha256: str = ""  # of the ONNX file the vectors came from, for the onnx backend

    def to_json(self) -> dict:
        return asdict(self)


class Embedder(Protocol):
    """Text → unit-length float32 rows, one per text, from the model `identity` names."""

    identity: ModelIdentity

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray: ...


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def weights_sha256(folder: Path) -> str:
    for name in WEIGHT_FILES:
        if (folder / name).exists():
            return file_sha256(folder / name)
    raise ModelError(f"{folder}: no model weights ({' or '.join(WEIGHT_FILES)}) found")


def expected_sha256(settings: Settings) -> str:
    """The weights hash to insist on: the configured one, or the bundled model's own."""
    return settings.model_sha256 or ("" if settings.model_path else BUNDLED_MODEL_SHA256)


def checked_model(settings: Settings) -> tuple[Path, str]:
    """The model folder and its weights hash, refused unless they are the ones asked for."""
    folder = Path(settings.resolved_model_path())
    if not folder.is_dir():
        raise ModelError(f"model folder {folder} does not exist (setting ASSISTANT_MODEL_PATH)")
    sha = weights_sha256(folder)
    wanted = expected_sha256(settings)
    if wanted and sha != wanted:
        raise ModelError(f"{folder}: weights sha256 {sha[:12]}… is not the expected {wanted[:12]}…")
    return folder, sha


def package_version(package: str) -> str | None:
    try:
        return version(package)
    except PackageNotFoundError:
        return None


def model_name(folder: Path) -> str:
    return folder.name if folder.name != "model" else folder.parent.name


def open_embedder(settings: Settings) -> Embedder:
    """The configured model on the configured backend (ASSISTANT_EMBED_BACKEND)."""
    if settings.embed_backend not in BACKENDS:
        raise ModelError(f"ASSISTANT_EMBED_BACKEND: {settings.embed_backend!r} is not one of {', '.join(BACKENDS)}")
    backend, variant = BACKENDS[settings.embed_backend]
    folder, sha = checked_model(settings)
    if backend == "torch":
        from searchindex.embed_torch import TorchEmbedder

        return TorchEmbedder(folder, sha)
    from searchindex.embed_onnx import OnnxEmbedder

    return OnnxEmbedder(folder, sha, variant, settings.resolved_models_dir())
