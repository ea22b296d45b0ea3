"""Writes of one SQLite transaction, buffered per table and flushed with executemany.

Each table has one buffer of rows for one kind of statement. A different kind of write
to the same table (a delete after puts) flushes the buffer first, so writes to a table
keep their order and the result is the same as writing row by row. Writes to different
tables never interact. A buffer is stable-sorted by primary key before it is flushed:
two writes of one key keep their order, and the B-tree is filled in key order, which
is several times faster than random order once a table outgrows the page cache.
"""

from __future__ import annotations

import sqlite3
from hashlib import blake2b
from operator import itemgetter
from typing import Any

from orjson import OPT_SORT_KEYS, dumps

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
_RECORD_KEY = itemgetter(0, 1)  # (entity, key)
_BASE_KEY = itemgetter(0, 1, 2)  # (activation, entity, key)


class _Buffer:
    """Rows waiting for one statement on one table."""

    __slots__ = ("rows", "sort_key", "sql")

    def __init__(self, sql: str, sort_key: Any) -> None:
        self.sql = sql
        self.sort_key = sort_key
        self.rows: list[Row] = []


class SQLiteTransaction:
    """A `StoreTransaction`; the store begins, flushes and ends it.

    `put` and `set_base` are the hot path of a bulk load (millions of calls): they
    serialise inline and append to a plain list.
    """

    def __init__(self, conn: sqlite3.Connection, batch_rows: int) -> None:
        self._conn = conn
        self._batch_rows = max(1, batch_rows)
        self._records = _Buffer(PUT, _RECORD_KEY)
        self._base = _Buffer(SET_BASE, _BASE_KEY)
        self._watermarks = _Buffer(SET_WATERMARK, None)
        self._open = True

    def put(self, entity: str, key: str, fields: Fields, modified: str | None = None) -> str:
        data = dumps(fields, option=OPT_SORT_KEYS)  # = passport.canonical.canonical_json
        digest = blake2b(data, digest_size=16).hexdigest()  # = canonical.digest_bytes
        buffer = self._records
        if buffer.sql is not PUT:
            buffer = self._switch("_records", PUT)
        buffer.rows.append((entity, key, data, digest, modified))
        if len(buffer.rows) >= self._batch_rows:
            self._flush(buffer)
        return digest

    def set_base(self, activation: str, entity: str, entry: BaseEntry) -> None:
        data = None if entry.fields is None else dumps(entry.fields, option=OPT_SORT_KEYS)
        buffer = self._base
        if buffer.sql is not SET_BASE:
            buffer = self._switch("_base", SET_BASE)
        buffer.rows.append((activation, entity, entry.key, entry.digest, entry.store_digest, data))
        if len(buffer.rows) >= self._batch_rows:
            self._flush(buffer)

    def delete(self, entity: str, key: str) -> None:
        self._add("_records", DELETE, (entity, key))

    def drop_base(self, activation: str, entity: str, key: str) -> None:
        self._add("_base", DROP_BASE, (activation, entity, key))

    def set_watermark(self, activation: str, entity: str, value: str) -> None:
        self._add("_watermarks", SET_WATERMARK, (activation, entity, value))

    def flush(self) -> None:
        """Write every buffered row (before a read, and before commit)."""
        for buffer in (self._records, self._base, self._watermarks):
            self._flush(buffer)

    def close(self) -> None:
        """Drop what is buffered; any later write raises (its buffer no longer matches)."""
        self._open = False
        for table in ("_records", "_base", "_watermarks"):
            setattr(self, table, _Buffer("", None))

    def _add(self, table: str, sql: str, row: Row) -> None:
        buffer: _Buffer = getattr(self, table)
        if buffer.sql is not sql:
            buffer = self._switch(table, sql)
        buffer.rows.append(row)
        if len(buffer.rows) >= self._batch_rows:
            self._flush(buffer)

    def _switch(self, table: str, sql: str) -> _Buffer:
        """Flush the table's buffer and start one for another statement."""
        if not self._open:
            raise StoreError("write to a store transaction that has ended")
        old: _Buffer = getattr(self, table)
        self._flush(old)
        new = _Buffer(sql, old.sort_key)
        setattr(self, table, new)
        return new

    def _flush(self, buffer: _Buffer) -> None:
        if not buffer.rows:
            return
        if not self._open:
            raise StoreError("write to a store transaction that has ended")
        rows = buffer.rows
        buffer.rows = []
        if buffer.sort_key is not None:
            rows.sort(key=buffer.sort_key)
        self._conn.executemany(buffer.sql, rows)
