"""The store's migrations on PostgreSQL: one schema per store, one transaction each.

The migrations are `passport.store.migrations.MIGRATIONS` in the "postgresql" dialect.
PostgreSQL runs DDL inside transactions, so a failing migration leaves nothing behind.
A transaction-level advisory lock per schema lets one process migrate at a time; the
others wait, then find the work done.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from hashlib import blake2b

from psycopg import sql

from passport.errors import StoreError
from passport.store.migrations import (
    MIGRATIONS,
    TRACKING_TABLE,
    Migration,
    check_registry,
    refuse_newer,
)
from passport.store.postgres_conn import Connection, errors


def advisory_key(*parts: str) -> int:
    """A signed 64-bit advisory lock key for `parts` (a schema, an activation, ...)."""
    text = "\0".join(("passport", *parts)).encode()
    return int.from_bytes(blake2b(text, digest_size=8).digest(), "big", signed=True)


def store_exists(conn: Connection, schema: str) -> bool:
    """Whether the schema holds a passport store (its migration record)."""
    query = "SELECT 1 FROM pg_tables WHERE schemaname = %s AND tablename = 'schema_migrations'"
    with errors(schema):
        return conn.execute(query, (schema,)).fetchone() is not None


def migrate_postgresql(
    conn: Connection, schema: str, where: str, migrations: Sequence[Migration] = MIGRATIONS
) -> list[int]:
    """Create the schema if needed and apply pending migrations; the versions applied.

    `conn` is in autocommit mode with the schema on its search_path."""
    check_registry(migrations)
    with errors(where):
        with conn.transaction():
            _lock(conn, schema)
            _create_schema(conn, schema)
            _refuse_foreign(conn, schema, where)
            conn.execute(TRACKING_TABLE)
        refuse_newer(_applied(conn), migrations, where)
        done: list[int] = []
        for migration in migrations:
            if _apply_one(conn, schema, migration):
                done.append(migration.version)
    return done


def _apply_one(conn: Connection, schema: str, migration: Migration) -> bool:
    with conn.transaction():
        _lock(conn, schema)
        if migration.version in _applied(conn):  # another process got here first
            return False
        for statement in migration.sql("postgresql"):
            conn.execute(statement)
        conn.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (%s, %s, %s)",
            (migration.version, migration.name, datetime.now(UTC).isoformat()),
        )
    return True


def _lock(conn: Connection, schema: str) -> None:
    conn.execute("SELECT pg_advisory_xact_lock(%s)", (advisory_key("migrate", schema),))


def _create_schema(conn: Connection, schema: str) -> None:
    # Only when missing: CREATE SCHEMA IF NOT EXISTS needs the right to create schemas
    # even when the schema is there, which a DBA may not have granted.
    exists = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone()
    if exists is None:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))


def _applied(conn: Connection) -> set[int]:
    return {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}


def _refuse_foreign(conn: Connection, schema: str, where: str) -> None:
    """A schema with tables but no migration record belongs to something else."""
    names = {
        row[0]
        for row in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", (schema,))
    }
    if names and "schema_migrations" not in names:
        raise StoreError(
            f"the schema {schema!r} at {where} holds tables but is not a passport store",
            "choose another schema with ?schema=NAME in the store URL",
        )
