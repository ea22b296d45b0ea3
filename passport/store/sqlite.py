"""The SQLite store: one file, WAL, explicit transactions, streamed key-sorted scans.

Keys sort in code-point order: SQLite's BINARY collation compares UTF-8 bytes, which
orders like Python's `str` comparison. Scans stream with `fetchmany`; lookups by many
keys go in chunks under SQLite's variable limit. Runs and locks live in `sqlite_history`.

One connection per store object, used from one thread. Reads inside a transaction see
its writes (buffered rows are flushed first). Finish a scan of an entity before writing
that entity: SQLite does not define what a running scan sees of rows written meanwhile.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from pathlib import Path
from typing import Any

import orjson

from passport.errors import StoreError
from passport.store.base import StoredRecord, StoreTransaction
from passport.store.migrations import MIGRATIONS, Migration, migrate_sqlite
from passport.store.reads import SqlReads
from passport.store.sqlite_conn import connect, errors
from passport.store.sqlite_history import SQLiteHistory
from passport.store.sqlite_tx import SQLiteTransaction

FETCH_ROWS = 2000
BATCH_ROWS = 20000
_MAX_CHUNK = 10000


class SQLiteStore(SQLiteHistory, SqlReads):
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

    # --- helpers ---------------------------------------------------------------------

    def _errors(self) -> AbstractContextManager[None]:
        return errors(self._where)

    def _rollback(self) -> None:
        if self._conn.in_transaction:
            # The connection may have rolled back already (an I/O error, a full disk).
            with suppress(sqlite3.Error):
                self._conn.execute("ROLLBACK")

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
