"""Applying one activation: take its lock, plan, refuse what is blocked or stale, carry
the plan out and record the run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from passport.apply import ApplyContext, Checkpoint, Outcome, execute
from passport.errors import BlockedError, PassportError, PlanError, StalePlanError
from passport.model import Mode, Plan, Run
from passport.planfile import SavedPlan, read_plan
from passport.planfile.contract import contract_digest, first_difference
from passport.runner.planning import Planned, planned
from passport.runner.recording import History
from passport.runner.secret_check import check_secrets
from passport.runner.settings import Settings, bulk_work, load, opened_store, plan_key
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
    saved: SavedPlan | None = None  # a reviewed plan: apply exactly it, or refuse
    force: bool = False
    lock_timeout_s: float = 0.0
    checkpoint: Checkpoint = field(default_factory=lambda: _default_checkpoint[0])


@dataclass
class Applied:
    plan: Plan
    run: Run | None  # None when cancelled or there was nothing to do


def apply(ref: str, settings: Settings, options: ApplyOptions) -> Applied:
    """Plan the activation and carry the plan out, under its lock. Every attempt that gets
    as far as the store is in the history: refused ones with their reason."""
    activation = load(ref, settings)
    saved = options.saved
    if saved is not None and saved.activation != activation.name:
        raise PlanError(
            f"the saved plan is for activation {saved.activation!r}, not {activation.name!r}"
        )
    with opened_store(settings) as store:
        history = History(store, activation, saved)
        try:
            if saved is not None:
                saved.check_seal(plan_key(store))
            check_secrets(activation)
            lock = store.acquire_lock(activation.name, "apply", options.lock_timeout_s)
        except PassportError as error:
            history.refused(error)
            raise
        try:
            history.close_dead_runs(lock)
            with planned(activation, store, settings) as result:
                return _apply_planned(result, store, settings, options, history)
        except PassportError as error:
            history.refused(error)
            raise
        finally:
            store.release_lock(lock)


def _apply_planned(
    result: Planned, store: Store, settings: Settings, options: ApplyOptions, history: History
) -> Applied:
    plan = result.plan
    if options.saved is not None:
        _hold_to_contract(options.saved, plan, plan_key(store))
    _refuse_if_blocked(plan, options.force)
    if not options.confirm(plan):
        history.cancelled(plan)
        return Applied(plan, None)
    outcome = Outcome()
    run = history.start(plan)
    ctx = _context(result, store, settings, options, history)
    history.watch(ctx.sent)
    try:
        with bulk_work():
            execute(plan, ctx, outcome)
    except BaseException as error:
        history.broke_off(error, outcome)
        raise
    if not outcome.errors:
        _save_watermarks(store, result)
        if plan.sources:
            store.remember_sources(result.activation.name, plan.sources)
    run = history.finish(outcome)
    return Applied(plan, run)


def _hold_to_contract(saved: SavedPlan, plan: Plan, key: bytes) -> None:
    """Refuse unless the fresh plan is the reviewed one: the same inputs, and the same
    change set digest for digest (today's date included: windows, export_until)."""
    moved = saved.fingerprint.moved(plan.fingerprint)
    same = contract_digest(key, plan) == saved.contract_digest
    if not moved and same:
        return
    difference = "" if same else first_difference(key, saved.body, plan)
    if moved:
        reason = f"stale plan: the {_listed(_names(moved))} moved since it was made"
        reason += f"; {difference}" if difference else ""
    else:
        reason = f"stale plan: it no longer does what was reviewed: {difference}"
    raise StalePlanError(
        reason,
        "run `passport plan --out FILE` again and review the new plan; "
        "apply carries out a saved plan only exactly as reviewed",
    )


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
    result: Planned, store: Store, settings: Settings, options: ApplyOptions, history: History
) -> ApplyContext:
    return ApplyContext(
        activation=result.activation.name,
        store=store,
        connector=result.connector,
        atomic_writes=result.atomic_writes,
        outgoing_base=result.activation.mode is not Mode.IMPORT,
        progress=settings.progress,
        checkpoint=options.checkpoint,
        committing=history.committing,
    )


def _save_watermarks(store: Store, result: Planned) -> None:
    if not result.plan.watermarks:
        return
    with store.transaction() as tx:
        for entity, mark in result.plan.watermarks.items():
            tx.set_watermark(result.activation.name, entity, mark)


def apply_activation(ref: str, settings: Settings, options: ApplyOptions) -> Applied:
    """`passport apply NAME`: every unresolved secret named at once, then plan and apply."""
    return apply(ref, settings, options)


def apply_saved(path: Path, settings: Settings, options: ApplyOptions) -> Applied:
    """`passport apply FILE`: carry out a saved plan exactly as reviewed, or refuse."""
    options.saved = read_plan(path)
    return apply(options.saved.activation, settings, options)


def is_saved_plan(target: str) -> bool:
    """Whether `passport apply TARGET` names a saved plan file rather than an activation."""
    path = Path(target)
    return path.suffix.lower() == ".json" and path.is_file()
