"""The `passport` fixture: the CLI as a user runs it, against one store and one configs folder.

By default the store is a SQLite file. A module or test marked
`@pytest.mark.stores("sqlite", "postgresql")` runs once per store kind; its PostgreSQL
store is a fresh schema in the session's throwaway server (tests/conftest.py).
"""

from __future__ import annotations

from collections.abc import Iterator
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
        if args and args[0] in ("plan", "apply", "history", "unlock"):
            full += ["--store", self.store_url]
        if args and args[0] in ("plan", "apply"):
            full += ["--configs", str(self.configs)]
        result = runner.invoke(main, full, catch_exceptions=False)
        if code is not None:
            assert result.exit_code == code, result.output + result.stderr
        return result

    def open_store(self) -> Store:
        return open_store(self.store_url)

    def state(self) -> Any:
        """What the store holds, to compare before and after: the SQLite file's bytes, or
        every row of every table of the PostgreSQL schema."""
        if not self.on_postgresql:
            return self.store.read_bytes()
        store = self.open_store()
        try:
            conn = store._conn  # type: ignore[attr-defined]
            tables = ("records", "base", "watermarks", "runs", "locks", "schema_migrations")
            return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall()) for t in tables}
        finally:
            store.close()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    marker = metafunc.definition.get_closest_marker("stores")
    if marker is not None and "store_kind" in metafunc.fixturenames:
        metafunc.parametrize("store_kind", marker.args, indirect=True)


@pytest.fixture
def store_kind(request: pytest.FixtureRequest) -> str:
    kind: str = getattr(request, "param", "sqlite")
    return kind


@pytest.fixture
def passport(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest, store_kind: str
) -> Iterator[Passport]:
    monkeypatch.chdir(tmp_path)
    url = request.getfixturevalue("postgres").new_url("e2e") if store_kind == "postgresql" else None
    yield Passport(tmp_path, url)
