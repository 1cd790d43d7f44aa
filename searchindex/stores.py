"""Which store a build is published to, by one setting (ASSISTANT_STORE): the folder index/
(the default: one machine, no database) or a PostgreSQL database shared by chat replicas.

Ingest and the admin's re-ingest open the store here; the chat always reads its own folder
(on a replica, the copy searchindex/replica.py keeps there).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from config import Settings
from searchindex.shards import FolderStore, ShardStore


class StoreUnavailable(Exception):
    """The database cannot be reached, said in one line (its address without a password)."""


class StoreBusy(Exception):
    """Another writer is publishing to the same store."""


@contextmanager
def open_store(settings: Settings, index_dir: Path) -> Iterator[ShardStore]:
    """The store a writer publishes to; for a database, held by this writer alone until closed."""
    if settings.database is None:
        yield FolderStore(index_dir)
        return
    from searchindex.pgstore import PostgresStore

    with PostgresStore.writer(settings.database) as store:
        yield store
