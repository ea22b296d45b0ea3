"""The SQLite backend: one file (or memory), WAL, one writer at a time."""

from __future__ import annotations

from passport.store.sqlite.store import SQLiteStore

__all__ = ["SQLiteStore"]
