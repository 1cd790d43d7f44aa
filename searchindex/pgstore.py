"""Where the index lives when chat replicas share it: the ShardStore of searchindex/shards.py
in PostgreSQL, and beside it the feedback and ingest-log tables (safe with many writers).

A writer (`python -m ingest`, the admin's re-ingest) works in one transaction from its first
shard to the live pointer, so a build is published whole or not at all: a writer killed half
way leaves nothing, and the build before stays live. Shards are the same parts FolderStore
writes as files (shards.encode_shard), one row each. Publishing notifies CHANNEL, which
replicas listen on (searchindex/replica.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import psycopg
from psycopg.conninfo import conninfo_to_dict

from searchindex.shards import Shard, ShardUnreadable, _new_name, decode_centroids, decode_shard, encode_centroids, encode_shard
from searchindex.stores import StoreBusy, StoreUnavailable

CHANNEL = "assistant_builds"
CONNECT_TIMEOUT_S = 5
# Arbitrary advisory-lock keys (pg_advisory_lock takes a bigint): one publisher at a time,
# and one process at a time creating the tables.
INGEST_LOCK = 0x5AFE_6E57
SCHEMA_LOCK = 0x5AFE_5C4E
SCHEMA = """
CREATE TABLE IF NOT EXISTS shard_parts (
    shard text NOT NULL, part text NOT NULL, data bytea NOT NULL, PRIMARY KEY (shard, part));
