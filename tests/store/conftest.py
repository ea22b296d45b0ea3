"""The `store` fixture runs every store test against each backend.

PostgreSQL stores live in the session's throwaway server (tests/conftest.py), one fresh
schema per test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pg_cluster import Postgres

from passport.store import Store, open_store

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite://{tmp_path / 'store.db'}"
    postgres: Postgres = request.getfixturevalue("postgres")
    return postgres.new_url()


@pytest.fixture
def reopen(store_url: str) -> Iterator[Callable[[], Store]]:
    """Open another connection to the same store (closed at the end of the test)."""
    opened: list[Store] = []

    def _open() -> Store:
        opened.append(open_store(store_url))
        return opened[-1]

    yield _open
    for each in opened:
        each.close()


@pytest.fixture
def store(reopen: Callable[[], Store]) -> Store:
    return reopen()
