"""Nothing lost: an apply SIGKILLed at any point leaves a store that re-plans exactly.

Each case copies a store holding yesterday's district, applies today's bundle in a child
process that is killed at the Nth apply checkpoint (tests/support/killing_passport.py, see
passport.apply.Checkpoint) or after a random delay, then plans and applies to completion.
The final store (records and base) and the exported bundle must equal a clean run's.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from district_files import add_lms, district, edit_csv, read_rows
from pg_cluster import Postgres

from passport.connectors.oneroster_csv.snapshot import CsvSnapshot
from passport.oneroster import ENTITIES
from passport.store import open_store
from passport.store.copy import copy_store

SUPPORT = Path(__file__).resolve().parents[1] / "support"
State = tuple[list[tuple[str, str, str]], list[tuple[str, str, str, str]]]


def passport(
    root: Path, store: Path | str, *args: str, kill_after: int | None = None, wait: bool = True
) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    program = ["passport"]
    if kill_after is not None:
        program = ["killing_passport", str(kill_after)]
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SUPPORT), env.get("PYTHONPATH")]))
    cmd = [
        sys.executable,
        "-m",
        *program,
        *args,
        "--store",
        str(store),
        "--configs",
        str(root / "configs"),
    ]
    child = subprocess.Popen(cmd, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if wait:
        child.wait(timeout=120)
    return child


def state(store: Path | str) -> State:
    if str(store).startswith("postgresql:"):
        return _pg_state(str(store))
    with sqlite3.connect(store) as db:
        records = db.execute("SELECT entity, key, digest FROM records ORDER BY 1, 2").fetchall()
        base = db.execute(
            "SELECT activation, entity, key, digest FROM base ORDER BY 1, 2, 3"
        ).fetchall()
    return records, base


def _pg_state(url: str) -> State:
    """As `state`, read through the store interface (scans sort like SQLite's ORDER BY)."""
    store = open_store(url)
    try:
        entities = store.entities()
        records = [(e, r.key, r.digest) for e in entities for r in store.scan(e)]
        base = [
            (a, e, row[0], row[1])
            for a in store.activations()
            for e in entities
            for row in store.base_digests(a, e)
        ]
        return records, base
    finally:
        store.close()


def bundle_state(path: Path) -> dict[str, list[tuple[str, dict[str, object]]]]:
    snap = CsvSnapshot(path, list(ENTITIES))
    try:
        return {e: sorted((r.key, dict(r.fields)) for r in snap.read(e)) for e in ENTITIES}
    finally:
        snap.close()


def next_day(bundle: Path) -> None:
    """Change, add and remove users and enrollments, keeping references whole."""
    users = read_rows(bundle / "users.csv")
    removed = {u["sourcedId"] for i, u in enumerate(users) if i % 11 == 5}
    template = users[3]
    edit_csv(
        bundle / "users.csv",
        lambda rows: (
            [
                dict(r, grades="12") if i % 7 == 0 else r
                for i, r in enumerate(rows)
                if r["sourcedId"] not in removed
            ]
            + [dict(template, sourcedId=f"new-{n}", username=f"new{n}") for n in range(15)]
        ),
    )
    edit_csv(
        bundle / "demographics.csv", lambda rows: [r for r in rows if r["sourcedId"] not in removed]
    )
    edit_csv(
        bundle / "enrollments.csv",
        lambda rows: [
            dict(r, endDate="2026-06-01") if i % 9 == 0 else r
            for i, r in enumerate(rows)
            if i % 13 != 4 and r["userSourcedId"] not in removed
        ],
    )


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("kill")
    configs = district(root, users=120)
    add_lms(configs, root / "lms-bundle")
    # safety would hold the next day's deletes of a small district: loosen it here
    sis = configs / "sis.yaml"
    sis.write_text(sis.read_text().replace("max_delete: 10%", "max_delete: 50%"))
    lms = configs / "lms.yaml"
    lms.write_text(lms.read_text() + "safety:\n  max_delete: 50%\n")
    day1 = root / "store-day1.db"
    assert passport(root, day1, "apply", "sis", "--yes").returncode == 0
    assert passport(root, day1, "apply", "lms", "--yes").returncode == 0
    shutil.copytree(root / "lms-bundle", root / "lms-day1")
    next_day(root / "sis-bundle")
    clean = root / "store-clean.db"
    shutil.copy(day1, clean)
    assert passport(root, clean, "apply", "sis", "--yes").returncode == 0
    assert passport(root, clean, "apply", "lms", "--yes").returncode == 0
    day1_store = open_store(str(day1))
    try:
        before_kills = max(r.started_at for r in day1_store.runs(None, 50))
    finally:
        day1_store.close()
    return {
        "root": root,
        "day1": day1,
        "before_kills": before_kills,  # every run a killed apply starts is newer
        "clean": state(clean),
        "clean_bundle": bundle_state(root / "lms-bundle"),
    }


def _fresh(world: dict[str, object], name: str) -> Path:
    root = world["root"]
    assert isinstance(root, Path)
    store = root / f"{name}.db"
    shutil.copy(world["day1"], store)  # type: ignore[arg-type]
    target = root / "lms-bundle"
    shutil.rmtree(target)
    shutil.copytree(root / "lms-day1", target)
    return store


def _finish(world: dict[str, object], store: Path | str) -> None:
    root = world["root"]
    assert isinstance(root, Path)
    for name in ("sis", "lms"):
        done = passport(root, store, "apply", name, "--yes")
        assert done.returncode == 0, done.stderr.read().decode()  # type: ignore[union-attr]
        again = passport(root, store, "plan", name, "--detailed-exitcode")
        assert again.returncode == 0, again.stdout.read().decode()  # type: ignore[union-attr]
    assert state(store) == world["clean"]
    assert bundle_state(root / "lms-bundle") == world["clean_bundle"]


def base_rows(store: Path | str, activation: str) -> dict[tuple[str, str], tuple[str, str | None]]:
    """The activation's base: (entity, key) -> (agreed digest, store digest then)."""
    opened = open_store(str(store))
    try:
        return {
            (e, key): (agreed, then)
            for e in ENTITIES
            for key, agreed, then, _now in opened.base_digests(activation, e)
        }
    finally:
        opened.close()


def killed_run_counts_what_landed(
    world: dict[str, object],
    store: Path | str,
    activation: str,
    before: dict[tuple[str, str], tuple[str, str | None]],
) -> str | None:
    """After a kill: the run it left is still `running`, and its counts are exactly the
    changes that landed (each landed change moves one base row). Its id, if it started."""
    opened = open_store(str(store))
    try:
        runs = opened.runs(activation, 5)
    finally:
        opened.close()
    after = base_rows(store, activation)
    moved = sum(1 for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    started = [r for r in runs if r.started_at > str(world["before_kills"])]
    if not started:
        assert moved == 0, "changes landed with no run recording them"
        return None
    [run] = started
    counted = sum(c.count for c in run.counts if c.action not in ("skip", "error"))
    assert counted == moved, (run.status, counted, moved)
    if run.status != "running":
        assert run.status == "succeeded"  # the kill came after it had finished
        return None
    return run.id


def closed_as_interrupted(store: Path | str, run_id: str | None) -> None:
    """The next apply that took the lock closed the dead run as interrupted."""
    if run_id is None:
        return
    opened = open_store(str(store))
    try:
        run = opened.run(run_id)
    finally:
        opened.close()
    assert run is not None and run.status == "interrupted", run
    assert "stopped without finishing" in run.message


# Checkpoints run per written record, per commit and per application write, so these
# points fall before, inside and after transactions of both the import and the export.
IMPORT_POINTS = [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 101, 144, 155, 170, 190, 233]
EXPORT_POINTS = [1, 2, 3, 4]


@pytest.mark.parametrize("point", IMPORT_POINTS)
def test_import_killed_at_a_checkpoint_loses_nothing(world: dict[str, object], point: int) -> None:
    store = _fresh(world, f"import-{point}")
    before = base_rows(store, "sis")
    child = passport(world["root"], store, "apply", "sis", "--yes", kill_after=point)  # type: ignore[arg-type]
    assert child.returncode in (-signal.SIGKILL, 0)
    assert child.returncode == -signal.SIGKILL or point > 1, "killed at the first checkpoint"
    killed = (
        killed_run_counts_what_landed(world, store, "sis", before) if child.returncode else None
    )
    _finish(world, store)
    closed_as_interrupted(store, killed)


@pytest.mark.parametrize("point", EXPORT_POINTS)
def test_export_killed_at_a_checkpoint_loses_nothing(world: dict[str, object], point: int) -> None:
    store = _fresh(world, f"export-{point}")
    root = world["root"]
    assert passport(root, store, "apply", "sis", "--yes").returncode == 0  # type: ignore[arg-type]
    before = base_rows(store, "lms")
    child = passport(root, store, "apply", "lms", "--yes", kill_after=point)  # type: ignore[arg-type]
    assert child.returncode in (-signal.SIGKILL, 0)
    assert child.returncode == -signal.SIGKILL or point > 1, "killed at the first checkpoint"
    killed = (
        killed_run_counts_what_landed(world, store, "lms", before) if child.returncode else None
    )
    _finish(world, store)
    closed_as_interrupted(store, killed)


@pytest.mark.parametrize("seed", range(4))
def test_apply_killed_at_a_random_moment_loses_nothing(world: dict[str, object], seed: int) -> None:
    store = _fresh(world, f"random-{seed}")
    before = base_rows(store, "sis")
    child = passport(world["root"], store, "apply", "sis", "--yes", wait=False)  # type: ignore[arg-type]
    time.sleep(random.Random(seed).uniform(0.2, 0.9))
    child.kill()
    child.wait(timeout=60)
    killed = killed_run_counts_what_landed(world, store, "sis", before)
    _finish(world, store)
    closed_as_interrupted(store, killed)


# --- the same on PostgreSQL: the database lets a killed holder's lock go -----------------

PG_IMPORT_POINTS = [3, 21, 101, 190]


def _fresh_pg(world: dict[str, object], postgres: Postgres, name: str) -> str:
    """A PostgreSQL store holding yesterday's district: `passport store copy` of day 1."""
    day1 = _fresh(world, f"pg-{name}")
    url = postgres.url(f"kill_{name}")
    source, target = open_store(str(day1)), open_store(url)
    try:
        copy_store(source, target)
    finally:
        source.close()
        target.close()
    return url


def _lock_let_go(url: str, name: str, child: subprocess.Popen[bytes], held: bool = True) -> None:
    """The lock is free at once; a killed holder's row is reported as replaced (`held`:
    the child was killed while it surely held the lock)."""
    store = open_store(url)
    try:
        lock = store.acquire_lock(name, "apply")
        if held:
            assert lock.stale_replaced is not None
        if lock.stale_replaced is not None:
            assert lock.stale_replaced.pid == child.pid
        store.release_lock(lock)
    finally:
        store.close()


@pytest.mark.parametrize("point", PG_IMPORT_POINTS)
def test_postgresql_import_killed_at_a_checkpoint_loses_nothing(
    world: dict[str, object], postgres: Postgres, point: int
) -> None:
    url = _fresh_pg(world, postgres, f"import_{point}")
    before = base_rows(url, "sis")
    child = passport(world["root"], url, "apply", "sis", "--yes", kill_after=point)  # type: ignore[arg-type]
    assert child.returncode == -signal.SIGKILL
    killed = killed_run_counts_what_landed(world, url, "sis", before)
    _lock_let_go(url, "sis", child)
    _finish(world, url)
    closed_as_interrupted(url, killed)


def test_postgresql_export_killed_at_a_checkpoint_loses_nothing(
    world: dict[str, object], postgres: Postgres
) -> None:
    url = _fresh_pg(world, postgres, "export")
    root = world["root"]
    assert passport(root, url, "apply", "sis", "--yes").returncode == 0  # type: ignore[arg-type]
    child = passport(root, url, "apply", "lms", "--yes", kill_after=2)  # type: ignore[arg-type]
    assert child.returncode == -signal.SIGKILL
    _lock_let_go(url, "lms", child)
    _finish(world, url)


@pytest.mark.parametrize("seed", range(2))
def test_postgresql_apply_killed_at_a_random_moment_loses_nothing(
    world: dict[str, object], postgres: Postgres, seed: int
) -> None:
    url = _fresh_pg(world, postgres, f"random_{seed}")
    child = passport(world["root"], url, "apply", "sis", "--yes", wait=False)  # type: ignore[arg-type]
    time.sleep(random.Random(seed).uniform(0.3, 1.0))
    child.kill()
    child.wait(timeout=60)
    _lock_let_go(url, "sis", child, held=False)  # it may not have got that far
    _finish(world, url)


def test_passport_reads_no_test_setting() -> None:
    """Kill points come from the test program above, not from a setting passport reads."""
    package = Path(__file__).resolve().parents[2] / "passport"
    readers = [p for p in package.rglob("*.py") if "PASSPORT_TEST" in p.read_text()]
    assert readers == []
