"""Two `passport apply` processes on one activation at once, on either store: one holds
the lock for the whole apply; another fails at once naming it, or waits with
--lock-timeout; the end state is exactly what a single apply leaves."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from district_files import district
from passport_cli import BOTH_STORES, Passport

from passport.store import Store, open_store

pytestmark = BOTH_STORES
GATED = Path(__file__).with_name("gated_passport.py")

Content = tuple[list[tuple[str, str, str]], list[tuple[str, str, str, str]]]


def content(url: str) -> Content:
    """Every record's digest and every base row's agreed digest."""
    store: Store = open_store(url)
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


def apply(passport: Passport, *extra: str, gate: Path | None = None) -> subprocess.Popen[str]:
    env = dict(os.environ)
    command = [sys.executable, "-m", "passport"]
    if gate is not None:
        env["PASSPORT_TEST_GATE"] = str(gate)
        command = [sys.executable, str(GATED)]
    command += ["apply", "sis", "--yes", "--store", passport.store_url]
    command += ["--configs", str(passport.configs), *extra]
    return subprocess.Popen(
        command,
        cwd=passport.root,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _wait_for(path: Path, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the first apply never took its lock"
        time.sleep(0.02)


def test_a_second_apply_fails_naming_the_holder_and_a_third_waits(
    passport: Passport, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    district(passport.root)
    gate = passport.root / "gate"
    first = apply(passport, gate=gate)
    _wait_for(gate.with_suffix(".locked"), first)

    second = apply(passport)
    _, refused = second.communicate(timeout=60)
    third = apply(passport, "--lock-timeout", "2m")
    time.sleep(1.0)
    waited = third.poll() is None
    gate.touch()
    first_out, first_err = first.communicate(timeout=120)
    third_out, third_err = third.communicate(timeout=120)

    assert second.returncode == 1
    assert "activation 'sis' is locked: lock " in refused
    assert f"(pid {first.pid}) for apply since" in refused
    assert "passport unlock sis --id" in refused
    assert waited, third_err
    assert first.returncode == 0, first_err
    assert third.returncode == 0, third_err
    assert "succeeded" in first_out and "succeeded" in third_out

    single = request.getfixturevalue("postgres").new_url() if passport.on_postgresql else None
    (tmp_path / "alone").mkdir()
    alone = Passport(tmp_path / "alone", single)
    alone.configs = passport.configs
    alone("apply", "sis", "--yes")
    assert content(passport.store_url) == content(alone.store_url)
    runs = open_store(passport.store_url).runs("sis")
    # Every attempt is in the history: the one refused at the lock says why.
    assert sorted(r.status for r in runs) == ["refused", "succeeded", "succeeded"]
    [refusal] = [r for r in runs if r.status == "refused"]
    assert "is locked" in refusal.message and not refusal.counts
    applied = [r for r in runs if r.status == "succeeded"]
    moved = sorted(sum(c.count for c in r.counts if c.action != "skip") for r in applied)
    assert moved[0] == 0 < moved[1]  # the one that waited found nothing left to do
    assert open_store(passport.store_url).locks() == []
