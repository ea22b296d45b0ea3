"""The store's migrations on SQLite (`passport.store.migrations`), one transaction each.

`BEGIN IMMEDIATE` lets one process migrate at a time; the others wait (up to the busy
timeout), then find the work done.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from passport.errors import StoreError
from passport.store.migrations import MIGRATIONS, TRACKING_TABLE, Migration, Migrator


class SQLiteMigrator(Migrator):
    DIALECT = "sqlite"

    def _prepare(self) -> None:
        self._refuse_foreign()
        self._conn.execute(TRACKING_TABLE)

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def _tables(self) -> set[str]:
        rows = self._conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
        return {row[0] for row in rows}

    def _foreign(self) -> StoreError:
        return StoreError(
            f"{self._where} is a SQLite database but not a passport store",
            "point --store or PASSPORT_STORE at a passport store or a new file",
        )


def migrate(
    conn: sqlite3.Connection, where: str, migrations: Sequence[Migration] = MIGRATIONS
) -> list[int]:
    """Apply pending migrations to an autocommit connection; returns the versions applied."""
    return SQLiteMigrator(conn, where).migrate(migrations)
