"""The store's migrations on PostgreSQL (`passport.store.migrations`): one schema per
store, one transaction each, in the "postgresql" dialect.

PostgreSQL runs DDL inside transactions, so a failing migration leaves nothing behind.
A transaction-level advisory lock per schema lets one process migrate at a time; the
others wait, then find the work done.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from hashlib import blake2b

from psycopg import sql

from passport.errors import StoreError
from passport.store.migrations import MIGRATIONS, TRACKING_TABLE, Migration, Migrator
from passport.store.postgres.connection import Connection, errors


def advisory_key(*parts: str) -> int:
    """A signed 64-bit advisory lock key for `parts` (a schema, an activation, ...)."""
    text = "\0".join(("passport", *parts)).encode()
    return int.from_bytes(blake2b(text, digest_size=8).digest(), "big", signed=True)


def store_exists(conn: Connection, schema: str) -> bool:
    """Whether the schema holds a passport store (its migration record)."""
    query = "SELECT 1 FROM pg_tables WHERE schemaname = %s AND tablename = 'schema_migrations'"
    with errors(schema):
        return conn.execute(query, (schema,)).fetchone() is not None


class PostgresMigrator(Migrator):
    DIALECT = "postgresql"
    PARAM = "%s"

    def __init__(self, conn: Connection, schema: str, where: str) -> None:
        super().__init__(conn, where)
        self._schema = schema

    def _prepare(self) -> None:
        with self._exclusive():
            _create_schema(self._conn, self._schema)
            self._refuse_foreign()
            self._conn.execute(TRACKING_TABLE)

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        with self._conn.transaction():
            key = advisory_key("migrate", self._schema)
            self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (key,))
            yield

    def _tables(self) -> set[str]:
        query = "SELECT tablename FROM pg_tables WHERE schemaname = %s"
        return {row[0] for row in self._conn.execute(query, (self._schema,))}

    def _foreign(self) -> StoreError:
        return StoreError(
            f"the schema {self._schema!r} at {self._where} holds tables "
            "but is not a passport store",
            "choose another schema with ?schema=NAME in the store URL",
        )


def migrate(
    conn: Connection, schema: str, where: str, migrations: Sequence[Migration] = MIGRATIONS
) -> list[int]:
    """Create the schema if needed and apply pending migrations; the versions applied.

    `conn` is in autocommit mode with the schema on its search_path."""
    with errors(where):
        return PostgresMigrator(conn, schema, where).migrate(migrations)


def _create_schema(conn: Connection, schema: str) -> None:
    # Only when missing: CREATE SCHEMA IF NOT EXISTS needs the right to create schemas
    # even when the schema is there, which a DBA may not have granted.
    exists = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone()
    if exists is None:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
