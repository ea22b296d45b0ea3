"""The one place that wires config -> store -> connector -> plan -> apply.

The CLI calls these functions and renders what they return; they never print.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from passport import config, secrets
from passport.apply import ApplyContext, Checkpoint, execute
from passport.config.document import Document, load_document
from passport.config.paths import format_path
from passport.connectors import registry
from passport.connectors.base import ConnectContext, Connector
from passport.errors import (
    BlockedError,
    ExitCode,
    PassportError,
    PlanError,
    Problem,
    SecretError,
    StalePlanError,
)
from passport.mapping.scope import Scope
from passport.mapping.sharing import Outgoing, no_transform
from passport.mapping.shield import PrivacyShield
from passport.model import Activation, Fingerprint, LockInfo, Mode, Plan, Run
from passport.plan.builder import PlanInputs, build_plan
from passport.plan.sources import Progress, no_progress
from passport.planfile import read_plan, save_plan, save_to
from passport.render.errors import error_words
from passport.render.view import Failure
from passport.runs import failure_message, finished, now_iso, start_run
from passport.store import Store, open_store
from passport.store.copy import Contents, copy_store
from passport.store.locking import is_stale
from passport.store.migrations import MIGRATIONS


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


# --- what the CLI calls: many plans, saved plans, the store, locks, history -----------
# Built on plan() and apply() above; the CLI parses, calls one of these, renders, exits.


@dataclass(frozen=True)
class FailedPlan:
    """An activation that could not be planned, and the error that stopped it."""

    source: str  # the activation file
    error: PassportError

    def failure(self) -> Failure:
        return Failure(self.source, error_words(self.error))


@dataclass(frozen=True)
class PlanSet:
    """The plans of one `passport plan`, the activations that failed, and where plans went."""

    plans: tuple[Plan, ...]
    failed: tuple[FailedPlan, ...]
    asked: int  # activations the references named
    saved: tuple[Path, ...] = ()  # plan files written for --out, in plan order

    @property
    def several(self) -> bool:
        return self.asked > 1

    @property
    def failures(self) -> list[Failure]:
        return [f.failure() for f in self.failed]

    def exit_code(self, detailed: bool = False) -> ExitCode:
        """Without `detailed`: 1 if any activation failed, else 0. With it (over every
        plan): any error 1, else any blocked plan 3, else any change 2, else 0."""
        if self.failed:
            return ExitCode.ERROR
        if not detailed:
            return ExitCode.OK
        if any(p.blocked for p in self.plans):
            return ExitCode.BLOCKED
        if any(p.has_changes for p in self.plans):
            return ExitCode.CHANGES
        return ExitCode.OK


def plan_many(
    refs: Sequence[str],
    settings: Settings,
    *,
    out: Path | None = None,
    on_failure: Callable[[FailedPlan], None] | None = None,
) -> PlanSet:
    """Plan every activation `refs` name (all of the configs folder when empty), each on
    its own: one that fails is recorded and the others still run.

    Before anything is connected, every activation is loaded and every secret reference
    of every one of them resolved, so one run names all that is missing. `out` saves each
    plan (`--out`); `on_failure` hears of each failure as soon as it is known."""
    paths = load_all(list(refs), settings)
    save = save_to(out, len(paths)) if out is not None else None
    failed: dict[Path, FailedPlan] = {}

    def fail(path: Path, error: PassportError) -> None:
        failed[path] = FailedPlan(str(path), error)
        if on_failure is not None:
            on_failure(failed[path])

    ready = []
    for path in paths:
        try:
            check_secrets(config.load_activation(path))
        except PassportError as error:
            fail(path, error)
            continue
        ready.append(path)
    plans, saved = [], []
    for path in ready:
        try:
            made = plan(path, settings)
        except PassportError as error:
            fail(path, error)
            continue
        plans.append(made)
        if save is not None:
            saved.append(save_plan(save.path(made.activation), made))
    in_order = tuple(failed[p] for p in paths if p in failed)
    return PlanSet(tuple(plans), in_order, len(paths), tuple(saved))


def secret_references(activation: Activation) -> dict[secrets.Setting, str]:
    """Every secret reference planning the activation resolves: its delivery secrets, and
    the Privacy Shield's key when it exports (as `outgoing_transform` does)."""
    app = registry.get(activation.application)
    found = secrets.secret_settings(activation.delivery, app.secret_fields, app.url_fields)
    refs: dict[secrets.Setting, str] = {("delivery", k): v for k, v in found.items()}
    shield = activation.shield
    if shield.enabled and activation.mode is not Mode.IMPORT and shield.key:
        refs[("privacy_shield", "key")] = shield.key
    return refs


