"""Runs (the history) of the PostgreSQL store.

Outside a store transaction each call commits at once (the connection is in autocommit
mode); inside one it lands with the transaction.
"""

from __future__ import annotations

from typing import Any

import psycopg

from passport.errors import StoreError
from passport.store.base import Run
from passport.store.postgres_conn import Connection, errors
from passport.store.postgres_tx import PostgresTransaction
from passport.store.rows import RUN_COLUMNS, run_from_row, run_row

_RUNS = ", ".join(RUN_COLUMNS)
_RUN_MARKS = ", ".join(["%s"] * len(RUN_COLUMNS))
_UPDATE = ", ".join(f"{c} = EXCLUDED.{c}" for c in RUN_COLUMNS if c != "id")


class PostgresHistory:
    """Runs; mixed into `PostgresStore`, which sets the connection up."""

    _conn: Connection
    _where: str
    _tx: PostgresTransaction | None

    def start_run(self, run: Run) -> None:
        sql = f"INSERT INTO runs ({_RUNS}) VALUES ({_RUN_MARKS})"
        try:
            with errors(self._where):
                self._conn.execute(sql, run_row(run))
        except StoreError as exc:
            if isinstance(exc.__cause__, psycopg.errors.UniqueViolation):
                raise StoreError(f"a run with id {run.id} is already recorded") from exc
            raise

    def finish_run(self, run: Run) -> None:
        sql = (
            f"INSERT INTO runs ({_RUNS}) VALUES ({_RUN_MARKS}) "
            f"ON CONFLICT (id) DO UPDATE SET {_UPDATE}"
        )
        with errors(self._where):
            self._conn.execute(sql, run_row(run))

    def runs(self, activation: str | None = None, limit: int = 20) -> list[Run]:
        where, params = (
            ("WHERE activation = %s", [activation]) if activation is not None else ("", [])
        )
        sql = f"SELECT {_RUNS} FROM runs {where} ORDER BY started_at DESC, id DESC LIMIT %s"
        return [run_from_row(row) for row in self._rows(sql, [*params, limit])]

    def run(self, run_id: str) -> Run | None:
        """A run by id, or by a unique prefix of its id."""
        if not run_id:
            return None
        rows = self._rows(f"SELECT {_RUNS} FROM runs WHERE id = %s", [run_id])
        if not rows:
            rows = self._rows(
                f"SELECT {_RUNS} FROM runs WHERE starts_with(id, %s) ORDER BY id LIMIT 3",
                [run_id],
            )
        if len(rows) > 1:
            shown = ", ".join(row[0] for row in rows[:2])
            raise StoreError(
                f"run id prefix {run_id!r} is ambiguous: it matches {shown}, ...",
                "give more characters of the run id",
            )
        return run_from_row(rows[0]) if rows else None

    def _rows(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        if self._tx is not None:
            self._tx.flush()
        with errors(self._where):
            return self._conn.execute(sql, params).fetchall()
