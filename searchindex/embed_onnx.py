"""The onnx backend of step 6: the model's tokenizer, ONNX Runtime and numpy, no torch.

Mean pooling over the attention mask and L2 normalisation, as sentence-transformers does
for this model, on the ONNX file exported from the same weights (onnx_export.py). It starts
in a fraction of a second and holds less than half the memory of the torch backend.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import onnxruntime
from tokenizers import Tokenizer

from searchindex.embed import ModelError, ModelIdentity, model_name
from searchindex.onnx_export import exported

# Small batches of similar length: on the corpus with 2 cores, 144 texts/s at 8, 135 at 16, 121 at 32
# (a batch of long passages holds batch × heads × tokens² attention scores).
BATCH_SIZE = 8


def _cores() -> int:
    """The cores this process may run on (a container may allow fewer than the machine has)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _tokenizer(folder: Path) -> Tokenizer:
    """The model's tokenizer, cutting at the model's own length (tokenizer.json says 128, the
    model reads 256) and not padding: each batch is padded to its longest text."""
    try:
        config = json.loads((folder / "sentence_bert_config.json").read_text(encoding="utf-8"))
        pooling = json.loads((folder / "1_Pooling" / "config.json").read_text(encoding="utf-8"))
        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    except (OSError, ValueError) as error:
        raise ModelError(f"{folder}: not readable by the onnx backend ({error}): set ASSISTANT_EMBED_BACKEND=torch") from None
    if not pooling.get("pooling_mode_mean_tokens"):
        raise ModelError(f"{folder}: pools other than by mean, which the onnx backend does not: set ASSISTANT_EMBED_BACKEND=torch")
    tokenizer.enable_truncation(max_length=int(config["max_seq_length"]))
    tokenizer.no_padding()
    return tokenizer


class OnnxEmbedder:
    def __init__(self, folder: Path, weights_sha256: str, variant: str, models_dir: Path) -> None:
        path, onnx_sha256 = exported(folder, weights_sha256, variant, models_dir)
        self._tokenizer = _tokenizer(folder)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = _cores()
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        dimension = int(self._session.get_outputs()[0].shape[-1])
        self.identity = ModelIdentity(model_name(folder), str(folder), weights_sha256, dimension, "onnx", variant, onnx_sha256)

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        """Texts in batches of similar length: padding a short text to a long one's length
        costs as much as the long one (unsorted batches were 2.6× slower on the corpus)."""
        vectors = np.zeros((len(texts), self.identity.dimension), dtype=np.float32)
        tokens = self._tokenizer.encode_batch(texts)
        order = np.argsort([len(t.ids) for t in tokens], kind="stable")
        batches = [order[start : start + BATCH_SIZE] for start in range(0, len(order), BATCH_SIZE)]
        if progress:
            from tqdm import tqdm

            batches = tqdm(batches, desc="embedding", unit="batch")
        for rows in batches:
            vectors[rows] = self._pooled([tokens[i] for i in rows])
        return vectors

    def _pooled(self, tokens: list) -> np.ndarray:
        width = max(len(t.ids) for t in tokens)
        ids, mask, types = (np.zeros((len(tokens), width), dtype=np.int64) for _ in range(3))
        for row, t in enumerate(tokens):
            ids[row, : len(t.ids)], mask[row, : len(t.ids)], types[row, : len(t.ids)] = t.ids, 1, t.type_ids
        hidden = self._session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})[0]
        weights = mask.astype(np.float32)[:, :, None]
        mean = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        return mean / np.maximum(np.linalg.norm(mean, axis=1, keepdims=True), 1e-12)
