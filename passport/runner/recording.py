"""The run history of one apply attempt, kept true whatever happens.

- Every attempt that reaches the store is recorded: a refused one (a source that cannot be
  read, a safety stop, a stale or tampered plan, a lock held by another apply) with its
  reason, a cancelled one as cancelled.
- While an apply runs, its record is rewritten inside each store transaction, just before
  it commits (`committing`), so its counts are what was committed even when the process
  is interrupted (Ctrl-C, a full disk) or killed.
- A run left "running" by a process that died is closed as `interrupted` by the next apply
  that takes the activation's lock, with the counts it had committed.
"""

from __future__ import annotations

import time
from contextlib import suppress
from dataclasses import replace

from passport.apply import Outcome
from passport.errors import PassportError
from passport.model import Activation, LockInfo, Mode, Plan, Run
from passport.planfile import SavedPlan
from passport.privacy.audit import Sent, sent_record
from passport.privacy.categories import shipped
from passport.privacy.inventory import Inventory, inventory_of
from passport.runs import failure_message, finished, new_run, now_iso, plan_checksum
from passport.store import Store

# Runs of one activation still marked running are looked for among its newest ones.
_RECENT = 50


class History:
    def __init__(self, store: Store, activation: Activation, saved: SavedPlan | None) -> None:
        self.store = store
        self.activation = activation
        self.saved = saved
        self.run: Run | None = None
        self._started = time.monotonic()
        self._sent: Sent | None = None
        self._inventory: Inventory | None = None

    def watch(self, sent: Sent) -> None:
        """What the apply hands the application (`ApplyContext.sent`): every record of the
        run says what left, for the privacy audit, even a run that was killed."""
        self._sent = sent
        if self.activation.mode is not Mode.IMPORT:
            self._inventory = inventory_of(self.activation, shipped())

    def _audit(self) -> dict[str, object]:
        if self._sent is None:
            return {}
        return sent_record(self.activation, self._sent, self._inventory)

    def _extra(self, applied: bool) -> dict[str, object]:
        """For a saved plan: which file, its contract, and whether its changes were the
        ones carried out (only a run that started: a refused one carried out nothing)."""
        if self.saved is None:
            return {}
        return {
            "plan_file": str(self.saved.path),
            "contract": self.saved.contract_digest,
            "as_reviewed": applied,
        }

    def _checksum(self, plan: Plan | None) -> str:
        if self.saved is not None:
            return self.saved.checksum
        return plan_checksum(plan) if plan is not None else ""

    def close_dead_runs(self, lock: LockInfo) -> None:
        """We hold the activation's lock: any run of it still marked running is dead."""
        for run in self.store.runs(self.activation.name, _RECENT):
            if run.status != "running":
                continue
            holder = lock.stale_replaced
            how = f" (its lock {holder.id}, pid {holder.pid} on {holder.host})" if holder else ""
            self.store.finish_run(
                replace(
                    run,
                    status="interrupted",
                    finished_at=run.finished_at or now_iso(),
                    message=(
                        f"the apply stopped without finishing{how}; its counts are what "
                        "it had committed"
                    ),
                )
            )

    def start(self, plan: Plan) -> Run:
        self._started = time.monotonic()
        self.run = new_run(self.activation, self._checksum(plan), "running", self._extra(True))
        self.store.start_run(self.run)
        return self.run

    def committing(self, outcome: Outcome) -> None:
        """Inside a store transaction about to commit: the record as it will then stand."""
        if self.run is not None:
            self.store.finish_run(
                replace(
                    self.run,
                    counts=outcome.run_counts(),
                    errors=tuple(outcome.errors),
                    extra={**self._extra(True), **self._audit()},
                )
            )

    def finish(self, outcome: Outcome) -> Run:
        assert self.run is not None
        status = "succeeded"
        if outcome.errors:
            status = "partial" if outcome.done else "failed"
        self.run = finished(
            self.run,
            self._started,
            status,
            counts=outcome.run_counts(),
            errors=outcome.errors,
            extra={**self._extra(True), **self._audit()},
        )
        self.store.finish_run(self.run)
        return self.run

    def broke_off(self, error: BaseException, outcome: Outcome) -> None:
        """The apply stopped part way: record what it had committed, and why it stopped."""
        if self.run is None:
            return
        status = "interrupted" if isinstance(error, KeyboardInterrupt) else "failed"
        self.run = finished(
            self.run,
            self._started,
            status,
            counts=outcome.run_counts(),
            errors=tuple(outcome.errors),
            message=failure_message(error),
            extra={**self._extra(True), **self._audit()},
        )
        # The store itself may be what failed (a full disk): then the running record,
        # with what was committed, stands.
        with suppress(PassportError):
            self.store.finish_run(self.run)

    def refused(self, error: PassportError) -> None:
        """Record an attempt that was refused before anything was applied."""
        if self.run is not None:
            return  # it started: broke_off recorded it
        self._record("refused", _refusal(error))

    def cancelled(self, plan: Plan) -> None:
        if plan.has_changes:
            self._record("cancelled", "the plan was not confirmed; nothing was changed", plan)

    def _record(self, status: str, message: str, plan: Plan | None = None) -> None:
        run = new_run(self.activation, self._checksum(plan), status, self._extra(False))
        run = finished(run, self._started, status, message=message)
        with suppress(PassportError):  # failing to record it must not hide the reason
            self.store.start_run(run)


def _refusal(error: PassportError, shown: int = 5) -> str:
    """The reason, and where its problems are: places only, never the values a problem
    may quote (the history keeps no record values)."""
    places = [_place(p.file, p.line, p.col, p.path) for p in error.problems[:shown]]
    more = len(error.problems) - shown
    where = "; ".join(p for p in places if p)
    if where and more > 0:
        where += f"; and {more:,} more"
    return f"{error.reason} ({where})" if where else error.reason


def _place(file: str, line: int, col: int, path: str) -> str:
    spot = file + (f":{line}" if line else "") + (f":{col}" if line and col else "")
    return f"{spot} {path}".strip()
