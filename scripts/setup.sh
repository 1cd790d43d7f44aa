#!/usr/bin/env bash
# Create .venv and install the project (CPU torch first, so nothing pulls a CUDA build).
# Usage: scripts/setup.sh [extra]   e.g. scripts/setup.sh test
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet torch==2.13.0
.venv/bin/python -m pip install --quiet -e ".${1:+[$1]}"
# The ONNX file the embedder runs on, exported here from the installed weights (or checked, if there).
.venv/bin/python -m searchindex.onnx_export
