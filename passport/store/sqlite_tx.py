"""Writes of one SQLite transaction, buffered per table and flushed with executemany.

Rows wait in one buffer per table; a different kind of write to the same table (a delete
after puts) flushes the buffer first, so the order of writes to a table is kept and the
result is the same as writing row by row. Writes to different tables never interact.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from passport.canonical import canonical_json, digest_bytes
from passport.errors import StoreError
from passport.model import Fields
from passport.store.base import BaseEntry

PUT = "INSERT OR REPLACE INTO records (entity, key, data, digest, modified) VALUES (?, ?, ?, ?, ?)"
DELETE = "DELETE FROM records WHERE entity = ? AND key = ?"
SET_BASE = (
    "INSERT OR REPLACE INTO base (activation, entity, key, digest, store_digest, data) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
DROP_BASE = "DELETE FROM base WHERE activation = ? AND entity = ? AND key = ?"
SET_WATERMARK = "INSERT OR REPLACE INTO watermarks (activation, entity, value) VALUES (?, ?, ?)"

Row = tuple[Any, ...]


class SQLiteTransaction:
    """A `StoreTransaction`; the store begins, flushes and ends it."""

    def __init__(self, conn: sqlite3.Connection, batch_size: int) -> None:
        self._conn = conn
        self._batch_size = max(1, batch_size)
        self._pending: dict[str, tuple[str, list[Row]]] = {}
        self._open = True

    def put(self, entity: str, key: str, fields: Fields, modified: str | None = None) -> str:
        data = canonical_json(fields)
        digest = digest_bytes(data)
        self._add("records", PUT, (entity, key, data, digest, modified))
        return digest

    def delete(self, entity: str, key: str) -> None:
        self._add("records", DELETE, (entity, key))

    def set_base(self, activation: str, entity: str, entry: BaseEntry) -> None:
        data = None if entry.fields is None else canonical_json(entry.fields)
        row = (activation, entity, entry.key, entry.digest, entry.store_digest, data)
        self._add("base", SET_BASE, row)

    def drop_base(self, activation: str, entity: str, key: str) -> None:
        self._add("base", DROP_BASE, (activation, entity, key))

    def set_watermark(self, activation: str, entity: str, value: str) -> None:
        self._add("watermarks", SET_WATERMARK, (activation, entity, value))

    def flush(self) -> None:
        """Write every buffered row (before a read, and before commit)."""
        for table in list(self._pending):
            self._flush(table)

    def close(self) -> None:
        self._pending.clear()
        self._open = False

    def _add(self, table: str, sql: str, row: Row) -> None:
        if not self._open:
            raise StoreError("write to a store transaction that has ended")
        pending = self._pending.get(table)
        if pending is None or pending[0] != sql:
            if pending is not None:
                self._flush(table)
            pending = (sql, [])
            self._pending[table] = pending
        rows = pending[1]
        rows.append(row)
        if len(rows) >= self._batch_size:
            self._flush(table)

    def _flush(self, table: str) -> None:
        sql, rows = self._pending.pop(table)
        if rows:
            self._conn.executemany(sql, rows)
