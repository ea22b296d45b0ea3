"""The store's schema as a registry of numbered migrations, one transaction each.

Each migration is portable SQL with a few dialect slots (`{blob}`, `{without_rowid}`,
`{key}`), so the PostgreSQL backend reuses the same table design. `{key}` is the type of
every column that is sorted or joined on: PostgreSQL gives it COLLATE "C" so that it
sorts by code point, like SQLite's BINARY collation and Python's `str` (plans merge-join
key-sorted streams from both). Applied migrations are recorded
in `schema_migrations(version, name, applied_at)`. Opening a store applies the pending
ones in order; a store whose schema is newer than this code is refused, and so is one
that holds tables but no migration record (it belongs to something else).

`Migrator` applies them, the same way on every backend; a backend says how a
migration's transaction is held (`_exclusive`) and what opening checks first (`_prepare`).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from passport.errors import StoreError

DIALECTS: dict[str, dict[str, str]] = {
    "sqlite": {"blob": "BLOB", "without_rowid": " WITHOUT ROWID", "real": "REAL", "key": "TEXT"},
    "postgresql": {
        "blob": "BYTEA",
        "without_rowid": "",
        "real": "DOUBLE PRECISION",
        "key": 'TEXT COLLATE "C"',
    },
}

TRACKING_TABLE = """CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
)"""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]

    def sql(self, dialect: str) -> list[str]:
        slots = DIALECTS[dialect]
        return [statement.format(**slots) for statement in self.statements]


_INITIAL = Migration(
    1,
    "records, base, watermarks, runs, locks",
    (
        """CREATE TABLE records (
            entity {key} NOT NULL,
            key {key} NOT NULL,
            data {blob} NOT NULL,
            digest TEXT NOT NULL,
            modified TEXT,
            PRIMARY KEY (entity, key)
        ){without_rowid}""",
        """CREATE TABLE base (
            activation {key} NOT NULL,
            entity {key} NOT NULL,
            key {key} NOT NULL,
            digest TEXT NOT NULL,
            store_digest TEXT,
            data {blob},
            PRIMARY KEY (activation, entity, key)
        ){without_rowid}""",
        "CREATE INDEX base_owners ON base (entity, key, activation)",
        """CREATE TABLE watermarks (
            activation {key} NOT NULL,
            entity {key} NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (activation, entity)
        ){without_rowid}""",
        """CREATE TABLE runs (
            id {key} PRIMARY KEY,
            activation {key} NOT NULL,
            mode TEXT NOT NULL,
            started_at {key} NOT NULL,
            finished_at TEXT,
            "user" TEXT NOT NULL,
            host TEXT NOT NULL,
            git_commit TEXT,
            plan_checksum TEXT NOT NULL,
            status TEXT NOT NULL,
            duration_s {real},
            message TEXT NOT NULL,
            counts TEXT NOT NULL,
            errors TEXT NOT NULL,
            extra TEXT NOT NULL
        )""",
        "CREATE INDEX runs_by_activation ON runs (activation, started_at)",
        "CREATE INDEX runs_by_start ON runs (started_at)",
        """CREATE TABLE locks (
            activation {key} PRIMARY KEY,
            id TEXT NOT NULL,
            owner TEXT NOT NULL,
            host TEXT NOT NULL,
            pid INTEGER NOT NULL,
            operation TEXT NOT NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT
        )""",
    ),
)

_KEYS = Migration(
    2,
    "keys: the store's own secrets (the key that seals saved plans)",
    (
        """CREATE TABLE keys (
            name {key} PRIMARY KEY,
            value TEXT NOT NULL
        )""",
    ),
)

# What lets an import plan skip a source file that did not change since its last apply:
# a stamp per entity that every transaction writing its records or base moves on (so a
# store copy that drifted is seen), and per activation and entity the digest of the files
# that apply carried out in full, the entity's stamp just after, and the plan's counts.
_SOURCES = Migration(
    3,
    "entity stamps and source digests: unchanged source files are not read again",
    (
        """CREATE TABLE entity_stamps (
            entity {key} PRIMARY KEY,
            stamp INTEGER NOT NULL
        )""",
        """CREATE TABLE source_digests (
            activation {key} NOT NULL,
            entity {key} NOT NULL,
            digest TEXT NOT NULL,
            stamp INTEGER NOT NULL,
            counts TEXT NOT NULL,
            PRIMARY KEY (activation, entity)
        ){without_rowid}""",
    ),
)

MIGRATIONS: tuple[Migration, ...] = (_INITIAL, _KEYS, _SOURCES)


def check_registry(migrations: Sequence[Migration]) -> None:
    versions = [m.version for m in migrations]
    if versions != list(range(1, len(versions) + 1)):
        raise ValueError(f"migrations must be numbered 1, 2, 3, ... without gaps: {versions}")


def refuse_newer(applied: set[int], migrations: Sequence[Migration], where: str) -> None:
    known = len(migrations)
    newest = max(applied, default=0)
    if newest > known:
        raise StoreError(
            f"the store at {where} has schema version {newest}; "
            f"this passport knows versions up to {known}",
            "upgrade passport to a version that knows this store",
        )


class Migrator:
    """Applies the pending migrations over one backend's connection."""

    DIALECT: str
    PARAM = "?"

    def __init__(self, conn: Any, where: str) -> None:
        self._conn = conn
        self._where = where

    def migrate(self, migrations: Sequence[Migration] = MIGRATIONS) -> list[int]:
        """Apply pending migrations in order; returns the versions applied."""
        check_registry(migrations)
        self._prepare()
        refuse_newer(self._applied(), migrations, self._where)
        return [m.version for m in migrations if self._apply_one(m)]

    def _prepare(self) -> None:
        """Refuse a foreign store, and create the tracking table (and what holds it)."""
        raise NotImplementedError

    def _exclusive(self) -> AbstractContextManager[None]:
        """One transaction that no other process migrating this store runs beside."""
        raise NotImplementedError

    def _apply_one(self, migration: Migration) -> bool:
        with self._exclusive():
            if migration.version in self._applied():  # another process got here first
                return False
            for statement in migration.sql(self.DIALECT):
                self._conn.execute(statement)
            record = "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"
            self._conn.execute(
                record.replace("?", self.PARAM),
                (migration.version, migration.name, datetime.now(UTC).isoformat()),
            )
        return True

    def _applied(self) -> set[int]:
        return {row[0] for row in self._conn.execute("SELECT version FROM schema_migrations")}

    def _tables(self) -> set[str]:
        """The tables where this store's would be."""
        raise NotImplementedError

    def _foreign(self) -> StoreError:
        """The error for tables that are not a passport store's."""
        raise NotImplementedError

    def _refuse_foreign(self) -> None:
        names = self._tables()
        if names and "schema_migrations" not in names:
            raise self._foreign()
