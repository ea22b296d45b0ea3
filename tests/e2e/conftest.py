"""The `passport` fixture: the CLI as a user runs it, against one store and one configs folder.

By default the store is a SQLite file. A module or test marked
`@pytest.mark.stores("sqlite", "postgresql")` runs once per store kind; its PostgreSQL
store is a fresh schema in the session's throwaway server (tests/conftest.py, which also
holds the `store_kind` fixture the mark parametrizes).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from passport_cli import Passport


@pytest.fixture
def passport(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest, store_kind: str
) -> Iterator[Passport]:
    monkeypatch.chdir(tmp_path)
    url = request.getfixturevalue("postgres").new_url("e2e") if store_kind == "postgresql" else None
    yield Passport(tmp_path, url)
