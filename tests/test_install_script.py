"""scripts/test-tools.sh on machines of different kinds, with apt-get, npm and the browser
stood in for by stubs that record what they are asked: only what is missing is installed,
and apt is never asked for a package that conflicts with one installed (issue 24: Debian's
`npm` beside NodeSource's nodejs stops apt with "held broken packages", exit 100).

The real install, on a machine without Chromium, is the manual check in the README."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT

SCRIPTS = ["scripts/test.sh", "scripts/test-tools.sh"]
# apt-get as Debian's behaves here: NodeSource's nodejs (with its own npm) is installed, and
# asking for Debian's npm beside it fails as the real one did.
APT_GET = """#!/bin/bash
echo "$*" >> "$LOG"
[ "$1" = update ] && exit 0
for package in "$@"; do
    if [ "$package" = npm ] && [ -e "$BIN/node" ]; then
        echo "E: Unable to correct problems, you have held broken packages." >&2; exit 100
    fi
done
[ "$2" = -s ] && exit 0
for package in "$@"; do
    case "$package" in
        chromium) tool=chromium ;; nodejs) tool=node ;; npm) tool=npm ;; *) continue ;;
    esac
    printf '#!/bin/bash\\n' > "$BIN/$tool"; chmod +x "$BIN/$tool"
done
"""
NPM = """#!/bin/bash
echo "npm $*" >> "$LOG"
"""


def machine(tmp_path: Path, tools: set[str]) -> tuple[Path, Path]:
    """A copy of the scripts and a PATH holding only the given tools (plus stubs of apt-get)."""
    repo, bin_dir = tmp_path / "repo", tmp_path / "bin"
    (repo / "scripts").mkdir(parents=True)
    (repo / "tests").mkdir()
    shutil.copy(ROOT / "scripts" / "test-tools.sh", repo / "scripts")
    bin_dir.mkdir()
    for needed in ("dirname", "id", "chmod"):
        (bin_dir / needed).symlink_to(shutil.which(needed))
    stubs = {"apt-get": APT_GET, "npm": NPM, "node": "#!/bin/bash\n", "chromium": "#!/bin/bash\n", "initdb": "#!/bin/bash\n", "nginx": "#!/bin/bash\n"}
    for name, body in stubs.items():
        if name in ("apt-get", "initdb", "nginx") or name in tools:  # the database and proxy are there: these are about the browser tools
            (bin_dir / name).write_text(body)
            (bin_dir / name).chmod(0o755)
    return repo, bin_dir


def run(tmp_path: Path, tools: set[str]) -> tuple[subprocess.CompletedProcess, list[str]]:
    repo, bin_dir = machine(tmp_path, tools)
    log = tmp_path / "calls.log"
    env = {"PATH": str(bin_dir), "LOG": str(log), "BIN": str(bin_dir)}
    done = subprocess.run([shutil.which("bash"), "scripts/test-tools.sh"], cwd=repo, env=env, capture_output=True, text=True, timeout=60)
    return done, log.read_text().splitlines() if log.exists() else []


def installs(calls: list[str]) -> list[str]:
    return [call for call in calls if call.startswith("install") and " -s " not in f" {call} "]


def test_without_chromium_only_chromium_is_installed_and_never_debians_npm(tmp_path):
    done, calls = run(tmp_path, {"node", "npm"})
    assert done.returncode == 0, done.stderr
    assert installs(calls) == ["install -y -qq chromium"]
    assert not any(re.search(r"\bnpm\b", call) for call in calls if not call.startswith("npm"))
    assert "npm ci --prefix tests --no-audit --no-fund --silent" in calls


def test_with_everything_present_apt_is_not_asked_at_all(tmp_path):
    done, calls = run(tmp_path, {"node", "npm", "chromium"})
    assert done.returncode == 0, done.stderr
    assert [call for call in calls if not call.startswith("npm")] == []


def test_node_without_npm_is_one_clear_line_not_a_conflicting_install(tmp_path):
    done, calls = run(tmp_path, {"node", "chromium"})
    assert done.returncode == 1
    assert done.stderr.strip().count("\n") == 0 and "without npm" in done.stderr
    assert calls == []


def test_a_machine_without_node_gets_debians_node_and_npm_together(tmp_path):
    done, calls = run(tmp_path, {"chromium"})
    assert done.returncode == 0, done.stderr
    assert installs(calls) == ["install -y -qq nodejs npm"]


@pytest.mark.parametrize("script", SCRIPTS)
def test_no_apt_line_names_npm_or_installs_unconditionally(script):
    for line in (ROOT / script).read_text().splitlines():
        if "apt-get install" in line:
            assert not re.search(r"\bnpm\b", line), line
            assert '"${missing[@]}"' in line, f"{script}: apt installs a fixed list: {line}"
