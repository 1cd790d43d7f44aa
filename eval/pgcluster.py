"""A throwaway PostgreSQL server for the tests, the replica check and the benchmark.

Debian's `postgresql` package (scripts/test.sh installs it when missing) gives initdb and
pg_ctl; initdb refuses to run as root, so as root the server runs as `nobody`. It listens on
a free loopback port only, with its socket in its own temporary folder, trusts local
connections (nothing but this machine can reach it) and is deleted when stopped.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

UNPRIVILEGED = "nobody"


class NoPostgres(Exception):
    """PostgreSQL's server programs are not installed, said in one line."""


def server_programs() -> Path:
    """The folder holding initdb and pg_ctl (Debian keeps them off PATH)."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    if not candidates:
        raise NoPostgres("PostgreSQL's initdb is not installed: run scripts/test.sh, or apt-get install postgresql")
    return Path(candidates[-1]).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """`start()`, then `address(db)` for a new database's postgresql:// address; `stop()`,
    `start()` again to take the server away and bring it back; `remove()` at the end."""

    def __init__(self) -> None:
        self.bin = server_programs()
        self.root = Path(tempfile.mkdtemp(prefix="assistant-pg-"))
        self.data, self.sockets, self.port = self.root / "data", self.root / "sockets", free_port()
        self.sockets.mkdir()
        self._as_user: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.root, UNPRIVILEGED)
            shutil.chown(self.sockets, UNPRIVILEGED)
            self._as_user = ["runuser", "-u", UNPRIVILEGED, "--"]
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions")
        self._databases = 0

    def _run(self, program: str, *args: str) -> None:
        done = subprocess.run([*self._as_user, str(self.bin / program), *args], cwd=self.root, capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"{program} failed: {(done.stderr or done.stdout)[-1500:]}")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "server.log"), "-w", "-t", "60", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def address(self, database: str | None = None) -> str:
        """A new, empty database's address (or an existing one's, by name)."""
        import psycopg

        if database is None:
            self._databases += 1
            database = f"assistant_{self._databases}"
            with psycopg.connect(self.address("postgres"), autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{database}"')
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def remove(self) -> None:
        try:
            self.stop()
        except RuntimeError:
            pass  # already stopped
        shutil.rmtree(self.root, ignore_errors=True)
