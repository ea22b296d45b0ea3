"""Lock rules shared by every backend (issue 4): identity, staleness, waiting, errors.

One lock per activation. A holder is stale when its lock has expired, or when it ran on
this host and its pid no longer exists; a stale lock is replaced and the new lock says so
(`LockInfo.stale_replaced`). Otherwise the caller waits up to its timeout, polling, and
then gets a LockError that names the holder and how to force the lock open.
"""

from __future__ import annotations

import getpass
import os
import socket
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from passport.errors import LockError
from passport.model import LockInfo

POLL_S = 0.1

# What one attempt to take a lock found: (the new lock, None) or (None, the holder).
Attempt = tuple[LockInfo | None, LockInfo | None]


def this_host() -> str:
    return socket.gethostname()


def this_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers) and no USER variable
        return f"uid{os.getuid()}" if hasattr(os, "getuid") else "unknown"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def new_lock(activation: str, operation: str) -> LockInfo:
    host = this_host()
    return LockInfo(
        id=uuid.uuid4().hex,
        activation=activation,
        owner=f"{this_user()}@{host}",
        host=host,
        pid=os.getpid(),
        operation=operation,
        created_at=now_iso(),
    )


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    except OSError:
        return True  # cannot tell: treat as alive, never steal a live lock
    return True


def is_stale(holder: LockInfo) -> bool:
    if holder.expires_at is not None and _passed(holder.expires_at):
        return True
    return holder.host == this_host() and not pid_alive(holder.pid)


def _passed(moment: str) -> bool:
    try:
        when = datetime.fromisoformat(moment)
    except ValueError:
        return False  # unreadable: never steal on a guess
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when <= datetime.now(UTC)


def held_error(holder: LockInfo) -> LockError:
    return LockError(
        f"activation {holder.activation!r} is locked: {holder.describe()}",
        "wait for that run to finish; if it is dead, release it with "
        f"`passport unlock {holder.activation} --id {holder.id}`",
    )


def wait_and_take(attempt: Callable[[], Attempt], timeout_s: float) -> LockInfo:
    """Call `attempt` until it takes the lock or `timeout_s` has passed."""
    deadline = time.monotonic() + max(timeout_s, 0.0)
    while True:
        lock, holder = attempt()
        if lock is not None:
            return lock
        assert holder is not None
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise held_error(holder)
        time.sleep(min(POLL_S, remaining))