def check_secrets(activation: Activation) -> None:
    """Raise one SecretError naming every reference of the activation that does not
    resolve, each at its file:line:col and setting. Nothing is connected to find out."""
    base_dir = Path(activation.source).parent if activation.source else Path(".")
    missing = secrets.unresolved(secret_references(activation), base_dir)
    if not missing:
        return
    where = _document(activation.source)
    problems = tuple(_located(where, activation.source, m) for m in missing)
    count = (
        "1 secret reference does" if len(missing) == 1 else f"{len(missing)} secret references do"
    )
    raise SecretError(
        f"{activation.source or activation.name}: {count} not resolve; nothing was connected",
        secrets.what_to_do(missing),
        problems,
    )


def _document(source: str) -> Document | None:
    try:
        return load_document(Path(source)) if source else None
    except PassportError:
        return None  # it loaded a moment ago; without marks the problems still name it


def _located(where: Document | None, source: str, missing: secrets.Unresolved) -> Problem:
    line, col = where.locate(missing.setting) if where is not None else (0, 0)
    return Problem(source, missing.error.reason, line, col, format_path(missing.setting))


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


@dataclass(frozen=True)
class Migrated:
    url: str
    applied: tuple[int, ...]  # the migrations this run applied
    version: int  # the schema version the store is at now


def migrate_store(settings: Settings) -> Migrated:
    """Create the store's schema, or apply the migrations it lacks."""
    with opened_store(Settings(store_url=settings.store_url)) as store:
        return Migrated(store.url, tuple(store.migrated), len(MIGRATIONS))


@dataclass(frozen=True)
class Copied:
    source: str
    target: str
    contents: Contents  # what both hold, verified equal


def copy_whole_store(source: str, target: str, progress: Progress = no_progress) -> Copied:
    """Copy the store at `source` into the new, empty store at `target`, and verify it."""
    origin = open_store(source, create=False)
    try:
        destination = open_store(target)
        try:
            contents = copy_store(origin, destination, progress)
            return Copied(origin.url, destination.url, contents)
        finally:
            destination.close()
    finally:
        origin.close()


@dataclass(frozen=True)
class HeldLocks:
    locks: tuple[LockInfo, ...]
    stale: frozenset[str]  # ids of locks whose holder is gone (expired, or dead on this host)


def held_locks(settings: Settings) -> HeldLocks:
    with opened_store(settings) as store:
        locks = tuple(store.locks())
    return HeldLocks(locks, frozenset(lock.id for lock in locks if is_stale(lock)))


def unlock(name: str, lock_id: str, settings: Settings) -> LockInfo:
    """Release activation `name`'s lock if its id is `lock_id`; the lock released."""
    with opened_store(settings) as store:
        return store.force_unlock(name, lock_id)


def history(settings: Settings, activation: str | None = None, limit: int = 20) -> list[Run]:
    """Past runs, newest first: every activation's, or one's."""
    with opened_store(settings) as store:
        return store.runs(activation, limit)


def find_run(settings: Settings, run_id: str) -> Run:
    """One run by its id or a unique prefix of it."""
    with opened_store(settings) as store:
        found = store.run(run_id)
    if found is None:
        raise PassportError(f"no run {run_id!r} in the store", "see `passport history`")
    return found
