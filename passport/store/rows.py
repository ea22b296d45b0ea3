"""Runs and locks to and from table rows, and the SQL that names their columns; shared
by every backend (parameters marked `?`, see `SqlReads.PARAM`).

Column order matches `RUN_COLUMNS` / `LOCK_COLUMNS`. Counts, errors and extra are JSON text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from passport.model import LockInfo, Run, RunCount, RunError

RUN_COLUMNS = (
    "id",
    "activation",
    "mode",
    "started_at",
    "finished_at",
    '"user"',
    "host",
    "git_commit",
    "plan_checksum",
    "status",
    "duration_s",
    "message",
    "counts",
    "errors",
    "extra",
)
ENTITIES_SQL = "SELECT entity FROM records UNION SELECT entity FROM base ORDER BY 1"
ACTIVATIONS_SQL = (
    "SELECT activation FROM base UNION SELECT activation FROM watermarks "
    "UNION SELECT activation FROM runs ORDER BY 1"
)
WATERMARKS_SQL = "SELECT entity, value FROM watermarks WHERE activation = ? ORDER BY entity"
LOCK_COLUMNS = (
    "activation",
    "id",
    "owner",
    "host",
    "pid",
    "operation",
    "created_at",
    "expires_at",
)
RUNS = ", ".join(RUN_COLUMNS)
LOCKS = ", ".join(LOCK_COLUMNS)


def on_conflict_update(columns: Sequence[str], key: Sequence[str]) -> str:
    """The clause that makes an INSERT replace the row with the same `key` (an upsert)."""
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c not in key)
    return f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}"


def upsert(table: str, columns: Sequence[str], key: Sequence[str]) -> str:
    """INSERT one row, or replace the row with the same `key`."""
    marks = ", ".join("?" * len(columns))
    names = ", ".join(columns)
    return f"INSERT INTO {table} ({names}) VALUES ({marks}) {on_conflict_update(columns, key)}"


def run_row(run: Run) -> tuple[Any, ...]:
    counts = [
        {"direction": c.direction, "entity": c.entity, "action": c.action}
        | {"school": c.school, "count": c.count}
        for c in run.counts
    ]
    errors = [
        {"entity": e.entity, "key": e.key, "action": e.action}
        | {"message": e.message, "direction": e.direction}
        for e in run.errors
    ]
    return (
        run.id,
        run.activation,
        run.mode,
        run.started_at,
        run.finished_at,
        run.user,
        run.host,
        run.git_commit,
        run.plan_checksum,
        run.status,
        run.duration_s,
        run.message,
        _json(counts),
        _json(errors),
        _json(dict(run.extra)),
    )


def run_from_row(row: Sequence[Any]) -> Run:
    (id_, activation, mode, started, finished, user, host, commit, checksum) = row[:9]
    (status, duration, message, counts, errors, extra) = row[9:]
    return Run(
        id=id_,
        activation=activation,
        mode=mode,
        started_at=started,
        user=user,
        host=host,
        status=status,
        plan_checksum=checksum,
        git_commit=commit,
        finished_at=finished,
        duration_s=duration,
        counts=tuple(RunCount(**c) for c in orjson.loads(counts)),
        errors=tuple(RunError(**e) for e in orjson.loads(errors)),
        message=message,
        extra=orjson.loads(extra),
    )


def lock_row(lock: LockInfo) -> tuple[Any, ...]:
    return (
        lock.activation,
        lock.id,
        lock.owner,
        lock.host,
        lock.pid,
        lock.operation,
        lock.created_at,
        lock.expires_at,
    )


def lock_from_row(row: Sequence[Any]) -> LockInfo:
    activation, id_, owner, host, pid, operation, created, expires = row
    return LockInfo(
        id=id_,
        activation=activation,
        owner=owner,
        host=host,
        pid=int(pid),
        operation=operation,
        created_at=created,
        expires_at=expires,
    )


def _json(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS, default=str).decode()
