"""The writes and bookkeeping every SQL backend shares, written once: store transactions,
the run history and the lock rows.

A backend adds what differs: how a transaction begins (`_BEGIN`) and rolls back, its
buffered transaction (`_new_transaction`), the driver's error for a duplicate key
(`_DUPLICATE`), how a lock is taken (`acquire_lock`: a row in a write transaction on
SQLite, an advisory lock on PostgreSQL) and what else releasing one ends
(`_lock_released`). Runs and lock rows are written at once outside a store
transaction; runs written inside one land with it. Locks never ride in a data
transaction: taking, releasing or forcing one inside it is an error.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar, Self

from passport.errors import LockError, StoreError
from passport.model import LockInfo, Run, SourceMark
from passport.store.base import StoreTransaction
from passport.store.buffered import BufferedTransaction
from passport.store.reads import SqlReads
from passport.store.rows import (
    LOCK_COLUMNS,
    LOCKS,
    RUN_COLUMNS,
    RUNS,
    lock_from_row,
    run_from_row,
    run_row,
    upsert,
)

_START_RUN = f"INSERT INTO runs ({RUNS}) VALUES ({', '.join('?' * len(RUN_COLUMNS))})"
_FINISH_RUN = upsert("runs", RUN_COLUMNS, ("id",))
_RUN_BY_ID = f"SELECT {RUNS} FROM runs WHERE id = ?"
_RUNS_BY_PREFIX = f"SELECT {RUNS} FROM runs WHERE substr(id, 1, ?) = ? ORDER BY id LIMIT 3"
_LOCK_ROW = f"SELECT {LOCKS} FROM locks WHERE activation = ?"
SET_LOCK = upsert("locks", LOCK_COLUMNS, ("activation",))
_MOVE_STAMP = (
    "INSERT INTO entity_stamps (entity, stamp) VALUES (?, 1) ON CONFLICT (entity) "
    "DO UPDATE SET stamp = entity_stamps.stamp + 1 RETURNING stamp"
)
_STAMP = "SELECT stamp FROM entity_stamps WHERE entity = ?"
_REMEMBER = upsert(
    "source_digests",
    ("activation", "entity", "digest", "stamp", "counts"),
    ("activation", "entity"),
)
_FORGET = "DELETE FROM source_digests WHERE activation = ? AND entity = ?"


class SqlWrites(SqlReads):
    """The shared reads (`SqlReads`) and, here, the shared writes and bookkeeping."""

    _BEGIN: ClassVar[str]  # the statement that begins a store transaction
    _DUPLICATE: ClassVar[type[Exception]]  # the driver's error for a duplicate key
    _FOR_UPDATE: ClassVar[str] = ""  # what makes a SELECT lock the row it reads, if needed

    def _new_transaction(self) -> BufferedTransaction:
        raise NotImplementedError

    def _rollback(self) -> None:
        """Roll back what is open, if anything (the connection may be gone already)."""
        raise NotImplementedError

    def _lock_released(self, lock_id: str) -> None:
        """Whatever else holds the lock besides its row (PostgreSQL: its session)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        raise NotImplementedError

    # --- store transactions ----------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[StoreTransaction]:
        """All writes inside land together on success; none land if anything raises."""
        if self._tx is not None:
            raise StoreError("a store transaction is already open on this connection")
        with self._errors():
            self._conn.execute(self._BEGIN)
        tx = self._tx = self._new_transaction()
        try:
            yield tx
            with self._errors():
                tx.flush()
                moved = self._move_stamps(tx.touched)
                self._conn.execute("COMMIT")
            self._stamps_moved(moved)
        except BaseException:
            self._rollback()
            raise
        finally:
            tx.close()
            self._tx = None

    # --- entity stamps and source digests (skipping unchanged source files) ---------

    def _move_stamps(self, entities: set[str]) -> dict[str, int]:
        """Move the stamp of each entity written on by one; the new stamps."""
        moved = {}
        for entity in sorted(entities):
            row = self._conn.execute(self._q(_MOVE_STAMP), (entity,)).fetchone()
            moved[entity] = int(row[0])
        return moved

    def _stamps_moved(self, moved: dict[str, int]) -> None:
        """After a commit: a stamp this connection saw stays known only when the commit
        moved it by exactly one (no other writer came in between)."""
        known = self._known_stamps
        for entity, stamp in moved.items():
            known[entity] = stamp if known.get(entity) == stamp - 1 else None

    def remember_sources(self, activation: str, marks: Sequence[SourceMark]) -> list[str]:
        """Remember what an apply carried out in full: for each mark, its digest and counts
        with the entity's stamp, when that stamp is still the one this connection saw last
        (no other writer since); any older mark of the entity is dropped. The entities
        remembered."""
        remembered = []
        with self._lock_transaction():
            for mark in marks:
                now = self._conn.execute(self._q(_STAMP), (mark.entity,)).fetchone()
                stamp = 0 if now is None else int(now[0])
                known = self._known_stamps.get(mark.entity)
                if known == stamp and mark.digest:
                    params = (activation, mark.entity, mark.digest, stamp, mark.counts)
                    self._conn.execute(self._q(_REMEMBER), params)
                    remembered.append(mark.entity)
                else:
                    self._conn.execute(self._q(_FORGET), (activation, mark.entity))
        return remembered

    # --- runs (the history) ----------------------------------------------------------

    def start_run(self, run: Run) -> None:
        try:
            self._execute(_START_RUN, run_row(run))
        except StoreError as exc:
            if isinstance(exc.__cause__, self._DUPLICATE):
                raise StoreError(f"a run with id {run.id} is already recorded") from exc
            raise

    def finish_run(self, run: Run) -> None:
        """Replace the run's row (status, counts, errors, finish time)."""
        self._execute(_FINISH_RUN, run_row(run))

    def runs(self, activation: str | None = None, limit: int = 20) -> list[Run]:
        """Newest first."""
        where, params = ("", ()) if activation is None else ("WHERE activation = ?", (activation,))
        sql = f"SELECT {RUNS} FROM runs {where} ORDER BY started_at DESC, id DESC LIMIT ?"
        return [run_from_row(row) for row in self._all(self._q(sql), (*params, limit))]

    def run(self, run_id: str) -> Run | None:
        """A run by id, or by a unique prefix of its id."""
        if not run_id:
            return None
        rows = self._all(self._q(_RUN_BY_ID), (run_id,))
        if not rows:
            rows = self._all(self._q(_RUNS_BY_PREFIX), (len(run_id), run_id))
        if len(rows) > 1:
            shown = ", ".join(row[0] for row in rows[:2])
            raise StoreError(
                f"run id prefix {run_id!r} is ambiguous: it matches {shown}, ...",
                "give more characters of the run id",
            )
        return run_from_row(rows[0]) if rows else None

    # --- the store's own keys ------------------------------------------------------------

    def plan_key(self) -> bytes:
        """The key that seals this store's saved plans: made at random the first time it is
        needed, kept in the store, never shown."""
        with self._lock_transaction():
            insert = "INSERT INTO keys (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING"
            self._conn.execute(self._q(insert), ("plan", secrets.token_hex(32)))
            row = self._conn.execute(
                self._q("SELECT value FROM keys WHERE name = ?"), ("plan",)
            ).fetchone()
        return bytes.fromhex(str(row[0]))

    # --- the lock rows ---------------------------------------------------------------

    def locks(self) -> list[LockInfo]:
        rows = self._all(f"SELECT {LOCKS} FROM locks ORDER BY activation", ())
        return [lock_from_row(row) for row in rows]

    def release_lock(self, lock: LockInfo) -> None:
        """Release a lock; a lock already gone is not an error."""
        with self._lock_transaction():
            sql = "DELETE FROM locks WHERE activation = ? AND id = ?"
            self._conn.execute(self._q(sql), (lock.activation, lock.id))
        self._lock_released(lock.id)

    def force_unlock(self, activation: str, lock_id: str) -> LockInfo:
        """Release a lock by id (passport unlock); LockError if no such lock."""
        with self._lock_transaction():
            holder = self._lock_row(self._conn, activation, for_update=True)
            if holder is None:
                raise LockError(
                    f"activation {activation!r} is not locked", "`passport locks` lists held locks"
                )
            if holder.id != lock_id:
                raise LockError(
                    f"lock {lock_id} does not hold {activation!r}: {holder.describe()}",
                    f"to release that lock: `passport unlock {activation} --id {holder.id}`",
                )
            self._conn.execute(self._q("DELETE FROM locks WHERE activation = ?"), (activation,))
        self._lock_released(lock_id)
        return holder

    def _lock_row(self, conn: Any, activation: str, *, for_update: bool = False) -> LockInfo | None:
        """The activation's lock row as `conn` sees it (a lock session has its own)."""
        sql = self._q(_LOCK_ROW) + (self._FOR_UPDATE if for_update else "")
        row = conn.execute(sql, (activation,)).fetchone()
        return None if row is None else lock_from_row(row)

    @contextmanager
    def _lock_transaction(self) -> Iterator[None]:
        """A short write transaction of its own, for the lock rows."""
        self._outside_transactions()
        with self._errors():
            self._conn.execute(self._BEGIN)
            try:
                yield
            except BaseException:
                self._rollback()
                raise
            self._conn.execute("COMMIT")

    def _outside_transactions(self) -> None:
        if self._tx is not None:
            raise StoreError(
                "locks cannot be taken or released inside a store transaction",
                "take the lock before the transaction and release it after",
            )

    def _execute(self, sql: str, params: tuple[Any, ...]) -> None:
        with self._errors():
            self._conn.execute(self._q(sql), params)
