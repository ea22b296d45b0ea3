"""Writes of one SQLite transaction: batches of buffered rows go out with executemany.

The buffering (order kept per table, batches stable-sorted by key) is `buffered`'s.
"""

from __future__ import annotations

import sqlite3

from passport.store import buffered
from passport.store.buffered import BufferedTransaction, Row

SQL = {
    buffered.PUT: "INSERT OR REPLACE INTO records (entity, key, data, digest, modified) "
    "VALUES (?, ?, ?, ?, ?)",
    buffered.DELETE: "DELETE FROM records WHERE entity = ? AND key = ?",
    buffered.SET_BASE: "INSERT OR REPLACE INTO base "
    "(activation, entity, key, digest, store_digest, data) VALUES (?, ?, ?, ?, ?, ?)",
    buffered.DROP_BASE: "DELETE FROM base WHERE activation = ? AND entity = ? AND key = ?",
    buffered.SET_WATERMARK: "INSERT OR REPLACE INTO watermarks (activation, entity, value) "
    "VALUES (?, ?, ?)",
}


class SQLiteTransaction(BufferedTransaction):
    """A `StoreTransaction` on one SQLite connection; the store begins and ends it."""

    def __init__(self, conn: sqlite3.Connection, batch_rows: int) -> None:
        super().__init__(batch_rows)
        self._conn = conn

    def _write(self, kind: str, rows: list[Row]) -> None:
        self._conn.executemany(SQL[kind], rows)
