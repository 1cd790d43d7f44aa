#!/usr/bin/env bash
# Set up, build the index from corpus/ if there is none, and start the chat on http://localhost:7860
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export HF_HUB_OFFLINE=1
exec .venv/bin/python app.py
