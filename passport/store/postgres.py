"""The PostgreSQL store: one schema per store, COPY for bulk writes, streamed sorted scans.

Keys sort in code-point order: every key column is `COLLATE "C"` (see migrations), which
orders UTF-8 text by bytes, like Python's `str` comparison and SQLite's BINARY.

Connections: the main one (autocommit; store transactions are explicit) runs lookups,
writes and the history. Scans stream through server-side cursors, which live inside a
transaction: outside a store transaction they run on a second, read-only connection in
READ COMMITTED (each scan sees the data committed when it started, and any number of
scans may be open at once, as a plan's merge-joins need); inside a store transaction
they run on the main connection and see its writes (buffered rows are flushed first).
Each held activation lock has a session of its own (`postgres_locks`).
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from typing import Any

import orjson
import psycopg

from passport.errors import StoreError
from passport.store.base import StoredRecord, StoreTransaction
from passport.store.location import Location
from passport.store.migrations import MIGRATIONS, Migration
from passport.store.postgres_conn import Connection, connect, errors
from passport.store.postgres_history import PostgresHistory
from passport.store.postgres_locks import PostgresLocks
from passport.store.postgres_schema import migrate_postgresql, store_exists
from passport.store.postgres_tx import PostgresTransaction
from passport.store.reads import SqlReads

FETCH_ROWS = 5000
BATCH_ROWS = 20000
CHUNK_KEYS = 10000
_names = itertools.count()


class PostgresStore(PostgresHistory, PostgresLocks, SqlReads):
    """A `Store` in one schema of a PostgreSQL database."""

    PARAM = "%s"

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
        self._held: dict[str, Connection] = {}
        self._staged: set[str] = set()  # staging tables made in this session
        self._reader: Connection | None = None
        self._open_scans = 0
        self._conn = connect(location)
        try:
            if not create and not store_exists(self._conn, self.schema):
                raise StoreError(
                    f"there is no store at {self.url}", "check the URL and its ?schema= for a typo"
                )
            self.migrated = migrate_postgresql(self._conn, self.schema, self._where, migrations)
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

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- records ---------------------------------------------------------------------

    def get(self, entity: str, keys: Collection[str]) -> dict[str, StoredRecord]:
        found: dict[str, StoredRecord] = {}
        sql = "SELECT key, data, digest, modified FROM records WHERE entity = %s AND key = ANY(%s)"
        for key, data, digest, modified in self._in_chunks(sql, entity, keys):
            found[key] = StoredRecord(key, orjson.loads(data), digest, modified)
        return found

    def owners(self, entity: str, keys: Collection[str]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        sql = (
            "SELECT key, activation FROM base WHERE entity = %s AND key = ANY(%s) "
            "ORDER BY key, activation"
        )
        for key, activation in self._in_chunks(sql, entity, keys):
            found.setdefault(key, []).append(activation)
        return found

    # --- writes ----------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[StoreTransaction]:
        """All writes inside land together on success; none land if anything raises."""
        if self._tx is not None:
            raise StoreError("a store transaction is already open on this connection")
        with errors(self._where):
            self._conn.execute("BEGIN")
        tx = self._tx = PostgresTransaction(self._conn, self._batch_rows, self._staged)
        try:
            yield tx
            with errors(self._where):
                tx.flush()
                self._conn.execute("COMMIT")
        except BaseException:
            self._rollback()
            self._staged.clear()  # their creation may have been rolled back
            raise
        finally:
            tx.close()
            self._tx = None

    # --- helpers ---------------------------------------------------------------------

    def _errors(self) -> AbstractContextManager[None]:
        return errors(self._where)

    def _rollback(self) -> None:
        if self._conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            with suppress(psycopg.Error):  # the connection may be gone already
                self._conn.execute("ROLLBACK")

    def _stream(self, sql: str, params: Sequence[Any]) -> Iterator[Any]:
        self._sync()
        in_tx = self._tx is not None
        conn = self._conn if in_tx else self._read_connection()
        cursor = conn.cursor(f"passport_scan_{next(_names)}", binary=True)
        self._open_scans += 0 if in_tx else 1
        try:
            with errors(self._where):
                cursor.execute(sql, params)
            while True:
                with errors(self._where):
                    rows = cursor.fetchmany(FETCH_ROWS)
                if not rows:
                    return
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

    def _in_chunks(self, sql: str, entity: str, keys: Collection[str]) -> Iterator[Any]:
        self._sync()
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), CHUNK_KEYS):
            chunk = unique[start : start + CHUNK_KEYS]
            with errors(self._where):
                rows = self._conn.execute(sql, (entity, chunk), binary=True).fetchall()
            yield from rows
