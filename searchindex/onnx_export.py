"""Export the embedding model to ONNX, from the installed weights (nothing is downloaded).

Example:
    python -m searchindex.onnx_export                  # the file ASSISTANT_EMBED_BACKEND needs
    python -m searchindex.onnx_export --variant int8   # the quantised one

The file is <models_dir>/<weights sha256, first 16>-<variant>.onnx, with a .json beside it recording its
own sha256, the weights', the opset and the tools that made it; it is checked against that
record whenever it is loaded. scripts/setup.sh runs this; the chat and ingest also export a
missing file on first use. Run it again to replace a damaged file. Exporting needs torch.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import warnings
from pathlib import Path

from searchindex.embed import BACKENDS, ModelError, checked_model, file_sha256, package_version

OPSET = 17
TOOLCHAIN = ("torch", "transformers", "onnx", "onnxruntime", "tokenizers")
log = logging.getLogger(__name__)


def onnx_file(models_dir: Path, weights_sha256: str, variant: str) -> Path:
    return models_dir / f"{weights_sha256[:16]}-{variant}.onnx"


def record_file(path: Path) -> Path:
    return path.with_suffix(".json")


def verified(path: Path, weights_sha256: str) -> str:
    """The file's sha256, once it is known to be the one its record describes."""
    try:
        record = json.loads(record_file(path).read_text(encoding="utf-8"))
        sha = file_sha256(path)
    except (OSError, ValueError) as error:
        raise ModelError(f"{path}: cannot be checked ({error.__class__.__name__}: {error}): run `python -m searchindex.onnx_export`") from None
    if record.get("weights_sha256") != weights_sha256 or sha != record.get("onnx_sha256"):
        raise ModelError(
            f"{path}: sha256 {sha[:12]}… is not the {str(record.get('onnx_sha256'))[:12]}… exported from these weights "
            "(damaged or edited): run `python -m searchindex.onnx_export` to export it again"
        )
    return sha


def exported(folder: Path, weights_sha256: str, variant: str, models_dir: Path) -> tuple[Path, str]:
    """The checked ONNX file for these weights and its sha256, exported first if missing."""
    path = onnx_file(models_dir, weights_sha256, variant)
    if not (path.exists() and record_file(path).exists()):
        log.warning("exporting %s from %s (once; it is kept)", path, folder)
        export(folder, weights_sha256, variant, models_dir)
    return path, verified(path, weights_sha256)


def export(folder: Path, weights_sha256: str, variant: str, models_dir: Path) -> Path:
    """Write the file and then its record, each whole (a reader never sees half of one)."""
    path = onnx_file(models_dir, weights_sha256, variant)
    models_dir.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.{os.getpid()}")
    staging_record = staging.with_name(staging.name + ".json")
    try:
        if variant == "int8":
            _quantise(exported(folder, weights_sha256, "fp32", models_dir)[0], staging)
        else:
            _trace(folder, staging)
        os.replace(staging, path)
        record = {
            "onnx_sha256": file_sha256(path), "weights_sha256": weights_sha256, "variant": variant, "opset": OPSET,
            "quantisation": "dynamic, int8 weights, per channel" if variant == "int8" else None,
            "toolchain": {name: package_version(name) for name in TOOLCHAIN},
        }
        staging_record.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
        os.replace(staging_record, record_file(path))
    except ImportError as error:
        raise ModelError(f"{path}: exporting it needs {error.name}, which is not installed: run scripts/setup.sh") from None
    finally:
        staging.unlink(missing_ok=True)
        staging_record.unlink(missing_ok=True)
    return path


def _trace(folder: Path, target: Path) -> None:
    """BERT's last hidden state, by the TorchScript exporter (the same vectors as
    sentence-transformers to a cosine of 0.9999999; pooling is done by the reader)."""
    import torch
    from transformers import AutoModel

    os.environ["HF_HUB_OFFLINE"] = "1"

    class Hidden(torch.nn.Module):  # inputs by name, one output
        def __init__(self) -> None:
            super().__init__()
            self.bert = AutoModel.from_pretrained(str(folder), local_files_only=True).eval()

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state

    # One padded row: transformers drops an all-ones mask, and the trace would then ignore padding.
    ids = torch.tensor([[101, 7592, 2088, 102], [101, 7592, 102, 0]])
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {name: {0: "batch", 1: "tokens"} for name in [*names, "last_hidden_state"]}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the legacy exporter's deprecation and tracer notes
        torch.onnx.export(
            Hidden(), (ids, (ids != 0).long(), torch.zeros_like(ids)), str(target), dynamo=False, opset_version=OPSET,
            input_names=names, output_names=["last_hidden_state"], dynamic_axes=axes, do_constant_folding=True,
        )


def _quantise(source: Path, target: Path) -> None:
    # Per-channel weights: the default (per tensor) drops the lowest cosine to fp32 to 0.90, per channel keeps 0.98.
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(source, target, weight_type=QuantType.QInt8, per_channel=True)


def main(argv: list[str] | None = None) -> int:
    from config import load_settings

    parser = argparse.ArgumentParser(prog="python -m searchindex.onnx_export", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--variant", choices=["fp32", "int8"], help="default: the one ASSISTANT_EMBED_BACKEND uses")
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
        variant = args.variant or BACKENDS.get(settings.embed_backend, ("", "fp32"))[1]
        folder, sha = checked_model(settings)
        path = onnx_file(settings.resolved_models_dir(), sha, variant)
        if path.exists() and record_file(path).exists():
            try:
                print(f"{path}: checked (sha256 {verified(path, sha)[:12]}…)")
                return 0
            except ModelError:
                print(f"{path}: does not match its record: exporting it again", file=sys.stderr)
        export(folder, sha, variant, settings.resolved_models_dir())
        print(f"{path}: exported (sha256 {verified(path, sha)[:12]}…)")
    except (ModelError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
