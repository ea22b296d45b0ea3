"""The one place that wires config -> store -> connector -> plan -> apply.

The CLI calls these functions and renders what they return; they never print.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from passport import config, secrets
from passport.apply import ApplyContext, Checkpoint, execute
from passport.connectors import registry
from passport.connectors.base import ConnectContext, Connector
from passport.errors import BlockedError, PassportError, PlanError, StalePlanError
from passport.mapping.scope import Scope
from passport.mapping.sharing import Outgoing, no_transform
from passport.mapping.shield import PrivacyShield
from passport.model import Activation, Fingerprint, Mode, Plan
from passport.plan.builder import PlanInputs, build_plan
from passport.plan.sources import Progress, no_progress
from passport.privacy.audit import sent_record
from passport.runs import failure_message, finished, now_iso, start_run
from passport.store import Run, Store, open_store


@dataclass
class Settings:
    store_url: str | None = None
    configs_dir: str = "configs"
    progress: Progress = no_progress
    today: date | None = None
    full: bool = False  # read the application in full, ignoring watermarks
    notice: Callable[[str], None] | None = None  # told when opening migrated the store

    def day(self) -> date:
        return self.today or date.today()


@dataclass
class Planned:
    """A plan together with the open connection it was made over (for apply)."""

    activation: Activation
    plan: Plan
    connector: Connector
    atomic_writes: bool


def load(ref: str, settings: Settings) -> Activation:
    paths = config.find_activations([ref], settings.configs_dir)
    if len(paths) != 1:
        raise PassportError(
            f"{ref!r} names {len(paths)} activations; apply takes exactly one",
            "name one activation file, e.g. configs/canvas.yaml",
        )
    return config.load_activation(paths[0])


def load_all(refs: list[str], settings: Settings) -> list[Path]:
    return config.find_activations(refs or [settings.configs_dir], settings.configs_dir)


@contextmanager
def opened_store(settings: Settings) -> Iterator[Store]:
    store = open_store(settings.store_url, notice=settings.notice)
    try:
        yield store
    finally:
        store.close()


@contextmanager
def bulk_work() -> Iterator[None]:
    """Plans and applies allocate millions of small acyclic objects (index entries, record
    dicts). The cyclic garbage collector would walk them over and over for nothing (about
    a quarter of a large plan's time): pause it for the duration."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def planned(activation: Activation, store: Store, settings: Settings) -> Iterator[Planned]:
    """Connect, read both sides and build the plan; close the connection afterwards."""
    app = registry.get(activation.application)
    base_dir = str(Path(activation.source).parent) if activation.source else "."
    context = ConnectContext(
        base_dir=base_dir, mode=activation.mode.value, progress=settings.progress
    )
    connector = registry.connect(activation, context)
    try:
        entities = Scope.of(activation).entities()
        marks = {} if settings.full else _watermarks(store, activation, entities)
        snapshot = connector.snapshot(entities, full=not marks, watermarks=marks)
        outgoing = outgoing_transform(activation, base_dir)
        inputs = PlanInputs(
            activation=activation,
            app=snapshot,
            store=store,
            today=settings.day(),
            now=now_iso(),
            readable=app.capabilities.reads,
            writable=app.capabilities.writes,
            outgoing=outgoing,
            progress=settings.progress,
            fields=app.field_map(activation),
        )
        with bulk_work():
            plan = build_plan(inputs)
        warnings = [str(w) for w in snapshot.warnings]
        plan = replace(plan, warnings=tuple(warnings))
        yield Planned(activation, plan, connector, app.capabilities.atomic_writes)
    finally:
        connector.close()


def outgoing_transform(activation: Activation, base_dir: str) -> Outgoing:
    """The Privacy Shield of an activation that exports, or no transform."""
    shield = activation.shield
    if not shield.enabled or activation.mode is Mode.IMPORT:
        return no_transform
    if not shield.key:
        raise PlanError(
            f"activation {activation.name!r} enables the Privacy Shield without a key",
            "set privacy_shield.key to a ${env:NAME} or ${file:PATH} reference",
        )
    return PrivacyShield(shield, secrets.resolve(shield.key, base_dir))


def _watermarks(store: Store, activation: Activation, entities: list[str]) -> dict[str, str]:
    if activation.mode is Mode.EXPORT:
        return {}
    found = {e: store.watermark(activation.name, e) for e in entities}
    return {e: m for e, m in found.items() if m}


def plan(ref: str | Path, settings: Settings) -> Plan:
    activation = config.load_activation(Path(ref)) if isinstance(ref, Path) else load(ref, settings)
    with opened_store(settings) as store, planned(activation, store, settings) as result:
        return result.plan


# --- apply ----------------------------------------------------------------------------


def no_checkpoint() -> None:
    """The apply checkpoint when nothing else is installed: nothing happens."""


# The seam for programs that embed passport: the checkpoint every apply gets unless its
# options name one (see passport.apply.Checkpoint). The kill tests set it to stop the
# process there (tests/support/killing_passport.py); passport itself never does.
default_checkpoint: Checkpoint = no_checkpoint


@dataclass
class ApplyOptions:
    confirm: Callable[[Plan], bool] = lambda plan: True
    saved: Fingerprint | None = None  # from a saved plan: refuse if the inputs moved
    saved_activation: str | None = None
    saved_checksum: str | None = None  # recorded in the run when applying a saved plan
    force: bool = False
    lock_timeout_s: float = 0.0
    checkpoint: Checkpoint = field(default_factory=lambda: default_checkpoint)


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
    ctx = _context(result, store, settings, options)
    try:
        with bulk_work():
            outcome = execute(plan, ctx)
    except BaseException as error:
        sent = sent_record(result.activation, ctx.sent)
        message = failure_message(error)
        store.finish_run(finished(run, started, "failed", message=message, extra=sent))
        raise
    status = "succeeded"
    if outcome.errors:
        status = "partial" if outcome.done else "failed"
    if status == "succeeded":
        _save_watermarks(store, result)
    run = finished(
        run,
        started,
        status,
        counts=outcome.run_counts(),
        errors=outcome.errors,
        extra=sent_record(result.activation, ctx.sent),
    )
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
