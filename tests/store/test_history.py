"""Runs (the history) and activation locks within one process."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from pg_cluster import Postgres

from passport.errors import LockError, StoreError
from passport.model import LockInfo, Run, RunCount, RunError
from passport.store import Store, open_store
from passport.store.locking import new_lock
from passport.store.postgres import PostgresStore


def _run(id_: str, started: str, activation: str = "canvas", **changes: object) -> Run:
    run = Run(
        id=id_,
        activation=activation,
        mode="two-way",
        started_at=started,
        user="ada",
        host="laptop",
        status="running",
        plan_checksum="sha256:abc",
    )
    return dataclasses.replace(run, **changes)  # type: ignore[arg-type]


# --- runs ---------------------------------------------------------------------------


def test_a_run_round_trips_from_start_to_finish(store: Store) -> None:
    started = _run("r1", "2026-03-01T10:00:00+00:00", git_commit="deadbeef")
    store.start_run(started)
    assert store.run("r1") == started

    finished = dataclasses.replace(
        started,
        status="partial",
        finished_at="2026-03-01T10:00:07+00:00",
        duration_s=7.25,
        counts=(
            RunCount("import", "users", "create", "lincoln-high", 12),
            RunCount("export", "classes", "update", "", 3),
        ),
        errors=(RunError("users", "u9", "update", "HTTP 422: bad email", "export"),),
        message="1 record failed",
        extra={"forced": True, "thresholds": {"max_delete": "10%"}},
    )
    store.finish_run(finished)

    assert store.run("r1") == finished
    assert store.runs() == [finished]


def test_runs_are_newest_first_and_filter_by_activation(store: Store) -> None:
    store.start_run(_run("a", "2026-03-01T10:00:00+00:00"))
    store.start_run(_run("c", "2026-03-03T10:00:00+00:00"))
    store.start_run(_run("b", "2026-03-02T10:00:00+00:00", activation="clever"))

    assert [r.id for r in store.runs()] == ["c", "b", "a"]
    assert [r.id for r in store.runs("canvas")] == ["c", "a"]
    assert [r.id for r in store.runs("clever")] == ["b"]
    assert [r.id for r in store.runs(limit=1)] == ["c"]
    assert store.runs("nobody") == []


def test_run_by_unique_prefix(store: Store) -> None:
    store.start_run(_run("7f3a9c01", "2026-03-01T10:00:00+00:00"))
    store.start_run(_run("7f3b0000", "2026-03-02T10:00:00+00:00"))
    store.start_run(_run("7f3", "2026-03-03T10:00:00+00:00"))

    assert store.run("7f3a")
    assert store.run("7f3a").id == "7f3a9c01"  # type: ignore[union-attr]
    assert store.run("7f3").id == "7f3"  # type: ignore[union-attr]  # exact id wins
    assert store.run("8") is None
    assert store.run("") is None
    with pytest.raises(StoreError, match="ambiguous"):
        store.run("7f")


def test_a_run_id_is_recorded_once(store: Store) -> None:
    store.start_run(_run("r1", "2026-03-01T10:00:00+00:00"))
    with pytest.raises(StoreError, match="already recorded"):
        store.start_run(_run("r1", "2026-03-01T11:00:00+00:00"))


def test_runs_are_seen_by_another_connection(store: Store, reopen: Callable[[], Store]) -> None:
    store.start_run(_run("r1", "2026-03-01T10:00:00+00:00"))
    assert [r.id for r in reopen().runs()] == ["r1"]


# --- locks --------------------------------------------------------------------------


def test_lock_round_trip(store: Store) -> None:
    lock = store.acquire_lock("canvas", "apply")

    assert len(lock.id) == 32
    assert lock.activation == "canvas"
    assert lock.operation == "apply"
    assert lock.owner == f"{lock.owner.split('@')[0]}@{lock.host}"
    assert lock.stale_replaced is None
    assert store.locks() == [lock]

    store.release_lock(lock)
    assert store.locks() == []
    store.release_lock(lock)  # already gone: fine


def test_one_lock_per_activation(store: Store, reopen: Callable[[], Store]) -> None:
    held = store.acquire_lock("canvas", "apply")
    other = store.acquire_lock("clever", "apply")

    with pytest.raises(LockError) as caught:
        reopen().acquire_lock("canvas", "apply", timeout_s=0.3)

    assert held.describe() in caught.value.reason
    assert f"passport unlock canvas --id {held.id}" in (caught.value.hint or "")
    assert {lock.activation for lock in store.locks()} == {"canvas", "clever"}
    store.release_lock(other)


def test_force_unlock_needs_the_right_id(store: Store) -> None:
    held = store.acquire_lock("canvas", "apply")

    with pytest.raises(LockError) as caught:
        store.force_unlock("canvas", "0" * 32)
    assert held.describe() in caught.value.reason
    assert held.id in (caught.value.hint or "")

    assert store.force_unlock("canvas", held.id) == held
    assert store.locks() == []
    with pytest.raises(LockError, match="not locked"):
        store.force_unlock("canvas", held.id)


def test_an_expired_lock_is_replaced(store: Store) -> None:
    expired = dataclasses.replace(
        new_lock("canvas", "apply"), pid=1, host="elsewhere", expires_at="2000-01-01T00:00:00Z"
    )
    _plant(store, expired)

    lock = store.acquire_lock("canvas", "apply")
    assert lock.stale_replaced == expired
    assert store.locks() == [lock]


def test_a_live_holder_on_another_host_is_never_replaced(store: Store) -> None:
    remote = dataclasses.replace(
        new_lock("canvas", "apply"), owner="ada@elsewhere", host="elsewhere", pid=999_999
    )
    with _planted(store, remote, live=True), pytest.raises(LockError, match="elsewhere"):
        store.acquire_lock("canvas", "apply")


def test_postgresql_replaces_a_row_whose_session_is_gone(postgres: Postgres) -> None:
    """The database is the judge: no session holds the lock, so its holder is dead, even
    on another host with a pid that may well be alive there."""
    store = open_store(postgres.new_url())
    remote = dataclasses.replace(
        new_lock("canvas", "apply"), owner="ada@elsewhere", host="elsewhere", pid=1
    )
    _plant(store, remote)

    lock = store.acquire_lock("canvas", "apply")
    assert lock.stale_replaced == remote
    assert store.locks() == [lock]
    store.close()


def test_a_holder_whose_pid_is_gone_is_replaced(store: Store) -> None:
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    dead = dataclasses.replace(new_lock("canvas", "apply"), pid=int(child.stdout))
    _plant(store, dead)

    lock = store.acquire_lock("canvas", "apply")
    assert lock.stale_replaced == dead
    assert "pid" in lock.stale_replaced.describe()
    assert store.locks() == [lock]


def test_locks_stay_out_of_data_transactions(store: Store) -> None:
    with store.transaction(), pytest.raises(StoreError, match="inside a store transaction"):
        store.acquire_lock("canvas", "apply")


def test_one_transaction_at_a_time(store: Store) -> None:
    with store.transaction(), pytest.raises(StoreError, match="already open"):
        store.transaction().__enter__()


def _plant(store: Store, lock: LockInfo) -> None:
    """Put a lock row in place as a process that is gone would have left it."""
    from passport.store.rows import LOCK_COLUMNS, LOCKS, lock_row
    from passport.store.writes import SqlWrites

    assert isinstance(store, SqlWrites)
    marks = ", ".join([store.PARAM] * len(LOCK_COLUMNS))
    store._conn.execute(f"INSERT INTO locks ({LOCKS}) VALUES ({marks})", lock_row(lock))


@contextmanager
def _planted(store: Store, lock: LockInfo, *, live: bool) -> Iterator[None]:
    """As `_plant`; with `live`, a PostgreSQL session holds the lock as its holder would."""
    _plant(store, lock)
    if not (live and isinstance(store, PostgresStore)):
        yield
        return
    from passport.store.postgres.connection import connect
    from passport.store.postgres.locks import APP_PREFIX, lock_key

    session = connect(store._location, application_name=APP_PREFIX + lock.id)
    try:
        session.execute("SELECT pg_advisory_lock(%s)", (lock_key(store.schema, "canvas"),))
        yield
    finally:
        session.close()
