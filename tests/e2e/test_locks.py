"""`passport locks` lists the apply locks held, the command the unlock hints name."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

from district_files import district
from passport_cli import Passport

DIE_HOLDING = """\
import os, signal, sys
from passport.store import open_store
lock = open_store(sys.argv[1]).acquire_lock(sys.argv[2], "apply")
print(lock.id, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_no_locks(passport: Passport) -> None:
    assert passport("locks").stdout == "No locks are held.\n"
    assert json.loads(passport("locks", "--format", "json").stdout) == []


def test_a_held_lock_shows_its_holder_age_host_pid_and_id(passport: Passport) -> None:
    store = passport.open_store()
    lock = store.acquire_lock("sis", "apply")
    try:
        listing = passport("locks").stdout
        [head, row, *_] = listing.splitlines()
        assert head.split() == ["activation", "holder", "age", "host", "pid", "operation", "id"]
        assert row.split()[:2] == ["sis", lock.owner]
        assert row.split()[3:] == [socket.gethostname(), str(os.getpid()), "apply", lock.id]
        assert row.split()[2].endswith("s")  # taken a moment ago: an age in seconds
        assert "passport unlock NAME --id ID" in listing
        [found] = json.loads(passport("locks", "--format", "json").stdout)
        assert found["id"] == lock.id and found["activation"] == "sis"
        assert found["holder"] == lock.owner and found["host"] == socket.gethostname()
        assert found["pid"] == os.getpid() and found["stale"] is False
        assert isinstance(found["age_s"], int) and found["age_s"] >= 0
    finally:
        store.release_lock(lock)
        store.close()
    assert passport("locks").stdout == "No locks are held.\n"


def test_the_lock_of_a_dead_holder_is_marked(passport: Passport) -> None:
    child = subprocess.run(
        [sys.executable, "-c", DIE_HOLDING, passport.store_url, "lms"],
        capture_output=True,
        text=True,
    )
    dead_id = child.stdout.strip()
    assert dead_id, child.stderr
    row = passport("locks").stdout.splitlines()[1]
    assert "apply (holder gone)" in row and dead_id in row
    assert "The next apply replaces a lock whose holder is gone." in passport("locks").stdout
    [found] = json.loads(passport("locks", "--format", "json").stdout)
    assert found["stale"] is True


def test_the_hints_name_commands_that_exist(passport: Passport) -> None:
    district(passport.root)
    store = passport.open_store()
    lock = store.acquire_lock("sis", "apply")
    try:
        refused = passport("apply", "sis", "--yes", code=1)
        assert f"passport unlock sis --id {lock.id}" in refused.output
        assert lock.id in passport("locks").stdout
    finally:
        store.release_lock(lock)
        store.close()
    missing = passport("unlock", "sis", "--id", "nope", code=1)
    assert "`passport locks` lists held locks" in missing.output
    passport("locks")
