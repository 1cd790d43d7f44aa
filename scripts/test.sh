#!/usr/bin/env bash
# Set up with the test extras and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
export HF_HUB_OFFLINE=1
exec .venv/bin/python -m pytest "$@"
