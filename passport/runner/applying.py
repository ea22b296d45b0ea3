"""Applying one activation: take its lock, plan, refuse what is blocked or stale, carry
the plan out and record the run."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from passport.apply import ApplyContext, Checkpoint, execute
from passport.errors import BlockedError, PlanError, StalePlanError
from passport.model import Fingerprint, Mode, Plan, Run
from passport.planfile import read_plan
from passport.runner.planning import Planned, planned
from passport.runner.secret_check import check_secrets
from passport.runner.settings import Settings, bulk_work, load, opened_store
from passport.runs import failure_message, finished, start_run
from passport.store import Store


def no_checkpoint() -> None:
    """The apply checkpoint when nothing else is installed: nothing happens."""


_default_checkpoint: list[Checkpoint] = [no_checkpoint]


def install_checkpoint(checkpoint: Checkpoint) -> None:
    """The seam for programs that embed passport: the checkpoint every apply gets unless
    its options name one (see passport.apply.Checkpoint). The kill tests install one that
    stops the process there (tests/support/killing_passport.py); passport itself never does."""
    _default_checkpoint[0] = checkpoint


@dataclass
class ApplyOptions:
    confirm: Callable[[Plan], bool] = lambda plan: True
    saved: Fingerprint | None = None  # from a saved plan: refuse if the inputs moved
    saved_activation: str | None = None
    saved_checksum: str | None = None  # recorded in the run when applying a saved plan
    force: bool = False
    lock_timeout_s: float = 0.0
    checkpoint: Checkpoint = field(default_factory=lambda: _default_checkpoint[0])


@dataclass
class Applied:
    plan: Plan
    run: Run | None  # None when cancelled or there was nothing to do


def apply(ref: str, settings: Settings, options: ApplyOptions) -> Applied:
    activation = load(ref, settings)
    if options.saved_activation and options.saved_activation != activation.name:
        raise PlanError(
            f"the saved plan is for activation {options.saved_activation!r}, "
            f"not {activation.name!r}"
        )
    with opened_store(settings) as store:
        lock = store.acquire_lock(activation.name, "apply", options.lock_timeout_s)
        try:
            with planned(activation, store, settings) as result:
                return _apply_planned(result, store, settings, options)
        finally:
            store.release_lock(lock)


def _apply_planned(
    result: Planned, store: Store, settings: Settings, options: ApplyOptions
) -> Applied:
    plan = result.plan
    if options.saved is not None:
        moved = options.saved.moved(plan.fingerprint)
        if moved:
            raise StalePlanError(
                f"stale plan: the {_listed(_names(moved))} moved since it was made",
                "run `passport plan --out FILE` again and review the new plan",
            )
    _refuse_if_blocked(plan, options.force)
    if not options.confirm(plan):
        return Applied(plan, None)
    run = start_run(result.activation, plan, store, options.saved_checksum)
    started = time.monotonic()
    try:
        with bulk_work():
            outcome = execute(plan, _context(result, store, settings, options))
    except BaseException as error:
        store.finish_run(finished(run, started, "failed", message=failure_message(error)))
        raise
    status = "succeeded"
    if outcome.errors:
        status = "partial" if outcome.done else "failed"
    if status == "succeeded":
        _save_watermarks(store, result)
    run = finished(run, started, status, counts=outcome.run_counts(), errors=outcome.errors)
    store.finish_run(run)
    return Applied(plan, run)


def _refuse_if_blocked(plan: Plan, force: bool) -> None:
    """Conflicts under `stop` always block; safety breaches block unless forced."""
    unresolved = [c for c in plan.conflicts if c.blocking]
    if unresolved:
        shown = "; ".join(f"{c.entity}/{c.key} ({', '.join(c.fields)})" for c in unresolved[:5])
        more = f" and {len(unresolved) - 5:,} more" if len(unresolved) > 5 else ""
        raise BlockedError(
            f"apply refused: {len(unresolved):,} unresolved conflicts (conflicts: stop): "
            f"{shown}{more}",
            "settle them by changing one side, or choose another conflicts policy; "
            "--force does not override conflicts",
        )
    if plan.breaches and not force:
        raise BlockedError(
            "apply refused: " + "; ".join(str(b) for b in plan.breaches),
            "review the plan; if the changes are intended, apply again with --force",
        )


def _listed(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", the ".join(words[:-1]) + " and the " + words[-1]


def _names(moved: list[str]) -> list[str]:
    words = {"config": "config", "store": "store side", "app": "application side"}
    return [words[m] for m in moved]


def _context(
    result: Planned, store: Store, settings: Settings, options: ApplyOptions
) -> ApplyContext:
    return ApplyContext(
        activation=result.activation.name,
        store=store,
        connector=result.connector,
        atomic_writes=result.atomic_writes,
        outgoing_base=result.activation.mode is not Mode.IMPORT,
        progress=settings.progress,
        checkpoint=options.checkpoint,
    )


def _save_watermarks(store: Store, result: Planned) -> None:
    if not result.plan.watermarks:
        return
    with store.transaction() as tx:
        for entity, mark in result.plan.watermarks.items():
            tx.set_watermark(result.activation.name, entity, mark)


def apply_activation(ref: str, settings: Settings, options: ApplyOptions) -> Applied:
    """`passport apply NAME`: every unresolved secret named at once, then plan and apply."""
    check_secrets(load(ref, settings))
    return apply(ref, settings, options)


def apply_saved(path: Path, settings: Settings, options: ApplyOptions) -> Applied:
    """`passport apply FILE`: apply a saved plan, only if its inputs have not moved since."""
    saved = read_plan(path)
    options.saved = saved.fingerprint
    options.saved_activation = saved.activation
    options.saved_checksum = saved.checksum
    return apply_activation(saved.activation, settings, options)


def is_saved_plan(target: str) -> bool:
    """Whether `passport apply TARGET` names a saved plan file rather than an activation."""
    path = Path(target)
    return path.suffix.lower() == ".json" and path.is_file()
