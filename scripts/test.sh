#!/usr/bin/env bash
# Set up with the test extras (Debian's Chromium and axe-core for the browser tests) and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
if ! command -v chromium >/dev/null || ! command -v npm >/dev/null; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium npm >/dev/null
fi
# For the replica tests: PostgreSQL's server programs (eval/pgcluster.py starts a throwaway server;
# Debian keeps initdb off PATH) and nginx as the README's reverse proxy.
MISSING=""
command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || MISSING="postgresql"
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || MISSING="$MISSING nginx"
if [ -n "$MISSING" ]; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $MISSING >/dev/null
fi
# axe-core, at the version tests/package-lock.json pins, from the npm registry.
[ -f tests/node_modules/axe-core/axe.min.js ] || npm ci --prefix tests --no-audit --no-fund --silent
export HF_HUB_OFFLINE=1
exec .venv/bin/python -m pytest "$@"
