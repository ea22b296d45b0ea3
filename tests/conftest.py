"""Fixtures shared by every test folder: a throwaway PostgreSQL server for the session.

The server starts only when a test asks for it, once per session, and stops at the end.
A missing PostgreSQL fails those tests (it never skips them): CI installs the server
from .ci/apt-packages, and a developer installs it the same way.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pg_cluster
import pytest
from pg_cluster import Postgres


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "stores(*kinds): run an end-to-end test once per store kind (its `store_kind`)"
    )


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    try:
        cluster = pg_cluster.start()
    except pg_cluster.Unavailable as exc:
        pytest.fail(f"PostgreSQL is needed for this test: {exc}", pytrace=False)
    saved = os.environ.get("PGPASSWORD")
    os.environ.update(cluster.environ())  # libpq's own mechanism, inherited by children
    try:
        yield Postgres(cluster)
    finally:
        if saved is None:
            os.environ.pop("PGPASSWORD", None)
        else:
            os.environ["PGPASSWORD"] = saved
        cluster.stop()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    marker = metafunc.definition.get_closest_marker("stores")
    if marker is not None and "store_kind" in metafunc.fixturenames:
        metafunc.parametrize("store_kind", marker.args, indirect=True)


@pytest.fixture
def store_kind(request: pytest.FixtureRequest) -> str:
    """ "sqlite" unless a `stores` mark parametrizes it."""
    kind: str = getattr(request, "param", "sqlite")
    return kind


@pytest.fixture
def store_url(request: pytest.FixtureRequest, store_kind: str) -> str | None:
    """The store the CLI is given: None (a SQLite file in the test's folder) or a fresh
    schema in the session's PostgreSQL server."""
    if store_kind != "postgresql":
        return None
    url: str = request.getfixturevalue("postgres").new_url("cli")
    return url
