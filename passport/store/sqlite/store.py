"""The SQLite store: one file, WAL, explicit transactions, streamed key-sorted scans.

Keys sort in code-point order: SQLite's BINARY collation compares UTF-8 bytes, which
orders like Python's `str` comparison. Scans stream with `fetchmany`; lookups by many
keys go in chunks under SQLite's variable limit. What both backends share (the reads,
transactions, the history, the lock rows) is `SqlWrites`'s; taking a lock is `locks`'.

One connection per store object, used from one thread. Reads inside a transaction see
its writes (buffered rows are flushed first). Finish a scan of an entity before writing
that entity: SQLite does not define what a running scan sees of rows written meanwhile.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, suppress
from pathlib import Path
from typing import Any

from passport.store.migrations import MIGRATIONS, Migration
from passport.store.sqlite.connection import connect, errors
from passport.store.sqlite.locks import SQLiteLocks
from passport.store.sqlite.schema import migrate
from passport.store.sqlite.transaction import SQLiteTransaction
from passport.store.writes import SqlWrites

FETCH_ROWS = 2000
BATCH_ROWS = 20000
_MAX_CHUNK = 10000


class SQLiteStore(SQLiteLocks, SqlWrites):
    """A `Store` in one SQLite file (or in memory when `path` is None)."""

    _BEGIN = "BEGIN IMMEDIATE"
    _DUPLICATE = sqlite3.IntegrityError

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
        self._known_stamps = {}
        self._conn = connect(path, create_folder=create_folder)
        try:
            with errors(self._where):
                self.migrated = migrate(self._conn, self._where, migrations)
                limit = self._conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        except BaseException:
            self._conn.close()
            raise
        self._chunk = max(1, min(limit - 2, _MAX_CHUNK))

    def close(self) -> None:
        self._tx = None
        self._conn.close()

    # --- what SqlWrites and SqlReads leave to the backend ----------------------------

    def _errors(self) -> AbstractContextManager[None]:
        return errors(self._where)

    def _new_transaction(self) -> SQLiteTransaction:
        return SQLiteTransaction(self._conn, self._batch_rows)

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
            for rows in self._batches(cursor, FETCH_ROWS):
                yield from rows
        finally:
            cursor.close()

    def _key_chunk(self, head: str, entity: str, keys: list[str], tail: str) -> list[Any]:
        marks = ",".join("?" * len(keys))
        sql = f"{head} IN ({marks}) {tail}"
        rows: list[Any] = self._conn.execute(sql, (entity, *keys)).fetchall()
        return rows
