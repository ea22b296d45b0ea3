"""Taking an activation's lock in the SQLite store: a row, in a write transaction.

Taking a lock is one `BEGIN IMMEDIATE` transaction: read the holder, replace it if it is
stale, else leave it. SQLite lets one writer in at a time, so two processes can never
both believe they hold the lock. Releasing and forcing a lock are `SqlWrites`'.
"""

from __future__ import annotations

import dataclasses

from passport.model import LockInfo
from passport.store.locking import Attempt, is_stale, new_lock, wait_and_take
from passport.store.rows import lock_row
from passport.store.writes import SET_LOCK, SqlWrites


class SQLiteLocks(SqlWrites):
    """`acquire_lock`; mixed into `SQLiteStore`, which sets the connection up."""

    def acquire_lock(self, activation: str, operation: str, timeout_s: float = 0.0) -> LockInfo:
        """Take the activation's lock, waiting up to timeout_s; LockError names the holder."""
        return wait_and_take(lambda: self._try_lock(activation, operation), timeout_s)

    def _try_lock(self, activation: str, operation: str) -> Attempt:
        with self._lock_transaction():
            holder = self._lock_row(self._conn, activation)
            if holder is not None and not is_stale(holder):
                return None, holder
            lock = new_lock(activation, operation)
            self._conn.execute(self._q(SET_LOCK), lock_row(lock))
        return dataclasses.replace(lock, stale_replaced=holder), None
