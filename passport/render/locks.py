"""`passport locks`: the apply locks held in the store, as a table or as JSON."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import Any

import orjson

from passport.model import LockInfo

HEADS = ("activation", "holder", "age", "host", "pid", "operation", "id")


def age_seconds(lock: LockInfo, now: datetime) -> int | None:
    """Seconds since the lock was taken; None when its time cannot be read."""
    try:
        taken = datetime.fromisoformat(lock.created_at)
    except ValueError:
        return None
    if taken.tzinfo is None:
        taken = taken.replace(tzinfo=UTC)
    return max(int((now - taken).total_seconds()), 0)


def words(seconds: int | None) -> str:
    """`45s`, `3m 12s`, `2h 5m`, `4d 3h`: two units at most."""
    if seconds is None:
        return "unknown"
    units = (("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1))
    parts: list[str] = []
    for name, size in units:
        if seconds >= size or (name == "s" and not parts):
            parts.append(f"{seconds // size}{name}")
            seconds %= size
        if len(parts) == 2:
            break
    return " ".join(parts)


def render_locks(locks: Sequence[LockInfo], stale: Collection[str], now: datetime) -> str:
    """One line per lock; `stale` holds the ids of locks whose holder is gone."""
    if not locks:
        return "No locks are held."
    rows = [
        (
            lock.activation,
            lock.owner,
            words(age_seconds(lock, now)),
            lock.host,
            str(lock.pid),
            lock.operation + (" (holder gone)" if lock.id in stale else ""),
            lock.id,
        )
        for lock in locks
    ]
    widths = [max(len(row[i]) for row in [HEADS, *rows]) for i in range(len(HEADS))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in [HEADS, *rows]
    ]
    lines.append("")
    if stale:
        lines.append("The next apply replaces a lock whose holder is gone.")
    lines.append("A holder that died on another machine: passport unlock NAME --id ID")
    return "\n".join(lines)


def lock_dict(lock: LockInfo, stale: bool, now: datetime) -> dict[str, Any]:
    return {
        "id": lock.id,
        "activation": lock.activation,
        "holder": lock.owner,
        "host": lock.host,
        "pid": lock.pid,
        "operation": lock.operation,
        "created_at": lock.created_at,
        "expires_at": lock.expires_at,
        "age_s": age_seconds(lock, now),
        "stale": stale,
    }


def locks_json(locks: Sequence[LockInfo], stale: Collection[str], now: datetime) -> str:
    found = [lock_dict(lock, lock.id in stale, now) for lock in locks]
    return orjson.dumps(found, option=orjson.OPT_INDENT_2).decode()
