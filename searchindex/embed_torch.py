"""The torch backend of step 6: sentence-transformers on the model folder.

The same vectors as the onnx backend, but importing it takes seconds and it holds more than
twice the memory (ASSISTANT_EMBED_BACKEND=torch; 5 s to a first answer here, against 0.8 s).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from searchindex.embed import ModelIdentity, model_name

BATCH_SIZE = 64


class TorchEmbedder:
    def __init__(self, folder: Path, weights_sha256: str) -> None:
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
        dimension = int(self.model.get_embedding_dimension())
        self.identity = ModelIdentity(model_name(folder), str(folder), weights_sha256, dimension, "torch", "fp32")

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.identity.dimension), dtype=np.float32)
        vectors = self.model.encode(
            texts, batch_size=BATCH_SIZE, normalize_embeddings=True, show_progress_bar=progress, convert_to_numpy=True
        )
        return np.asarray(vectors, dtype=np.float32)
