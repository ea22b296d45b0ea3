"""The store: open one by URL. Backend selection lives here and nowhere else.

The interface and what both backends share sit here (`base`, `reads`, `writes`,
`translate`, `buffered`, `rows`, `locking`, `migrations`, `location`, `copy`); each
backend is a package of its own, `sqlite/` and `postgres/`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from passport.errors import StoreError
from passport.store.base import BaseEntry, Store, StoredRecord, StoreTransaction
from passport.store.location import ENV_VAR, Location, resolve

__all__ = [
    "ENV_VAR",
    "BaseEntry",
    "Store",
    "StoreTransaction",
    "StoredRecord",
    "migrated_message",
    "open_store",
]


def open_store(
    url: str | None = None,
    *,
    base_dir: Path | None = None,
    notice: Callable[[str], None] | None = None,
    create: bool = True,
) -> Store:
    """Open (creating and migrating as needed) the store at `url`.

    `url` if given, else $PASSPORT_STORE, else `.passport/store.db` under `base_dir`
    (default: the current directory). Relative paths resolve against `base_dir` too.
    `notice` is told, in a sentence, when opening changed the store's schema: always for
    PostgreSQL (tables appear in a shared database), and for SQLite when an existing
    file was upgraded (a new file is just created). With `create=False` a store that
    does not exist yet is a StoreError instead.
    """
    location = resolve(url, base_dir=base_dir)
    store, migrated, fresh = _open(location, create)
    if notice is not None and migrated and (location.backend == "postgresql" or not fresh):
        notice(migrated_message(store.url, migrated, fresh))
    return store


def migrated_message(url: str, migrated: list[int], fresh: bool) -> str:
    versions = ", ".join(str(v) for v in migrated)
    done = "created the store schema" if fresh else "upgraded the store schema"
    return f"passport: {done} at {url} (migrations {versions} applied)"


def _open(location: Location, create: bool) -> tuple[Store, list[int], bool]:
    """The store, the migrations just applied, and whether it was new."""
    if not create and location.path is not None and not location.path.exists():
        raise StoreError(f"there is no store at {location.url}", "check the path for a typo")
    if location.backend == "sqlite":
        from passport.store.sqlite import SQLiteStore

        lite = SQLiteStore(location.path, location.url, create_folder=location.is_default)
        return lite, lite.migrated, lite.migrated[:1] == [1]
    if location.backend == "postgresql":
        from passport.store.postgres import PostgresStore

        pg = PostgresStore(location, create=create)
        return pg, pg.migrated, pg.migrated[:1] == [1]
    raise StoreError(f"unknown store backend {location.backend!r}")
