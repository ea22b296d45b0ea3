"""Opening a store: URL, env and default resolution; migrations; bad paths as StoreErrors."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from passport.errors import StoreError
from passport.store import open_store
from passport.store.location import redact, resolve
from passport.store.migrations import MIGRATIONS, Migration
from passport.store.sqlite import SQLiteStore


@pytest.fixture(autouse=True)
def _no_env_store(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PASSPORT_STORE", raising=False)


# --- where the store is -------------------------------------------------------------


def test_default_is_dot_passport_under_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = open_store()
    store.close()

    assert (tmp_path / ".passport" / "store.db").is_file()
    assert store.url == f"sqlite://{tmp_path}/.passport/store.db"


def test_default_under_base_dir(tmp_path: Path) -> None:
    open_store(base_dir=tmp_path).close()
    assert (tmp_path / ".passport" / "store.db").is_file()


def test_env_var_is_used_when_no_url_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PASSPORT_STORE", str(tmp_path / "env.db"))
    open_store().close()
    open_store(str(tmp_path / "arg.db")).close()

    assert (tmp_path / "env.db").is_file()
    assert (tmp_path / "arg.db").is_file()
    assert not (tmp_path / ".passport").exists()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("store.db", "base/store.db"),
        ("sub/store.db", "base/sub/store.db"),
        ("sqlite:rel/store.db", "base/rel/store.db"),
        ("sqlite:///abs/store.db", "/abs/store.db"),
        ("/abs/plain.db", "/abs/plain.db"),
        ("sub/../store.db", "base/store.db"),
    ],
)
def test_url_forms(url: str, expected: str) -> None:
    location = resolve(url, base_dir=Path("/base"))
    assert location.backend == "sqlite"
    assert location.path == Path("/" + expected.removeprefix("/"))
    assert location.url == f"sqlite://{location.path}"


def test_sqlite_url_round_trips_through_store_url(tmp_path: Path) -> None:
    store = open_store(f"sqlite:{os.path.relpath(tmp_path / 'x.db')}")
    store.close()
    again = open_store(store.url)
    again.close()
    assert again.url == store.url == f"sqlite://{tmp_path / 'x.db'}"


def test_memory_store() -> None:
    store = open_store(":memory:")
    with store.transaction() as tx:
        tx.put("users", "u1", {"a": "b"})
    assert store.count("users") == 1
    store.close()


def test_a_plain_password_in_a_postgresql_url_is_refused_and_never_shown() -> None:
    for url in (
        "postgresql://admin:s3cret@db.example.org:5432/passport",
        "postgresql://admin@db.example.org/passport?password=s3cret",
    ):
        with pytest.raises(StoreError) as caught:
            open_store(url)
        error = caught.value
        assert "holds a password in plain text" in error.reason
        assert "s3cret" not in error.reason + (error.hint or "")
        assert "${env:NAME}" in (error.hint or "") and "PGPASSWORD" in (error.hint or "")
    assert "admin:***@db.example.org:5432" in _refused_reason(
        "postgresql://admin:s3cret@db.example.org:5432/passport"
    )


def _refused_reason(url: str) -> str:
    with pytest.raises(StoreError) as caught:
        open_store(url)
    return caught.value.reason


@pytest.mark.parametrize(
    ("url", "dsn", "schema", "shown"),
    [
        (
            "postgresql://ada@db:5432/roster",
            "postgresql://ada@db:5432/roster",
            "passport",
            "postgresql://ada@db:5432/roster?schema=passport",
        ),
        (
            "postgres://ada@db/roster?schema=district_a&sslmode=require",
            "postgresql://ada@db/roster?sslmode=require",
            "district_a",
            "postgresql://ada@db/roster?schema=district_a&sslmode=require",
        ),
        (
            "postgresql:///roster?host=/run/postgresql&schema=s&options=-c%20search_path%3Dx",
            "postgresql:///roster?host=/run/postgresql&options=-c%20search_path%3Dx",
            "s",
            "postgresql:///roster?schema=s&host=/run/postgresql&options=-c%20search_path%3Dx",
        ),
        (
            "postgresql://ada:${env:PG_PASS}@db/roster",
            "postgresql://ada@db/roster",
            "passport",
            "postgresql://ada:***@db/roster?schema=passport",
        ),
        (
            "postgresql://ada:${file:/run/secrets/pg}@db/roster?schema=b",
            "postgresql://ada@db/roster",
            "b",
            "postgresql://ada:***@db/roster?schema=b",
        ),
    ],
)
def test_postgresql_url_forms(url: str, dsn: str, schema: str, shown: str) -> None:
    location = resolve(url)
    assert location.backend == "postgresql"
    assert (location.dsn, location.schema, location.url) == (dsn, schema, shown)
    assert location.password_ref == (url.split(":", 2)[2].split("@")[0] if "${" in url else "")


@pytest.mark.parametrize("schema", ["District", "1st", "a-b", "x" * 64, ""])
def test_a_bad_schema_name_is_refused(schema: str) -> None:
    with pytest.raises(StoreError, match="not a usable schema name"):
        resolve(f"postgresql://ada@db/roster?schema={schema}")


def test_redact() -> None:
    assert redact("postgresql://u:p@h/db") == "postgresql://u:***@h/db"
    assert redact("postgresql://h/db") == "postgresql://h/db"


def test_unknown_scheme() -> None:
    with pytest.raises(StoreError, match="unknown store URL scheme 'mysql'"):
        open_store("mysql://u:p@h/db")


# --- files that cannot be a store ---------------------------------------------------


def _refused(url: str) -> StoreError:
    with pytest.raises(StoreError) as caught:
        open_store(url)
    assert caught.value.hint
    return caught.value


def test_a_folder_is_not_a_store(tmp_path: Path) -> None:
    error = _refused(str(tmp_path))
    assert str(tmp_path) in error.reason
    assert "is a folder" in error.reason


def test_a_missing_folder_is_not_created_for_an_explicit_path(tmp_path: Path) -> None:
    error = _refused(str(tmp_path / "nope" / "store.db"))
    assert "does not exist" in error.reason
    assert not (tmp_path / "nope").exists()


def test_a_file_in_place_of_the_folder(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    error = _refused(str(tmp_path / "file" / "store.db"))
    assert "is not a folder" in error.reason


def test_default_folder_that_cannot_be_created(tmp_path: Path) -> None:
    (tmp_path / ".passport").write_text("a file where the folder goes")
    with pytest.raises(StoreError) as caught:
        open_store(base_dir=tmp_path)
    assert ".passport" in caught.value.reason


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_an_unwritable_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        error = _refused(str(folder / "store.db"))
    finally:
        folder.chmod(0o700)
    assert str(folder / "store.db") in error.reason


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("users,classes\n" * 1000)
    error = _refused(str(path))
    assert error.reason == f"{path} is not a SQLite database"


def test_a_database_of_something_else(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER)")
    conn.close()
    error = _refused(str(path))
    assert "not a passport store" in error.reason


def test_a_damaged_database(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    store = open_store(str(path))
    with store.transaction() as tx:
        for i in range(3000):
            tx.put("users", f"u{i:05d}", {"givenName": "x" * 50})
    store.close()
    data = bytearray(path.read_bytes())
    data[4096 * 2 : 4096 * 6] = b"\xff" * (4096 * 4)  # clobber pages past the header
    path.write_bytes(bytes(data))

    with pytest.raises(StoreError) as caught:
        broken = open_store(str(path))
        try:
            list(broken.scan("users"))
        finally:
            broken.close()
    assert str(path) in caught.value.reason
    assert "damaged" in caught.value.reason
    assert ".recover" in (caught.value.hint or "")


# --- migrations ---------------------------------------------------------------------


def _versions(path: Path) -> list[int]:
    conn = sqlite3.connect(path)
    try:
        return [row[0] for row in conn.execute("SELECT version FROM schema_migrations")]
    finally:
        conn.close()


def test_migrations_are_applied_once_and_recorded(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    first = SQLiteStore(path, "first")
    second = SQLiteStore(path, "second")
    first.close()
    second.close()

    assert first.migrated == [m.version for m in MIGRATIONS]
    assert second.migrated == []
    assert _versions(path) == [m.version for m in MIGRATIONS]


def test_a_new_migration_is_applied_on_open(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    SQLiteStore(path, "old").close()
    extra = Migration(len(MIGRATIONS) + 1, "notes", ("CREATE TABLE notes (id TEXT)",))

    newer = SQLiteStore(path, "new", migrations=(*MIGRATIONS, extra))
    newer.close()

    assert newer.migrated == [extra.version]
    assert _versions(path)[-1] == extra.version


def test_a_failing_migration_leaves_nothing_behind(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    SQLiteStore(path, "old").close()
    bad = Migration(len(MIGRATIONS) + 1, "bad", ("CREATE TABLE half (id TEXT)", "THIS IS NOT SQL"))

    with pytest.raises(StoreError):
        SQLiteStore(path, "new", migrations=(*MIGRATIONS, bad))

    conn = sqlite3.connect(path)
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    assert "half" not in tables
    assert _versions(path) == [m.version for m in MIGRATIONS]


def test_a_store_newer_than_the_code_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    extra = Migration(len(MIGRATIONS) + 1, "future", ("CREATE TABLE future (id TEXT)",))
    SQLiteStore(path, "new", migrations=(*MIGRATIONS, extra)).close()

    with pytest.raises(StoreError) as caught:
        open_store(str(path))
    assert f"schema version {extra.version}" in caught.value.reason
    assert "upgrade passport" in (caught.value.hint or "")
