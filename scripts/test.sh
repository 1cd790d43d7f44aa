#!/usr/bin/env bash
# Set up with the test extras and the tests' tools (scripts/test-tools.sh: Debian's
# Chromium, PostgreSQL, nginx and axe-core, each only if missing), then run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
scripts/test-tools.sh
export HF_HUB_OFFLINE=1
exec .venv/bin/python -m pytest "$@"
