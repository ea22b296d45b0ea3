"""The store: open one by URL. Backend selection lives here and nowhere else."""

from __future__ import annotations

from pathlib import Path

from passport.errors import StoreError
from passport.store.base import (
    BaseEntry,
    LockInfo,
    Run,
    RunCount,
    RunError,
    Store,
    StoredRecord,
    StoreTransaction,
)
from passport.store.location import ENV_VAR, Location, resolve

__all__ = [
    "ENV_VAR",
    "BaseEntry",
    "LockInfo",
    "Run",
    "RunCount",
    "RunError",
    "Store",
    "StoreTransaction",
    "StoredRecord",
    "open_store",
]


def open_store(url: str | None = None, *, base_dir: Path | None = None) -> Store:
    """Open (creating and migrating as needed) the store at `url`.

    `url` if given, else $PASSPORT_STORE, else `.passport/store.db` under `base_dir`
    (default: the current directory). Relative paths resolve against `base_dir` too.
    """
    location = resolve(url, base_dir=base_dir)
    return _open(location)


def _open(location: Location) -> Store:
    if location.backend == "sqlite":
        from passport.store.sqlite import SQLiteStore

        return SQLiteStore(location.path, location.url, create_folder=location.is_default)
    if location.backend == "postgresql":
        raise StoreError(
            f"the PostgreSQL store is not available in this version ({location.url})",
            "use a SQLite file for now: --store path/to/store.db or PASSPORT_STORE",
        )
    raise StoreError(f"unknown store backend {location.backend!r}")
