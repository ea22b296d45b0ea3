"""`passport store copy` and `passport store migrate`, between SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from click.testing import CliRunner
from pg_cluster import Postgres

from passport.cli import main
from passport.errors import LockError, StoreError
from passport.model import Run, RunCount
from passport.store import BaseEntry, Store, open_store
from passport.store.copy import contents, copy_store

USERS = 2_500


def _url(kind: str, tmp_path: Path, postgres: Postgres | None, name: str) -> str:
    if kind == "sqlite":
        return f"sqlite://{tmp_path / name}.db"
    assert postgres is not None
    return postgres.new_url(name)


@pytest.fixture
def pg(request: pytest.FixtureRequest) -> Postgres | None:
    return request.getfixturevalue("postgres") if "postgresql" in request.node.name else None


def fill(store: Store) -> None:
    with store.transaction() as tx:
        for i in range(USERS):
            key = f"user-{i:05d}" if i % 7 else f"ü-{i}"  # non-ASCII keys sort last
            digest = tx.put(
                "users", key, {"n": str(i), "grades": ["09"]}, f"2026-01-{i % 28 + 1:02d}"
            )
            if i % 2:
                tx.set_base("sis", "users", BaseEntry(key, digest, digest))
            if i % 3 == 0:
                tx.set_base("lms", "users", BaseEntry(key, "agreed", digest, {"n": str(i)}))
        tx.put("orgs", "district", {"name": "District"})
        tx.set_base("sis", "orgs", BaseEntry("district", "d"))
        tx.set_watermark("sis", "users", "2026-03-01T00:00:00Z")
    started = Run("r1", "sis", "import", "2026-03-01T10:00:00Z", "ada", "laptop", "running")
    store.start_run(started)
    store.finish_run(
        dataclasses.replace(
            started,
            status="succeeded",
            duration_s=1.5,
            counts=(RunCount("import", "users", "create", "sch-1", 3),),
            extra={"forced": False},
        )
    )
    store.start_run(Run("r2", "lms", "export", "2026-03-02T10:00:00Z", "ada", "ci", "failed"))


@pytest.mark.parametrize(
    ("source_kind", "target_kind"),
    [("sqlite", "postgresql"), ("postgresql", "sqlite"), ("sqlite", "sqlite")],
)
def test_copy_moves_everything_and_verifies_it(
    source_kind: str, target_kind: str, tmp_path: Path, pg: Postgres | None
) -> None:
    source = open_store(_url(source_kind, tmp_path, pg, "source"))
    target = open_store(_url(target_kind, tmp_path, pg, "target"))
    fill(source)

    copied = copy_store(source, target)

    assert copied == contents(source)
    assert copied.records == {"orgs": 1, "users": USERS}
    assert copied.runs == 2
    assert list(target.scan("users")) == list(source.scan("users"))
    assert list(target.base_scan("lms", "users")) == list(source.base_scan("lms", "users"))
    assert target.runs() == source.runs()
    assert source.locks() == []  # the copy's own locks are gone
    source.close()
    target.close()


def test_copy_refuses_a_target_that_is_not_empty(tmp_path: Path) -> None:
    source, target = open_store(str(tmp_path / "a.db")), open_store(str(tmp_path / "b.db"))
    fill(source)
    with target.transaction() as tx:
        tx.put("users", "someone", {"n": "1"})
    with pytest.raises(StoreError, match="is not empty"):
        copy_store(source, target)


def test_copy_waits_for_no_apply_but_names_it(tmp_path: Path) -> None:
    source, target = open_store(str(tmp_path / "a.db")), open_store(str(tmp_path / "b.db"))
    fill(source)
    held = open_store(str(tmp_path / "a.db")).acquire_lock("sis", "apply")
    with pytest.raises(LockError, match=held.id):
        copy_store(source, target)
    assert target.count("users") == 0


def test_cli_copy_sqlite_to_postgresql_then_plan_there(tmp_path: Path, postgres: Postgres) -> None:
    source = tmp_path / "laptop.db"
    store = open_store(str(source))
    fill(store)
    store.close()
    target = postgres.new_url("team")

    result = CliRunner().invoke(main, ["store", "copy", str(source), target])

    assert result.exit_code == 0, result.output
    assert f"Copied sqlite://{source} to {target} and verified it:" in result.stdout
    assert "users                   2,500 records" in result.stdout
    assert "runs                        2" in result.stdout
    shown = CliRunner().invoke(main, ["history", "--store", target, "--format", "json"])
    assert '"id": "r2"' in shown.stdout


def test_cli_copy_from_nowhere(tmp_path: Path, postgres: Postgres) -> None:
    for source in (str(tmp_path / "missing.db"), postgres.new_url("missing")):
        result = CliRunner().invoke(main, ["store", "copy", source, str(tmp_path / "x.db")])
        assert result.exit_code == 1
        assert "there is no store at" in result.stderr
    assert not (tmp_path / "missing.db").exists()


def test_cli_migrate(postgres: Postgres) -> None:
    url = postgres.new_url()
    first = CliRunner().invoke(main, ["store", "migrate", "--store", url])
    again = CliRunner().invoke(main, ["store", "migrate"], env={"PASSPORT_STORE": url})

    assert first.exit_code == again.exit_code == 0
    assert first.stdout == f"Migrated the store at {url} to schema version 3 (1, 2, 3).\n"
    assert again.stdout == f"The store at {url} is up to date (schema version 3).\n"
