"""Writes of one PostgreSQL transaction: batches go out by COPY, then one upsert each.

The buffering (order kept per table, batches stable-sorted by key) is `buffered`'s. A
batch of puts or base rows is first COPYed in binary straight into its table, inside a
savepoint: when none of its keys is there yet (a first import: every record and base
row new) that is the whole write, and the rows are exactly what an upsert would leave.
When a key is already there the COPY fails as a whole (a duplicate key), is rolled back
to the savepoint, and the batch goes the upsert's way: COPYed into a temporary staging
table that lives as long as the transaction, then merged with one `INSERT ... SELECT
... ON CONFLICT DO UPDATE` (about 3x the rows/s of executemany or of an unnest() upsert).
A table that had a duplicate once goes the upsert's way for the rest of the session
(`conflicted`: a next-day apply updates, it does not create). Measured on 100k records
and their base rows, 500 a transaction: the straight COPY about 2x the rows/s of the
staged upsert. Either way a batch keeps the last write of each key (the result of
writing row by row: an upsert may touch a row only once, a COPY may not hold a key
twice). Deletes go as one statement over arrays of keys; watermarks (a few rows) by
executemany.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import psycopg

from passport.store import buffered
from passport.store.buffered import BufferedTransaction, Row
from passport.store.postgres.connection import Connection
from passport.store.rows import on_conflict_update, upsert

_STAGE = {
    buffered.PUT: (
        "passport_stage_records",
        "records",
        ("entity", "key", "data", "digest", "modified"),
        ("text", "text", "bytea", "text", "text"),
        ("entity", "key"),
    ),
    buffered.SET_BASE: (
        "passport_stage_base",
        "base",
        ("activation", "entity", "key", "digest", "store_digest", "data"),
        ("text", "text", "text", "text", "text", "bytea"),
        ("activation", "entity", "key"),
    ),
}
_DELETES = {
    buffered.DELETE: "DELETE FROM records AS t "
    "USING unnest(%s::text[], %s::text[]) AS d(entity, key) "
    "WHERE t.entity = d.entity AND t.key = d.key",
    buffered.DROP_BASE: "DELETE FROM base AS t "
    "USING unnest(%s::text[], %s::text[], %s::text[]) AS d(activation, entity, key) "
    "WHERE t.activation = d.activation AND t.entity = d.entity AND t.key = d.key",
}
SET_WATERMARK_SQL = upsert(
    "watermarks", ("activation", "entity", "value"), ("activation", "entity")
).replace("?", "%s")


def _upsert(stage: str, table: str, columns: tuple[str, ...], key: tuple[str, ...]) -> str:
    names = ", ".join(columns)
    return f"INSERT INTO {table} ({names}) SELECT {names} FROM {stage} " + on_conflict_update(
        columns, key
    )


class PostgresTransaction(BufferedTransaction):
    """A `StoreTransaction` on one connection; the store begins and ends it."""

    def __init__(
        self, conn: Connection, batch_rows: int, staged: set[str], conflicted: set[str]
    ) -> None:
        super().__init__(batch_rows)
        self._conn = conn
        self._staged = staged  # the session's staging tables (the store's set)
        self._conflicted = conflicted  # tables whose straight COPY met a key (the store's)
        self._used: set[str] = set()  # staging tables holding rows of this transaction

    def _write(self, kind: str, rows: list[Row]) -> None:
        if kind in _STAGE:
            self._merge(kind, rows)
        elif kind in _DELETES:
            self._conn.execute(_DELETES[kind], [list(column) for column in zip(*rows, strict=True)])
        elif kind is buffered.SET_WATERMARK:
            with self._conn.cursor() as cursor:
                cursor.executemany(SET_WATERMARK_SQL, rows)
        else:
            raise ValueError(f"unknown kind of write {kind!r}")

    def _merge(self, kind: str, rows: list[Row]) -> None:
        stage, table, columns, types, key = _STAGE[kind]
        width = len(key)
        last = {row[:width]: row for row in rows}  # sorted by key: order stays sorted
        names = ", ".join(columns)
        with self._conn.cursor() as cursor:
            if table not in self._conflicted:
                cursor.execute("SAVEPOINT passport_copy")
                try:
                    _copy(cursor, table, names, types, last.values())
                    # Released at once: a transaction of many batches keeps no stack of
                    # savepoints (subtransactions) open.
                    cursor.execute("RELEASE SAVEPOINT passport_copy")
                    return
                except psycopg.errors.UniqueViolation:
                    cursor.execute("ROLLBACK TO SAVEPOINT passport_copy")
                    self._conflicted.add(table)
            if stage not in self._staged:
                cursor.execute(
                    f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} "
                    f"(LIKE {table} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
                )
                self._staged.add(stage)
            if stage in self._used:  # a second batch in one transaction
                cursor.execute(f"TRUNCATE {stage}")
            self._used.add(stage)
            _copy(cursor, stage, names, types, last.values())
            cursor.execute(_upsert(stage, table, columns, key))


def _copy(
    cursor: psycopg.Cursor[Any], table: str, names: str, types: Sequence[str], rows: Iterable[Row]
) -> None:
    """Rows into `table` by one binary COPY."""
    with cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(list(types))
        for row in rows:
            copy.write_row(row)
