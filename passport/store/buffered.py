"""Writes of one store transaction, buffered per table and written in batches.

Each table has one buffer of rows for one kind of write (`PUT`, `DELETE`, ...). A
different kind of write to the same table (a delete after puts) flushes the buffer
first, so writes to a table keep their order and the result is the same as writing row
by row. Writes to different tables never interact. A buffer is stable-sorted by primary
key before it is written: two writes of one key keep their order, and B-trees are
filled in key order, which is several times faster than random order once a table
outgrows the cache. Each backend says how one batch is written (`_write`).
"""

from __future__ import annotations

from hashlib import blake2b
from operator import itemgetter
from typing import Any

from orjson import OPT_SORT_KEYS, dumps

from passport.errors import StoreError
from passport.model import Fields
from passport.store.base import BaseEntry

# The kinds of write; compared by identity on the hot path.
PUT = "put"  # records: (entity, key, data, digest, modified)
DELETE = "delete"  # records: (entity, key)
SET_BASE = "set_base"  # base: (activation, entity, key, digest, store_digest, data)
DROP_BASE = "drop_base"  # base: (activation, entity, key)
SET_WATERMARK = "set_watermark"  # watermarks: (activation, entity, value)

Row = tuple[Any, ...]
RECORD_KEY = itemgetter(0, 1)  # (entity, key)
BASE_KEY = itemgetter(0, 1, 2)  # (activation, entity, key)


# Where a row of each table names its entity (watermarks move no stamp).
_ENTITY_AT = {"_records": itemgetter(0), "_base": itemgetter(1)}


class Buffer:
    """Rows waiting for one kind of write on one table."""

    __slots__ = ("entity_of", "kind", "rows", "sort_key")

    def __init__(self, kind: str, sort_key: Any, entity_of: Any = None) -> None:
        self.kind = kind
        self.sort_key = sort_key
        self.entity_of = entity_of
        self.rows: list[Row] = []


class BufferedTransaction:
    """A `StoreTransaction`; the store begins, flushes and ends it.

    `put` and `set_base` are the hot path of a bulk load (millions of calls): they
    serialise inline and append to a plain list.
    """

    def __init__(self, batch_rows: int) -> None:
        self._batch_rows = max(1, batch_rows)
        self._records = Buffer(PUT, RECORD_KEY, _ENTITY_AT["_records"])
        self._base = Buffer(SET_BASE, BASE_KEY, _ENTITY_AT["_base"])
        self._watermarks = Buffer(SET_WATERMARK, None)
        self._open = True
        # The entities whose records or base rows this transaction wrote: the store moves
        # their stamps on as it commits (an unchanged source file is skipped only while
        # its entity's stamp is the one its last apply left).
        self.touched: set[str] = set()

    def _write(self, kind: str, rows: list[Row]) -> None:
        """Write one batch of rows of one kind, in order (the backend's part)."""
        raise NotImplementedError

    def put(self, entity: str, key: str, fields: Fields, modified: str | None = None) -> str:
        data = dumps(fields, option=OPT_SORT_KEYS)  # = passport.canonical.canonical_json
        digest = blake2b(data, digest_size=16).hexdigest()  # = canonical.digest_bytes
        buffer = self._records
        if buffer.kind is not PUT:
            buffer = self._switch("_records", PUT)
        buffer.rows.append((entity, key, data, digest, modified))
        if len(buffer.rows) >= self._batch_rows:
            self._flush(buffer)
        return digest

    def set_base(self, activation: str, entity: str, entry: BaseEntry) -> None:
        data = entry.data
        if data is None and entry.fields is not None:
            data = dumps(entry.fields, option=OPT_SORT_KEYS)
        buffer = self._base
        if buffer.kind is not SET_BASE:
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
            setattr(self, table, Buffer("", None))

    def _add(self, table: str, kind: str, row: Row) -> None:
        buffer: Buffer = getattr(self, table)
        if buffer.kind is not kind:
            buffer = self._switch(table, kind)
        buffer.rows.append(row)
        if len(buffer.rows) >= self._batch_rows:
            self._flush(buffer)

    def _switch(self, table: str, kind: str) -> Buffer:
        """Flush the table's buffer and start one for another kind of write."""
        if not self._open:
            raise StoreError("write to a store transaction that has ended")
        old: Buffer = getattr(self, table)
        self._flush(old)
        new = Buffer(kind, old.sort_key, old.entity_of)
        setattr(self, table, new)
        return new

    def _flush(self, buffer: Buffer) -> None:
        if not buffer.rows:
            return
        if not self._open:
            raise StoreError("write to a store transaction that has ended")
        rows = buffer.rows
        buffer.rows = []
        if buffer.entity_of is not None:
            self.touched.update(map(buffer.entity_of, rows))
        if buffer.sort_key is not None:
            rows.sort(key=buffer.sort_key)
        self._write(buffer.kind, rows)
