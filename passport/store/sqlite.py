"""The SQLite store: one file, WAL, explicit transactions, streamed key-sorted scans.

Keys sort in code-point order: SQLite's BINARY collation compares UTF-8 bytes, which
orders like Python's `str` comparison. Scans stream with `fetchmany`; lookups by many
keys go in chunks under SQLite's variable limit. Runs and locks live in `sqlite_history`.

One connection per store object, used from one thread. Reads inside a transaction see
its writes (buffered rows are flushed first). Finish a scan of an entity before writing
that entity: SQLite does not define what a running scan sees of rows written meanwhile.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import orjson

from passport.errors import StoreError
from passport.store.base import BaseEntry, StoredRecord, StoreTransaction
from passport.store.migrations import MIGRATIONS, Migration, migrate_sqlite
from passport.store.rows import ACTIVATIONS_SQL, ENTITIES_SQL, WATERMARKS_SQL
from passport.store.sqlite_conn import connect, errors
from passport.store.sqlite_history import SQLiteHistory
from passport.store.sqlite_tx import SQLiteTransaction

FETCH_ROWS = 2000
BATCH_ROWS = 20000
_MAX_CHUNK = 10000


class SQLiteStore(SQLiteHistory):
    """A `Store` in one SQLite file (or in memory when `path` is None)."""

    def __init__(
        self,
        path: Path | None,
        url: str,
        *,
        create_folder: bool = False,
        batch_rows: int = BATCH_ROWS,
        migrations: Sequence[Migration] = MIGRATIONS,
    ) -> None:
        self.url = url
        self.path = path
        self._where = str(path) if path is not None else url
        self._batch_rows = batch_rows
        self._tx: SQLiteTransaction | None = None
        self._conn = connect(path, create_folder=create_folder)
        try:
            with errors(self._where):
                self.migrated = migrate_sqlite(self._conn, self._where, migrations)
                limit = self._conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        except BaseException:
            self._conn.close()
            raise
        self._chunk = max(1, min(limit - 2, _MAX_CHUNK))

    def close(self) -> None:
        self._tx = None
        self._conn.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- records ---------------------------------------------------------------------

    def count(self, entity: str) -> int:
        return int(self._one("SELECT count(*) FROM records WHERE entity = ?", (entity,)))

    def scan(self, entity: str) -> Iterator[StoredRecord]:
        sql = "SELECT key, data, digest, modified FROM records WHERE entity = ? ORDER BY key"
        for key, data, digest, modified in self._stream(sql, (entity,)):
            yield StoredRecord(key, orjson.loads(data), digest, modified)

    def get(self, entity: str, keys: Collection[str]) -> dict[str, StoredRecord]:
        found: dict[str, StoredRecord] = {}
        head = "SELECT key, data, digest, modified FROM records WHERE entity = ? AND key IN"
        for key, data, digest, modified in self._in_chunks(head, entity, keys, ""):
            found[key] = StoredRecord(key, orjson.loads(data), digest, modified)
        return found

    def owners(self, entity: str, keys: Collection[str]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        head = "SELECT key, activation FROM base WHERE entity = ? AND key IN"
        for key, activation in self._in_chunks(head, entity, keys, "ORDER BY key, activation"):
            found.setdefault(key, []).append(activation)
        return found

    # --- base and watermarks ---------------------------------------------------------

    def base_scan(self, activation: str, entity: str) -> Iterator[BaseEntry]:
        sql = (
            "SELECT b.key, b.digest, b.store_digest, b.data, r.digest FROM base AS b "
            "LEFT JOIN records AS r ON r.entity = b.entity AND r.key = b.key "
            "WHERE b.activation = ? AND b.entity = ? ORDER BY b.key"
        )
        for key, digest, store_digest, data, current in self._stream(sql, (activation, entity)):
            fields = None if data is None else orjson.loads(data)
            yield BaseEntry(key, digest, store_digest, fields, current)

    def base_digests(
        self, activation: str, entity: str
    ) -> Iterator[tuple[str, str, str | None, str | None]]:
        sql = (
            "SELECT b.key, b.digest, b.store_digest, r.digest FROM base AS b "
            "LEFT JOIN records AS r ON r.entity = b.entity AND r.key = b.key "
            "WHERE b.activation = ? AND b.entity = ? ORDER BY b.key"
        )
        yield from self._stream(sql, (activation, entity))

    def base_count(self, activation: str, entity: str) -> int:
        sql = "SELECT count(*) FROM base WHERE activation = ? AND entity = ?"
        return int(self._one(sql, (activation, entity)))

    def watermark(self, activation: str, entity: str) -> str | None:
        sql = "SELECT value FROM watermarks WHERE activation = ? AND entity = ?"
        value = self._one(sql, (activation, entity))
        return None if value is None else str(value)

    # --- writes ----------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[StoreTransaction]:
        """All writes inside land together on success; none land if anything raises."""
        if self._tx is not None:
            raise StoreError("a store transaction is already open on this connection")
        with errors(self._where):
            self._conn.execute("BEGIN IMMEDIATE")
        tx = self._tx = SQLiteTransaction(self._conn, self._batch_rows)
        try:
            yield tx
            with errors(self._where):
                tx.flush()
                self._conn.execute("COMMIT")
        except BaseException:
            self._rollback()
            raise
        finally:
            tx.close()
            self._tx = None

    def entities_digest(self, entities: Sequence[str]) -> str:
        hasher = hashlib.blake2b(digest_size=16)
        sql = "SELECT key, digest FROM records WHERE entity = ? ORDER BY key"
        for entity in entities:
            for key, digest in self._stream(sql, (entity,)):
                hasher.update(orjson.dumps((entity, key, digest)))
                hasher.update(b"\n")
        return hasher.hexdigest()

    # --- what the store holds -------------------------------------------------------

    def entities(self) -> list[str]:
        return [row[0] for row in self._all(ENTITIES_SQL, ())]

    def activations(self) -> list[str]:
        return [row[0] for row in self._all(ACTIVATIONS_SQL, ())]

    def watermarks(self, activation: str) -> dict[str, str]:
        return dict(self._all(WATERMARKS_SQL, (activation,)))

    # --- helpers ---------------------------------------------------------------------

    def _sync(self) -> None:
        """Reads inside a transaction see its buffered writes."""
        if self._tx is not None:
            with errors(self._where):
                self._tx.flush()

    def _rollback(self) -> None:
        if self._conn.in_transaction:
            # The connection may have rolled back already (an I/O error, a full disk).
            with suppress(sqlite3.Error):
                self._conn.execute("ROLLBACK")

    def _all(self, sql: str, params: Sequence[Any]) -> list[Any]:
        self._sync()
        with errors(self._where):
            return list(self._conn.execute(sql, params).fetchall())

    def _one(self, sql: str, params: Sequence[Any]) -> Any:
        self._sync()
        with errors(self._where):
            row = self._conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def _stream(self, sql: str, params: Sequence[Any]) -> Iterator[Any]:
        self._sync()
        with errors(self._where):
            cursor = self._conn.execute(sql, params)
        try:
            while True:
                with errors(self._where):
                    rows = cursor.fetchmany(FETCH_ROWS)
                if not rows:
                    return
                yield from rows
        finally:
            cursor.close()

    def _in_chunks(self, head: str, entity: str, keys: Collection[str], tail: str) -> Iterator[Any]:
        self._sync()
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), self._chunk):
            chunk = unique[start : start + self._chunk]
            marks = ",".join("?" * len(chunk))
            with errors(self._where):
                rows = self._conn.execute(f"{head} ({marks}) {tail}", (entity, *chunk)).fetchall()
            yield from rows
