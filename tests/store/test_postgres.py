"""What only the PostgreSQL store has: connecting, schemas, migrations, its lock sessions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from pg_cluster import Postgres

from passport.errors import LockError, StoreError
from passport.store import BaseEntry, open_store
from passport.store.location import resolve
from passport.store.migrations import MIGRATIONS, Migration
from passport.store.postgres import PostgresStore

Admin = psycopg.Connection[tuple[object, ...]]


@pytest.fixture
def url(postgres: Postgres) -> str:
    return postgres.new_url()


@pytest.fixture
def admin(postgres: Postgres) -> Iterator[Admin]:
    with postgres.cluster.connect() as conn:
        yield conn


# --- connecting ---------------------------------------------------------------------


def test_the_password_comes_from_an_env_reference(
    postgres: Postgres, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PGPASSWORD")
    monkeypatch.setenv("DISTRICT_PG_PASSWORD", postgres.cluster.password)
    url = postgres.new_url().replace("passport@", "passport:${env:DISTRICT_PG_PASSWORD}@")
    store = open_store(url)
    assert postgres.cluster.password not in store.url
    assert "passport:***@" in store.url
    store.close()


def test_the_password_comes_from_a_file_reference(
    postgres: Postgres, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("PGPASSWORD")
    monkeypatch.setenv("PASSPORT_SECRETS_DIR", str(tmp_path))  # a file secret is confined
    secret = tmp_path / "pg-password"
    secret.write_text(postgres.cluster.password + "\n")
    url = postgres.new_url().replace("passport@", f"passport:${{file:{secret}}}@")
    open_store(url).close()


def test_a_wrong_password_is_reported_without_it(
    postgres: Postgres, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PGPASSWORD", "not-the-password-x9")
    with pytest.raises(StoreError) as caught:
        open_store(postgres.new_url())
    text = caught.value.reason + (caught.value.hint or "")
    assert "password authentication failed" in caught.value.reason
    assert "not-the-password-x9" not in text
    assert "PGPASSWORD" in (caught.value.hint or "")


def test_a_missing_password_reference_is_named(
    postgres: Postgres, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_SUCH_PG_PASSWORD", raising=False)
    url = postgres.new_url().replace("passport@", "passport:${env:NO_SUCH_PG_PASSWORD}@")
    with pytest.raises(StoreError, match="NO_SUCH_PG_PASSWORD is not set"):
        open_store(url)


def test_a_server_that_is_not_there(postgres: Postgres) -> None:
    url = postgres.new_url().replace(f":{postgres.cluster.port}/", ":1/")
    with pytest.raises(StoreError) as caught:
        open_store(url + "&connect_timeout=3")
    assert caught.value.reason.startswith("cannot connect to the store at postgresql://")
    assert "server runs" in (caught.value.hint or "")


# --- schemas and migrations -----------------------------------------------------------


def test_two_schemas_are_two_stores(postgres: Postgres) -> None:
    a, b = open_store(postgres.url("district_a")), open_store(postgres.url("district_b"))
    with a.transaction() as tx:
        tx.put("users", "u1", {"n": "a"})
    lock_a = a.acquire_lock("canvas", "apply")
    lock_b = b.acquire_lock("canvas", "apply")  # the same activation name, another district

    assert b.count("users") == 0
    assert [lock.id for lock in a.locks()] == [lock_a.id]
    assert [lock.id for lock in b.locks()] == [lock_b.id]
    a.close()
    b.close()


def test_migrations_are_applied_once_and_say_so(url: str) -> None:
    said: list[str] = []
    open_store(url, notice=said.append).close()
    open_store(url, notice=said.append).close()

    assert len(said) == 1
    assert said[0].startswith("passport: created the store schema at postgresql://")
    assert "migrations 1, 2, 3 applied" in said[0]


def test_a_new_migration_is_applied_and_a_failing_one_leaves_nothing(url: str) -> None:
    location = resolve(url)
    PostgresStore(location).close()
    bad = Migration(len(MIGRATIONS) + 1, "bad", ("CREATE TABLE half (id TEXT)", "NOT SQL"))
    with pytest.raises(StoreError):
        PostgresStore(location, migrations=(*MIGRATIONS, bad))
    good = Migration(len(MIGRATIONS) + 1, "notes", ("CREATE TABLE notes (id TEXT)",))
    newer = PostgresStore(location, migrations=(*MIGRATIONS, good))
    newer.close()
    assert newer.migrated == [good.version]

    with pytest.raises(StoreError) as caught:
        open_store(url)
    assert f"schema version {good.version}" in caught.value.reason


def test_a_schema_of_something_else_is_refused(url: str, admin: Admin) -> None:
    schema = resolve(url).schema
    admin.execute(f"CREATE SCHEMA {schema}")
    admin.execute(f"CREATE TABLE {schema}.invoices (id int)")
    with pytest.raises(StoreError, match="not a passport store"):
        open_store(url)


def test_key_columns_sort_by_code_point(url: str, admin: Admin) -> None:
    open_store(url).close()
    schema = resolve(url).schema
    rows = admin.execute(
        "SELECT table_name, column_name, collation_name FROM information_schema.columns "
        "WHERE table_schema = %s AND column_name IN ('key', 'entity', 'activation')",
        (schema,),
    ).fetchall()
    assert rows and {row[2] for row in rows} == {"C"}


# --- scans --------------------------------------------------------------------------


def test_scans_stream_side_by_side_and_see_what_was_committed_when_they_began(url: str) -> None:
    store = open_store(url)
    with store.transaction() as tx:
        for i in range(12_000):
            tx.put("users", f"u{i:05d}", {"n": str(i)})
            tx.set_base("canvas", "users", BaseEntry(f"u{i:05d}", "d"))
    records, bases = store.scan("users"), store.base_scan("canvas", "users")
    pairs = 0
    for record, base in zip(records, bases, strict=True):
        assert record.key == base.key
        if pairs == 10:  # a write while both scans are open
            with store.transaction() as tx:
                tx.put("users", "u00000", {"n": "changed"})
        pairs += 1

    assert pairs == 12_000
    assert store.get("users", ["u00000"])["u00000"].fields == {"n": "changed"}
    store.close()


# --- locks --------------------------------------------------------------------------


def test_closing_the_store_lets_its_locks_go(url: str) -> None:
    first, second = open_store(url), open_store(url)
    first.acquire_lock("canvas", "apply")
    first.close()

    lock = second.acquire_lock("canvas", "apply")
    assert lock.stale_replaced is not None  # its row stayed; the database let the lock go
    second.close()


def test_force_unlock_ends_the_holders_session(url: str) -> None:
    holder, other = open_store(url), open_store(url)
    held = holder.acquire_lock("canvas", "apply")

    assert other.force_unlock("canvas", held.id) == held
    assert other.locks() == []
    again = other.acquire_lock("canvas", "apply", timeout_s=5)
    assert again.stale_replaced is None
    with pytest.raises(LockError, match=again.id):
        holder.acquire_lock("canvas", "apply")
    holder.close()
    other.close()


def test_a_missing_database_is_named(postgres: Postgres) -> None:
    with pytest.raises(StoreError) as caught:
        open_store(postgres.new_url().replace("/passport?", "/nowhere?"))
    assert 'database "nowhere" does not exist' in caught.value.reason
    assert "createdb" in (caught.value.hint or "")


def test_an_unknown_user_is_named(postgres: Postgres) -> None:
    with pytest.raises(StoreError) as caught:
        open_store(postgres.new_url().replace("passport@", "nobody@"))
    assert caught.value.reason.startswith("cannot connect to the store at postgresql://nobody@")
    assert "password" in caught.value.reason  # the server does not say the role is unknown
    assert "check the user and its password" in (caught.value.hint or "")


def test_a_user_without_rights_is_told_what_to_grant(postgres: Postgres, admin: Admin) -> None:
    # A user that may log in but not create a schema (PUBLIC may not, by default): no DBA
    # has set the store up for it.
    admin.execute("DROP ROLE IF EXISTS clerk")
    admin.execute(
        psycopg.sql.SQL("CREATE ROLE clerk LOGIN PASSWORD {}").format(
            psycopg.sql.Literal(postgres.cluster.password)
        )
    )
    try:
        with pytest.raises(StoreError) as caught:
            open_store(postgres.new_url().replace("passport@", "clerk@"))
    finally:
        admin.execute("DROP ROLE clerk")
    assert caught.value.reason.startswith("the database refused an operation on the store at")
    assert "permission denied" in caught.value.reason
    assert "grant the store's user" in (caught.value.hint or "")


def test_a_lost_connection_is_named(url: str, admin: Admin) -> None:
    store = open_store(url)
    assert isinstance(store, PostgresStore)
    admin.execute("SELECT pg_terminate_backend(%s)", (store._conn.info.backend_pid,))
    with pytest.raises(StoreError) as caught:
        store.count("users")
    assert caught.value.reason.startswith(f"lost the connection to the store at {url}")
    assert "check the server and the network" in (caught.value.hint or "")
    store.close()
