"""The PostgreSQL store: one schema per store, COPY for bulk writes, streamed sorted scans.

Keys sort in code-point order: every key column is `COLLATE "C"` (see migrations), which
orders UTF-8 text by bytes, like Python's `str` comparison and SQLite's BINARY.

Connections: the main one (autocommit; store transactions are explicit) runs lookups,
writes and the history. Scans stream through server-side cursors, which live inside a
transaction: outside a store transaction they run on a second, read-only connection in
READ COMMITTED (each scan sees the data committed when it started, and any number of
scans may be open at once, as a plan's merge-joins need); inside a store transaction
they run on the main connection and see its writes (buffered rows are flushed first).
Each held activation lock has a session of its own (`locks`). What both backends share
(the reads, transactions, the history, the lock rows) is `SqlWrites`'s.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, suppress
from typing import Any

import psycopg

from passport.errors import StoreError
from passport.store.location import Location
from passport.store.migrations import MIGRATIONS, Migration
from passport.store.postgres.connection import Connection, connect, errors
from passport.store.postgres.locks import PostgresLocks
from passport.store.postgres.schema import migrate, store_exists
from passport.store.postgres.transaction import PostgresTransaction
from passport.store.writes import SqlWrites

FETCH_ROWS = 5000
BATCH_ROWS = 20000
CHUNK_KEYS = 10000
_names = itertools.count()


class PostgresStore(PostgresLocks, SqlWrites):
    """A `Store` in one schema of a PostgreSQL database."""

    PARAM = "%s"
    _BEGIN = "BEGIN"
    _DUPLICATE = psycopg.errors.UniqueViolation
    _chunk = CHUNK_KEYS
    _AGREED = (
        "SELECT json_agg(key ORDER BY key)::text, json_agg(digest ORDER BY key)::text "
        "FROM (SELECT key, digest FROM base WHERE activation = ? AND entity = ? AND key > ? "
        "ORDER BY key LIMIT ?) AS chunk"
    )

    def __init__(
        self,
        location: Location,
        *,
        batch_rows: int = BATCH_ROWS,
        migrations: Sequence[Migration] = MIGRATIONS,
        create: bool = True,
    ) -> None:
        self.url = location.url
        self.schema = location.schema
        self._location = location
        self._where = location.url
        self._batch_rows = batch_rows
        self._tx: PostgresTransaction | None = None
        self._known_stamps = {}
        self._held: dict[str, Connection] = {}
        self._staged: set[str] = set()  # staging tables made in this session
        self._conflicted: set[str] = set()  # tables written by upsert only (transaction)
        self._reader: Connection | None = None
        self._open_scans = 0
        self._conn = connect(location)
        try:
            if not create and not store_exists(self._conn, self.schema):
                raise StoreError(
                    f"there is no store at {self.url}", "check the URL and its ?schema= for a typo"
                )
            self.migrated = migrate(self._conn, self.schema, self._where, migrations)
        except BaseException:
            self._conn.close()
            raise

    def close(self) -> None:
        self._tx = None
        self.close_locks()
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        self._conn.close()

    # --- what SqlWrites and SqlReads leave to the backend ----------------------------

    def _errors(self) -> AbstractContextManager[None]:
        return errors(self._where)

    def _new_transaction(self) -> PostgresTransaction:
        return PostgresTransaction(self._conn, self._batch_rows, self._staged, self._conflicted)

    def _rollback(self) -> None:
        if self._conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            with suppress(psycopg.Error):  # the connection may be gone already
                self._conn.execute("ROLLBACK")
        self._staged.clear()  # their creation may have been rolled back

    def _stream(self, sql: str, params: Sequence[Any]) -> Iterator[Any]:
        self._sync()
        in_tx = self._tx is not None
        conn = self._conn if in_tx else self._read_connection()
        cursor = conn.cursor(f"passport_scan_{next(_names)}", binary=True)
        self._open_scans += 0 if in_tx else 1
        try:
            with errors(self._where):
                cursor.execute(sql, params)
            for rows in self._batches(cursor, FETCH_ROWS):
                yield from rows
        finally:
            with suppress(psycopg.Error):
                cursor.close()
            if not in_tx:
                self._scan_closed(conn)

    def _read_connection(self) -> Connection:
        if self._reader is None or self._reader.closed:
            self._reader = connect(self._location, autocommit=False)
            self._reader.read_only = True
        return self._reader

    def _scan_closed(self, conn: Connection) -> None:
        """The last open scan ends the reader's transaction (and so its snapshot)."""
        self._open_scans -= 1
        if self._open_scans == 0 and not conn.closed:
            with suppress(psycopg.Error):
                conn.rollback()

    def _key_chunk(self, head: str, entity: str, keys: list[str], tail: str) -> list[Any]:
        sql = f"{head} = ANY(%s) {tail}"
        return self._conn.execute(sql, (entity, keys), binary=True).fetchall()
