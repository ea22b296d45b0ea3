"""Runs (the history) and activation locks of the SQLite store.

Taking a lock is one `BEGIN IMMEDIATE` transaction: read the holder, replace it if it is
stale, else leave it. SQLite lets one writer in at a time, so two processes can never
both believe they hold the lock.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from passport.errors import LockError, StoreError
from passport.store.base import LockInfo, Run
from passport.store.locking import Attempt, is_stale, new_lock, wait_and_take
from passport.store.rows import (
    LOCK_COLUMNS,
    RUN_COLUMNS,
    lock_from_row,
    lock_row,
    run_from_row,
    run_row,
)
from passport.store.sqlite_conn import errors
from passport.store.sqlite_tx import SQLiteTransaction

_RUNS = ", ".join(RUN_COLUMNS)
_LOCKS = ", ".join(LOCK_COLUMNS)
_RUN_MARKS = ", ".join("?" * len(RUN_COLUMNS))
_LOCK_MARKS = ", ".join("?" * len(LOCK_COLUMNS))


class SQLiteHistory:
    """Runs and locks; mixed into `SQLiteStore`, which sets the connection up."""

    _conn: sqlite3.Connection
    _where: str
    _tx: SQLiteTransaction | None

    # --- runs ------------------------------------------------------------------------
    # Outside a transaction each call commits at once; inside one it lands with it.

    def start_run(self, run: Run) -> None:
        try:
            with errors(self._where):
                self._conn.execute(
                    f"INSERT INTO runs ({_RUNS}) VALUES ({_RUN_MARKS})", run_row(run)
                )
        except StoreError as exc:
            if isinstance(exc.__cause__, sqlite3.IntegrityError):
                raise StoreError(f"a run with id {run.id} is already recorded") from exc
            raise

    def finish_run(self, run: Run) -> None:
        sql = f"INSERT OR REPLACE INTO runs ({_RUNS}) VALUES ({_RUN_MARKS})"
        with errors(self._where):
            self._conn.execute(sql, run_row(run))

    def runs(self, activation: str | None = None, limit: int = 20) -> list[Run]:
        where, params = (
            ("WHERE activation = ?", [activation]) if activation is not None else ("", [])
        )
        sql = f"SELECT {_RUNS} FROM runs {where} ORDER BY started_at DESC, id DESC LIMIT ?"
        with errors(self._where):
            rows = self._conn.execute(sql, (*params, limit)).fetchall()
        return [run_from_row(row) for row in rows]

    def run(self, run_id: str) -> Run | None:
        """A run by id, or by a unique prefix of its id."""
        if not run_id:
            return None
        with errors(self._where):
            rows = self._conn.execute(
                f"SELECT {_RUNS} FROM runs WHERE id = ?", (run_id,)
            ).fetchall()
            if not rows:
                rows = self._conn.execute(
                    f"SELECT {_RUNS} FROM runs WHERE substr(id, 1, ?) = ? ORDER BY id LIMIT 3",
                    (len(run_id), run_id),
                ).fetchall()
        if len(rows) > 1:
            shown = ", ".join(row[0] for row in rows[:2])
            raise StoreError(
                f"run id prefix {run_id!r} is ambiguous: it matches {shown}, ...",
                "give more characters of the run id",
            )
        return run_from_row(rows[0]) if rows else None

    # --- locks -----------------------------------------------------------------------

    def acquire_lock(self, activation: str, operation: str, timeout_s: float = 0.0) -> LockInfo:
        """Take the activation's lock, waiting up to timeout_s; LockError names the holder."""
        return wait_and_take(lambda: self._try_lock(activation, operation), timeout_s)

    def release_lock(self, lock: LockInfo) -> None:
        """Release a lock this process took; a lock already gone is not an error."""
        with self._immediate():
            self._conn.execute(
                "DELETE FROM locks WHERE activation = ? AND id = ?", (lock.activation, lock.id)
            )

    def locks(self) -> list[LockInfo]:
        with errors(self._where):
            rows = self._conn.execute(f"SELECT {_LOCKS} FROM locks ORDER BY activation").fetchall()
        return [lock_from_row(row) for row in rows]

    def force_unlock(self, activation: str, lock_id: str) -> LockInfo:
        with self._immediate():
            holder = self._holder(activation)
            if holder is None:
                raise LockError(
                    f"activation {activation!r} is not locked", "`passport locks` lists held locks"
                )
            if holder.id != lock_id:
                raise LockError(
                    f"lock {lock_id} does not hold {activation!r}: {holder.describe()}",
                    f"to release that lock: `passport unlock {activation} --id {holder.id}`",
                )
            self._conn.execute("DELETE FROM locks WHERE activation = ?", (activation,))
        return holder

    def _try_lock(self, activation: str, operation: str) -> Attempt:
        with self._immediate():
            holder = self._holder(activation)
            if holder is not None and not is_stale(holder):
                return None, holder
            lock = new_lock(activation, operation)
            self._conn.execute(
                f"INSERT OR REPLACE INTO locks ({_LOCKS}) VALUES ({_LOCK_MARKS})", lock_row(lock)
            )
        return dataclasses.replace(lock, stale_replaced=holder), None

    def _holder(self, activation: str) -> LockInfo | None:
        row = self._conn.execute(
            f"SELECT {_LOCKS} FROM locks WHERE activation = ?", (activation,)
        ).fetchone()
        return None if row is None else lock_from_row(row)

    @contextmanager
    def _immediate(self) -> Iterator[None]:
        """A short write transaction of its own (locks never ride in a data transaction)."""
        if self._tx is not None:
            raise StoreError(
                "locks cannot be taken or released inside a store transaction",
                "take the lock before the transaction and release it after",
            )
        with errors(self._where):
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
