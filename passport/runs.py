"""The run record: who applied which plan of which activation, when, from which commit.

The History tab's sync summary. Runs hold counts and per-record errors, never values.
"""

from __future__ import annotations

import getpass
import socket
import subprocess
import time
import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from passport.errors import PassportError
from passport.model import Activation, Plan, Run
from passport.plan.fingerprint import Tally, changes_total


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def now_precise() -> str:
    """Now to the millisecond: runs are ordered by when they started, and two attempts
    of one activation often start within the same second (a refusal, then a success)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def new_run(activation: Activation, checksum: str, status: str, extra: Mapping[str, object]) -> Run:
    """A run record of the activation, begun now by this user on this host."""
    return Run(
        id=uuid.uuid4().hex[:12],
        activation=activation.name,
        mode=activation.mode.value,
        started_at=now_precise(),
        user=getpass.getuser(),
        host=socket.gethostname(),
        status=status,
        plan_checksum=checksum,
        git_commit=git_commit(activation.source),
        extra=dict(extra),
    )


def finished(run: Run, started: float, status: str, **changes: object) -> Run:
    """The record of a run that ended, `started` being its time.monotonic() start."""
    return replace(
        run,
        status=status,
        finished_at=now_iso(),
        duration_s=round(time.monotonic() - started, 3),
        **changes,  # type: ignore[arg-type]
    )


def failure_message(error: BaseException) -> str:
    if isinstance(error, PassportError):
        return error.reason
    if isinstance(error, KeyboardInterrupt):
        return "interrupted"
    return f"{type(error).__name__}: {error}"


def plan_checksum(plan: Plan) -> str:
    """A digest naming what a run applied: its inputs' fingerprint and every change.

    The changes count as a set (the order-free total of their digests), which a spilled
    plan keeps as it writes its runs: a plan of millions of creates is not read twice."""
    changes = plan.changes
    total = changes_total(changes) if isinstance(changes, tuple) else changes.total()
    tally = Tally()
    tally.add(plan.activation, plan.fingerprint.config, plan.fingerprint.store)
    tally.add(plan.fingerprint.app)
    tally.add(str(len(changes)), f"{total:064x}")
    return tally.hexdigest()


def git_commit(source: str) -> str | None:
    """The commit of the config file's repository, with `+dirty` if the file has edits."""
    if not source:
        return None
    folder = str(Path(source).resolve().parent)
    try:
        head = subprocess.run(
            ["git", "-C", folder, "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
        if head.returncode != 0:
            return None
        dirty = subprocess.run(
            ["git", "-C", folder, "status", "--porcelain", "--", str(Path(source).resolve())],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = head.stdout.strip()
    return f"{commit}+dirty" if dirty.stdout.strip() else commit
