"""A chat replica's copy of the live build: PostgreSQL (searchindex/pgstore.py) → its own
index folder, which the chat reads exactly as it reads a local ingest's.

The live build's manifest and the shards it names are copied into a FolderStore under
their own names, shards first and the CURRENT pointer last (FolderStore.publish), so a
restart fetches only the shards it lacks and a reader never sees half a copy. A publish is
heard through LISTEN/NOTIFY; the pointer is also polled every few seconds, which catches a
missed notification and notices a lost connection. While the database is away the copy goes
on serving and the replica keeps trying to reconnect.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import psycopg

from searchindex import pgstore
from searchindex.shards import FolderStore
from searchindex.stores import StoreUnavailable

# Between polls of the live pointer: a publish whose notification was lost is served this late.
POLL_S = 2.0
log = logging.getLogger(__name__)


class Replica:
    def __init__(self, address: str, folder: Path, poll_s: float = POLL_S) -> None:
        self.address = address
        self.cache = FolderStore(folder)
        self.poll_s = poll_s
        self.problem: str | None = None  # why the database cannot be reached, while it cannot
        self._copying = threading.Lock()  # the listener and an admin's re-ingest may both copy
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def available(self) -> bool:
        return self.problem is None

    def sync(self) -> str | None:
        """Copy the live build now if it is not the cached one; its name. StoreUnavailable when
        the database cannot be reached."""
        try:
            with pgstore.connect(self.address, autocommit=True) as conn:
                return self._copy(conn)
        except psycopg.Error as error:
            raise pgstore.unavailable(self.address, error) from None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._listen, name="replica", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=self.poll_s + 5)

    def _listen(self) -> None:
        while not self._stop.is_set():
            try:
                with pgstore.connect(self.address, autocommit=True) as conn:
                    conn.execute(f"LISTEN {pgstore.CHANNEL}")
                    self._copy(conn)
                    self._back()
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=self.poll_s, stop_after=1):
                            pass
                        self._copy(conn)
            except (psycopg.Error, StoreUnavailable) as error:
                self._lost(error)
                self._stop.wait(self.poll_s)
            except Exception:  # a build that cannot be copied (disk full…): keep serving, retry
                log.exception("copying the live build from %s failed; still serving %s", pgstore.where(self.address), self.cache.live())
                self._stop.wait(self.poll_s)

    def _back(self) -> None:
        if self.problem is not None:
            log.warning("the database at %s is back; publishing is available again", pgstore.where(self.address))
        self.problem = None

    def _lost(self, error: Exception) -> None:
        problem = str(error) if isinstance(error, StoreUnavailable) else str(pgstore.unavailable(self.address, error))
        if self.problem is None:
            log.warning("%s; answering from the cached build %s and reconnecting", problem, self.cache.live())
        self.problem = problem

    def _copy(self, conn: psycopg.Connection) -> str | None:
        with self._copying:
            live = pgstore.live_build(conn)
            if live is None or live == self.cache.live():
                return live
            manifest = pgstore.build_manifest(conn, live)
            self.cache.tidy()  # a copy killed half way leaves staging folders
            for shard_id in sorted(pgstore.named_shards(manifest)):
                if not self.cache.has_shard(shard_id):
                    self.cache.put_parts(shard_id, pgstore.shard_parts(conn, shard_id))
            self.cache.publish(manifest, name=live)
            log.info("serving build %s from %s", live, pgstore.where(self.address))
            return live
