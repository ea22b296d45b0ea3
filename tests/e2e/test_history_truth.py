"""History tells the truth: an apply stopped part way (Ctrl-C, a full disk) counts exactly
what it committed, and the next apply finishes the job and the story."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from district_files import district
from passport_cli import BOTH_STORES, Passport

from passport.model import Run
from passport.oneroster import ENTITIES

SUPPORT = Path(__file__).resolve().parents[1] / "support"


def wrapped(
    passport: Passport, program: str, arg: str, *cli: str
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SUPPORT), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.run(
        [
            sys.executable,
            "-m",
            program,
            arg,
            *cli,
            "--store",
            passport.store_url,
            "--configs",
            str(passport.configs),
        ],
        cwd=passport.root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def landed(passport: Passport) -> int:
    """Changes that landed: every one of a first import is a record with its base row."""
    store = passport.open_store()
    try:
        return sum(store.base_count("sis", e) for e in ENTITIES)
    finally:
        store.close()


def only_run(passport: Passport) -> Run:
    store = passport.open_store()
    try:
        [run] = store.runs("sis")
        return run
    finally:
        store.close()


def moved(run: Run) -> int:
    return sum(c.count for c in run.counts if c.action not in ("skip", "error"))


@BOTH_STORES
def test_ctrl_c_mid_apply_counts_what_was_committed(passport: Passport) -> None:
    district(passport.root)
    stopped = wrapped(passport, "killing_passport", "INT:700", "apply", "sis", "--yes")
    assert stopped.returncode == 130, stopped.stderr
    assert "Interrupted." in stopped.stderr and "Traceback" not in stopped.stderr
    run = only_run(passport)
    assert run.status == "interrupted" and run.message == "interrupted"
    assert 0 < moved(run) == landed(passport) < 1000
    passport("apply", "sis", "--yes")
    passport("plan", "sis", "--detailed-exitcode", code=0)


def test_a_full_disk_mid_apply_counts_what_was_committed(passport: Passport) -> None:
    district(passport.root, users=600)
    passport.open_store().close()  # a new, empty store
    limit = Path(passport.store_url).stat().st_size + 400_000
    stopped = wrapped(passport, "full_disk_passport", str(limit), "apply", "sis", "--yes")
    assert stopped.returncode == 1, stopped.stdout + stopped.stderr
    assert "the disk has room" in stopped.stderr and "Traceback" not in stopped.stderr
    run = only_run(passport)
    assert run.status in ("failed", "running")
    assert 0 < moved(run) == landed(passport)
    passport("apply", "sis", "--yes")
    passport("plan", "sis", "--detailed-exitcode", code=0)
    store = passport.open_store()
    try:
        first = store.run(run.id)
    finally:
        store.close()
    assert first is not None and first.status in ("failed", "interrupted")
    assert moved(first) == moved(run)