CREATE TABLE IF NOT EXISTS builds (
    name text PRIMARY KEY, manifest json NOT NULL, published_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS live_build (
    one boolean PRIMARY KEY DEFAULT true CHECK (one), build text NOT NULL REFERENCES builds (name));
CREATE TABLE IF NOT EXISTS feedback (
    id bigserial PRIMARY KEY, entry json NOT NULL, rating text NOT NULL);
CREATE TABLE IF NOT EXISTS ingest_log (
    id bigserial PRIMARY KEY, entry json NOT NULL);
"""
_schema_ready: set[str] = set()


def where(address: str) -> str:
    """The database as named in messages: host, port and name, never the password."""
    try:
        parts = conninfo_to_dict(address)
    except psycopg.ProgrammingError:
        return "the configured database (its address cannot be parsed)"
    return f"postgresql://{parts.get('host', 'localhost')}:{parts.get('port', 5432)}/{parts.get('dbname', '')}"


def unavailable(address: str, error: Exception) -> StoreUnavailable:
    reason = " ".join(str(error).split()) or type(error).__name__
    return StoreUnavailable(f"the database at {where(address)} cannot be reached ({reason[:200]})")


def connect(address: str, autocommit: bool = False) -> psycopg.Connection:
    """A connection with the tables in place; StoreUnavailable in one line when there is none."""
    try:
        conn = psycopg.connect(address, autocommit=autocommit, connect_timeout=CONNECT_TIMEOUT_S)
    except psycopg.Error as error:
        raise unavailable(address, error) from None
    if address not in _schema_ready:
        try:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
                conn.execute(SCHEMA)
        except psycopg.Error as error:
            conn.close()
            raise unavailable(address, error) from None
        _schema_ready.add(address)
    return conn


def live_build(conn: psycopg.Connection) -> str | None:
    row = conn.execute("SELECT build FROM live_build").fetchone()
    return row[0] if row else None


def build_manifest(conn: psycopg.Connection, build: str) -> dict:
    row = conn.execute("SELECT manifest FROM builds WHERE name = %s", (build,)).fetchone()
    if row is None:
        raise ShardUnreadable(f"build {build}: not in the database")
    return row[0]


def shard_parts(conn: psycopg.Connection, shard_id: str) -> dict[str, bytes]:
    return {part: bytes(data) for part, data in conn.execute("SELECT part, data FROM shard_parts WHERE shard = %s", (shard_id,))}


def named_shards(manifest: dict) -> set[str]:
    """The shards (and centroids) a build reads."""
    named = {d["shard"] for d in manifest.get("documents", {}).values()}
    centroids = (manifest.get("dense") or {}).get("centroids")
    return named | ({centroids} if centroids else set())


class PostgresStore:
    """A writer's view of the database: everything it writes stays in one open transaction
    until `publish` commits it with the manifest and the live pointer."""

    def __init__(self, address: str, conn: psycopg.Connection) -> None:
        self.address = address
        self.conn = conn

    @classmethod
    @contextmanager
    def writer(cls, address: str) -> Iterator["PostgresStore"]:
        conn = connect(address)
        try:
            got = conn.execute("SELECT pg_try_advisory_lock(%s)", (INGEST_LOCK,)).fetchone()[0]
            conn.commit()
            if not got:
                raise StoreBusy(f"another ingest is already publishing to {where(address)}; try again when it has finished")
            yield cls(address, conn)
        except psycopg.OperationalError as error:
            raise unavailable(address, error) from None
        finally:
            conn.close()  # uncommitted writes are rolled back, and the lock goes with the session

    def build_folder(self, build: str) -> str:
        """There is no folder: the build as named in messages and reports."""
        return f"{where(self.address)} build {build}"

    def live(self) -> str | None:
        return live_build(self.conn)

    def manifest(self, build: str) -> dict:
        return build_manifest(self.conn, build)

    def read_shard(self, shard_id: str) -> Shard:
        parts = shard_parts(self.conn, shard_id)
        return decode_shard(parts.__getitem__, f"shard {shard_id} in {where(self.address)}")

    def has_shard(self, shard_id: str) -> bool:
        return self.conn.execute("SELECT 1 FROM shard_parts WHERE shard = %s LIMIT 1", (shard_id,)).fetchone() is not None

    def write_shard(self, shard: Shard) -> str:
        return self._put(_new_name(), encode_shard(shard))

    def write_centroids(self, centroids: np.ndarray) -> str:
        return self._put(_new_name(), encode_centroids(centroids))

    def read_centroids(self, centroids_id: str) -> np.ndarray:
        return decode_centroids(shard_parts(self.conn, centroids_id).__getitem__, f"centroids {centroids_id}")

    def _put(self, shard_id: str, parts: dict[str, bytes]) -> str:
        with self.conn.cursor() as cursor:
            cursor.executemany("INSERT INTO shard_parts (shard, part, data) VALUES (%s, %s, %s)", [(shard_id, p, d) for p, d in parts.items()])
        return shard_id

    def publish(self, manifest: dict) -> str:
        """The build, the live pointer and the end of the writer's transaction, at once; then
        only the new build and the one it replaced are kept (replicas may still be copying it)."""
        name = _new_name()
        previous = self.live()
        self.conn.execute("INSERT INTO builds (name, manifest) VALUES (%s, %s)", (name, json.dumps(manifest, ensure_ascii=False)))
        self.conn.execute(
            "INSERT INTO live_build (one, build) VALUES (true, %s) ON CONFLICT (one) DO UPDATE SET build = EXCLUDED.build", (name,)
        )
        self.conn.execute("DELETE FROM builds WHERE name <> ALL(%s)", ([name, previous or name],))
        kept = set()
        for (kept_manifest,) in self.conn.execute("SELECT manifest FROM builds"):
            kept |= named_shards(kept_manifest)
        self.conn.execute("DELETE FROM shard_parts WHERE shard <> ALL(%s)", (sorted(kept),))
        self.conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, name))  # delivered at commit
        self.conn.commit()
        return name

    def tidy(self) -> None:
        """Nothing a killed writer wrote survives its transaction; start this one clean."""
        self.conn.rollback()


def record_feedback(address: str, entry: dict) -> None:
    with connect(address, autocommit=True) as conn:
        conn.execute("INSERT INTO feedback (entry, rating) VALUES (%s, %s)", (json.dumps(entry, ensure_ascii=False), entry["rating"]))


def feedback_tallies(address: str) -> dict[str, int]:
    with connect(address, autocommit=True) as conn:
        # An answer's latest record is its rating (feedback.py); one taken back has rating null.
        rows = conn.execute(
            "SELECT rating, count(*) FROM (SELECT DISTINCT ON (coalesce(entry->>'answer', id::text)) rating FROM feedback"
            " ORDER BY coalesce(entry->>'answer', id::text), id DESC) latest"
            " WHERE rating IS NOT NULL GROUP BY rating ORDER BY count(*) DESC, rating"
        ).fetchall()
    return {rating: count for rating, count in rows}


def append_log(address: str, entry: dict) -> None:
    with connect(address, autocommit=True) as conn:
        conn.execute("INSERT INTO ingest_log (entry) VALUES (%s)", (json.dumps(entry, ensure_ascii=False),))


def read_log(address: str, last: int = 20) -> list[dict]:
    """The last `last` runs, oldest first (as the log file is read)."""
    with connect(address, autocommit=True) as conn:
        rows = conn.execute("SELECT entry FROM ingest_log ORDER BY id DESC LIMIT %s", (last,)).fetchall()
    return [entry for (entry,) in reversed(rows)]
