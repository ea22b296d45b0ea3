"""The CLI as a user runs it, for end-to-end tests: `Passport` and the both-stores mark.

By default the store is a SQLite file. A module or test marked `BOTH_STORES` runs once
per store kind; its PostgreSQL store is a fresh schema in the session's throwaway server.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from passport.cli import main
from passport.store import Store, open_store

BOTH_STORES = pytest.mark.stores("sqlite", "postgresql")


class Passport:
    """Runs the CLI as a user would, against one store and one configs folder."""

    def __init__(self, root: Path, store_url: str | None = None) -> None:
        self.root = root
        self.store = root / "store.db"  # the store's file when it is SQLite
        self.configs = root / "configs"
        self.store_url = store_url or str(self.store)
        self.on_postgresql = self.store_url.startswith("postgresql:")

    def __call__(self, *args: str, code: int | None = 0) -> Result:
        runner = CliRunner()
        full = list(args)
        if args and args[0] in ("plan", "apply", "history", "unlock", "locks"):
            full += ["--store", self.store_url]
        if args and args[0] in ("plan", "apply"):
            full += ["--configs", str(self.configs)]
        result = runner.invoke(main, full, catch_exceptions=False)
        if code is not None:
            assert result.exit_code == code, result.output + result.stderr
        return result

    def open_store(self) -> Store:
        return open_store(self.store_url)

    def state(self, tables: tuple[str, ...] | None = None) -> Any:
        """What the store holds, to compare before and after: the SQLite file's bytes, or
        every row of every table of the PostgreSQL schema; with `tables`, the rows of
        those tables on either."""
        if not self.on_postgresql and tables is None:
            return self.store.read_bytes()
        if not self.on_postgresql:
            with contextlib.closing(sqlite3.connect(self.store)) as lite:
                return {t: sorted(lite.execute(f"SELECT * FROM {t}").fetchall()) for t in tables}
        store = self.open_store()
        try:
            conn = store._conn  # type: ignore[attr-defined]
            tables = tables or (
                "records",
                "base",
                "watermarks",
                "runs",
                "locks",
                "schema_migrations",
            )
            return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall()) for t in tables}
        finally:
            store.close()
