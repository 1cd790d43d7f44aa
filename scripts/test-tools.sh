#!/usr/bin/env bash
# The tests' tools, installing only what is missing: Debian's Chromium, PostgreSQL and nginx,
# and axe-core from the npm registry. Never asks apt for a package that conflicts with one installed:
# NodeSource's nodejs ships its own npm, and Debian's `npm` package conflicts with it
# (apt: "held broken packages", exit 100), so npm is never requested from apt while node is
# there. Playwright drives /usr/bin/chromium directly, so chromium-driver is not needed.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
command -v chromium >/dev/null || missing+=(chromium)
# Debian's nodejs comes without npm; only where there is no node at all are both Debian's.
command -v node >/dev/null || missing+=(nodejs npm)
# For the replica tests: PostgreSQL's server programs (eval/pgcluster.py starts a throwaway
# server; Debian keeps initdb off PATH) and nginx as the README's reverse proxy.
command -v initdb >/dev/null || compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null || missing+=(postgresql)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    echo "installing from Debian: ${missing[*]}"
    $SUDO apt-get update -qq
    # A dry run first, so a conflict is said in one line rather than apt's page of errors.
    if ! $SUDO apt-get install -s -qq "${missing[@]}" >/dev/null 2>&1; then
        echo "error: apt cannot install ${missing[*]} beside what is installed; install them by hand" >&2
        exit 1
    fi
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if ! command -v npm >/dev/null; then
    echo "error: node is installed without npm; install the npm that came with your Node.js (not Debian's npm package, which conflicts with it)" >&2
    exit 1
fi
# axe-core, at the version tests/package-lock.json pins.
[ -f tests/node_modules/axe-core/axe.min.js ] || npm ci --prefix tests --no-audit --no-fund --silent
