"""Activation locks of the PostgreSQL store: a session advisory lock per activation.

Taking the lock opens a connection of its own and takes `pg_try_advisory_lock` on a key
made of the schema and the activation. The database holds it as long as that session
lives: two processes on two machines can never both hold it, and when a holder dies its
session ends and the database lets the lock go (a killed process at once; a machine that
vanished once TCP keepalives give up on it, about a minute). The holder's details (lock
id, user@host, pid, operation, since) are a row in `locks`, written just after the
advisory lock is taken, and its session's application_name names the lock id, so a
waiter can tell the live holder's row from one a dead holder left behind (which the
next holder replaces and reports as `stale_replaced`).

`release_lock` and `force_unlock` (`SqlWrites`') delete the lock's row; for a lock held
through another connection they then end the holder's lock session
(`pg_terminate_backend`), which needs the same database role as the holder or the
pg_signal_backend role.
"""

from __future__ import annotations

import dataclasses
import itertools
import time

from psycopg import sql

from passport.errors import LockError, StoreError
from passport.model import LockInfo
from passport.store.location import Location
from passport.store.locking import Attempt, is_stale, new_lock, now_iso, wait_and_take
from passport.store.postgres.connection import LOCK_KEEPALIVES, Connection, connect, errors
from passport.store.postgres.schema import advisory_key
from passport.store.rows import lock_row
from passport.store.writes import SET_LOCK, SqlWrites

APP_PREFIX = "passport lock "  # + the lock id: the lock session's application_name
SETTLE_S = 5.0  # how long a holder that looks dead may take to leave the server
_SESSIONS = (
    "SELECT a.application_name FROM pg_locks AS l JOIN pg_stat_activity AS a ON a.pid = l.pid "
    "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
    "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
    "AND l.classid::bigint = %s AND l.objid::bigint = %s"
)


def _unknown_holder(activation: str, lock_id: str) -> LockInfo:
    """A holder whose details cannot be read (its row is missing or not its own)."""
    return LockInfo(
        id=lock_id or "unknown",
        activation=activation,
        owner="an unknown holder",
        host="",
        pid=0,
        operation="unknown",
        created_at="unknown",
    )


def lock_key(schema: str, activation: str) -> int:
    return advisory_key("lock", schema, activation)


class PostgresLocks(SqlWrites):
    """Taking locks; mixed into `PostgresStore`, which sets the connections up."""

    _FOR_UPDATE = " FOR UPDATE"

    schema: str
    _location: Location
    _conn: Connection
    _held: dict[str, Connection]  # lock id -> the session holding it

    def acquire_lock(self, activation: str, operation: str, timeout_s: float = 0.0) -> LockInfo:
        """Take the activation's lock, waiting up to timeout_s; LockError names the holder."""
        self._outside_transactions()
        lock = new_lock(activation, operation)
        conn = connect(self._location)
        try:
            with errors(self._where):
                name = sql.Literal(APP_PREFIX + lock.id)
                conn.execute(sql.SQL("SET application_name = {}").format(name))
                for statement in LOCK_KEEPALIVES:
                    conn.execute(statement)
                if conn.info.server_version >= 140000:
                    conn.execute("SET idle_session_timeout = 0")
            taken = wait_and_take(lambda: self._attempt(conn, lock), timeout_s)
        except BaseException:
            conn.close()
            raise
        self._held[taken.id] = conn
        return taken

    def close_locks(self) -> None:
        """Close every lock session this store holds (the database releases the locks)."""
        for conn in self._held.values():
            conn.close()
        self._held.clear()

    # --- helpers ---------------------------------------------------------------------

    def _attempt(self, conn: Connection, lock: LockInfo) -> Attempt:
        key = lock_key(self.schema, lock.activation)
        settle_until = time.monotonic() + SETTLE_S
        with errors(self._where):
            for tries in itertools.count():
                got = conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()
                if got and got[0]:
                    return self._take(conn, lock), None
                holder = self._holder(conn, lock.activation, key)
                if holder is None and tries < 20:
                    continue  # let go between our two looks: try again at once
                if holder is None:  # held, but by no session we can see
                    holder = _unknown_holder(lock.activation, "")
                if is_stale(holder) and time.monotonic() < settle_until:
                    time.sleep(0.05)  # its process is gone: the server will notice soon
                    continue
                return None, holder
        raise AssertionError("unreachable")

    def _take(self, conn: Connection, lock: LockInfo) -> LockInfo:
        taken = dataclasses.replace(lock, created_at=now_iso())
        with conn.transaction():
            left = self._lock_row(conn, lock.activation, for_update=True)
            conn.execute(self._q(SET_LOCK), lock_row(taken))
        return dataclasses.replace(taken, stale_replaced=left)

    def _holder(self, conn: Connection, activation: str, key: int) -> LockInfo | None:
        """The live holder's row, or None when nobody holds the advisory lock now."""
        unsigned = key & 0xFFFF_FFFF_FFFF_FFFF
        ids: set[str] = set()
        for _ in range(100):  # a new holder writes its row just after taking the lock
            names = conn.execute(_SESSIONS, (unsigned >> 32, unsigned & 0xFFFF_FFFF)).fetchall()
            if not names:
                return None
            ids = {str(n[0]).removeprefix(APP_PREFIX) for n in names}
            row = self._lock_row(conn, activation)
            if row is not None and row.id in ids:
                return row
            time.sleep(0.02)
        return _unknown_holder(activation, min(ids))

    def _lock_released(self, lock_id: str) -> None:
        """Close our own lock session, or end another process's (its lock goes too)."""
        own = self._held.pop(lock_id, None)
        if own is not None:
            own.close()
            return
        wait = ", 5000" if self._conn.info.server_version >= 140000 else ""
        query = (
            f"SELECT pg_terminate_backend(pid{wait}) FROM pg_stat_activity "
            "WHERE application_name = %s AND datname = current_database()"
        )
        try:
            with errors(self._where):
                self._conn.execute(query, (APP_PREFIX + lock_id,)).fetchall()
        except StoreError as exc:
            raise LockError(
                f"the lock's row is gone, but its holder's session could not be ended: {exc}",
                "ask the database administrator to end it (pg_terminate_backend), "
                "or run the command as the holder's database user",
            ) from exc
