"""Carries a plan out through the store and the connector, losing nothing.

Import: each batch of store writes and the matching base updates is one transaction, so
an interrupted apply leaves either all of a batch or none of it. A batch that fails is
retried one record at a time, so one bad record costs only itself.
Export: the connector writes first; the base moves only for the writes that succeeded.
Either way the next plan shows exactly what remains.
"""

from __future__ import annotations

import inspect
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice

from passport.canonical import canonical_json, digest_bytes
from passport.connectors.base import CarriedOf, Connector, OpsOf, WriteOp, WriteResult
from passport.errors import PassportError
from passport.model import (
    Action,
    Change,
    Direction,
    Fields,
    Mode,
    Plan,
    RunCount,
    RunError,
    Value,
    changes_of,
)
from passport.plan.sources import StoredLike
from passport.store.base import BaseEntry, Store, StoreTransaction

BATCH = 500
# How many landed exports' store digests are looked up at once (a read, inside the one
# transaction that records the base of a whole bundle: it bounds memory, not the batch).
DIGEST_LOOKUP = 5_000

# Called at every point where an interruption must lose nothing: after each record
# written inside a transaction, after each commit, and between an application write and
# the base update that follows it. The kill tests use it to stop a process there.
Checkpoint = Callable[[], None]


@dataclass
class Outcome:
    counts: Counter[tuple[str, str, str, str]] = field(default_factory=Counter)
    errors: list[RunError] = field(default_factory=list)
    done: int = 0

    def record(self, change: Change, ok: bool, message: str = "") -> None:
        action = change.action.value if ok else "error"
        self.counts[(change.direction.value, change.entity, action, change.school)] += 1
        if ok:
            self.done += 1
        else:
            self.errors.append(
                RunError(
                    change.entity, change.key, change.action.value, message, change.direction.value
                )
            )

    def run_counts(self) -> tuple[RunCount, ...]:
        return tuple(RunCount(*k, n) for k, n in sorted(self.counts.items()))

    def mark(self) -> tuple[Counter[tuple[str, str, str, str]], int, int]:
        return Counter(self.counts), len(self.errors), self.done

    def reset(self, mark: tuple[Counter[tuple[str, str, str, str]], int, int]) -> None:
        """Back to `mark`: what was recorded since did not land."""
        self.counts, errors, self.done = Counter(mark[0]), mark[1], mark[2]
        del self.errors[errors:]


def _nothing(outcome: Outcome) -> None:
    return None


@dataclass
class ApplyContext:
    activation: str
    store: Store
    connector: Connector
    atomic_writes: bool
    # Export and two-way keep the agreed record as the application holds it, with its
    # values; import keeps the digest of the record as imported.
    outgoing_base: bool
    progress: Callable[[str, int, int | None], None]
    checkpoint: Checkpoint
    # What left for the application, for the privacy audit: (entity, the fields of the
    # record sent) -> how many records. Names only, never values; fed before each write,
    # so an attempt that failed half-way still counts as sent.
    sent: Counter[tuple[str, tuple[str, ...]]] = field(default_factory=Counter)
    # Called inside every transaction just before it commits, with the outcome as it is
    # once that transaction lands: the run's history is written there, so its counts
    # are always what was committed (an interrupted or killed apply included).
    committing: Callable[[Outcome], None] = _nothing


def agreed(
    ctx: ApplyContext, change: Change, store_digest: str, written: Fields | None = None
) -> BaseEntry:
    """The base entry of a record both sides now hold, as the plan worked it out.

    `written` is the record just put into the store, when this apply wrote it: an import
    create writes exactly what both sides agree on, so its digest is the store's."""
    fields = change.agreed_fields() or {}
    kept = fields if ctx.outgoing_base else None
    if written is fields:
        return BaseEntry(change.key, store_digest, store_digest, kept)
    # One encoding for both the digest and, where the base keeps values, the row.
    data = canonical_json(fields)
    kept_data = data if kept is not None else None
    return BaseEntry(change.key, digest_bytes(data), store_digest, kept, data=kept_data)


def execute(plan: Plan, ctx: ApplyContext, outcome: Outcome | None = None) -> Outcome:
    """Carry `plan` out; `outcome` (new if None) counts what landed as it lands."""
    outcome = outcome if outcome is not None else Outcome()
    for held in plan.suppressed:
        outcome.counts[(held.direction.value, held.entity, "skip", "")] += 1
    total = len(plan.changes)
    # A two-way record changing on both sides agrees only once its export has landed
    # (only a two-way plan has changes in both directions).
    awaiting_export = (
        {(c.entity, c.key) for c in plan.changes if c.direction is Direction.EXPORT}
        if plan.mode is Mode.TWO_WAY
        else set()
    )
    # The changes are read in order as they are applied, a batch at a time: a large
    # plan's are read back from its spill file, never all held at once.
    imports = (c for c in plan.changes if c.direction is Direction.IMPORT)
    for batch in _batches(imports if plan.mode is not Mode.EXPORT else iter(()), BATCH):
        _import_batch(batch, ctx, outcome, awaiting_export)
        ctx.progress("applying", outcome.done + len(outcome.errors), total)
        ctx.checkpoint()
    if plan.mode is Mode.IMPORT:
        return outcome
    write_parts = getattr(ctx.connector, "write_parts", None)
    if ctx.atomic_writes and callable(write_parts):
        if plan.count_in(Direction.EXPORT):
            _export_parts(plan, write_parts, ctx, outcome)
            ctx.progress("applying", outcome.done + len(outcome.errors), total)
            ctx.checkpoint()
        return outcome
    exports = [c for c in plan.changes if c.direction is Direction.EXPORT]
    if exports:
        size = len(exports) if ctx.atomic_writes else BATCH
        for batch in _batches(iter(exports), size):
            _export_batch(batch, ctx, outcome)
            ctx.progress("applying", outcome.done + len(outcome.errors), total)
            ctx.checkpoint()
    return outcome


def _batches(changes: Iterator[Change], size: int) -> Iterator[list[Change]]:
    while batch := list(islice(changes, size)):
        yield batch


# --- import --------------------------------------------------------------------------


def patched(current: Fields, change: Change) -> dict[str, Value]:
    """The record with the change's fields set (or removed where `after` lacks them)."""
    new = dict(current)
    after = change.after or {}
    for name in change.changed:
        if name in after:
            new[name] = after[name]
        else:
            new.pop(name, None)
    return new


def _import_one(
    tx: StoreTransaction,
    change: Change,
    ctx: ApplyContext,
    current: StoredLike | None,
    set_base: bool,
) -> None:
    entity, key = change.entity, change.key
    if change.action is Action.DELETE:
        tx.delete(entity, key)
    if change.action in (Action.DELETE, Action.FORGET):
        tx.drop_base(ctx.activation, entity, key)
        return
    written: Fields | None = None
    if change.action is Action.CREATE:
        written = change.after or {}
        store_digest = tx.put(entity, key, written, change.modified)
    elif change.action is Action.UPDATE:
        fields = patched(current.fields if current else {}, change)
        store_digest = tx.put(entity, key, fields, change.modified)
    else:  # LINK: the store already holds the agreed record
        if current is None:
            raise ValueError(f"{entity} {key!r} is no longer in the store")
        store_digest = current.digest
    if set_base:
        tx.set_base(ctx.activation, entity, agreed(ctx, change, store_digest, written))


def _import_batch(
    batch: Sequence[Change],
    ctx: ApplyContext,
    outcome: Outcome,
    awaiting_export: set[tuple[str, str]],
) -> None:
    by_entity: dict[str, list[str]] = {}
    for change in batch:
        if change.action in (Action.UPDATE, Action.LINK):
            by_entity.setdefault(change.entity, []).append(change.key)
    current = {e: ctx.store.get(e, keys) for e, keys in by_entity.items()}

    def one(tx: StoreTransaction, change: Change) -> None:
        rec = current.get(change.entity, {}).get(change.key)
        set_base = (change.entity, change.key) not in awaiting_export
        _import_one(tx, change, ctx, rec, set_base)
        ctx.checkpoint()

    try:
        with _kept_if_committed(outcome), ctx.store.transaction() as tx:
            for change in batch:
                one(tx, change)
            _landing(ctx, outcome, [(change, True, "") for change in batch])
    except PassportError:
        raise
    except Exception:
        for change in batch:
            try:
                with _kept_if_committed(outcome), ctx.store.transaction() as tx:
                    one(tx, change)
                    _landing(ctx, outcome, [(change, True, "")])
            except PassportError:
                raise
            except Exception as error:
                outcome.record(change, False, _describe(error))


def _landing(
    ctx: ApplyContext, outcome: Outcome, results: Sequence[tuple[Change, bool, str]]
) -> None:
    """Inside a transaction about to commit: count its changes and tell the history, so
    both land together."""
    for change, ok, message in results:
        outcome.record(change, ok, message)
    ctx.committing(outcome)


@contextmanager
def _kept_if_committed(outcome: Outcome) -> Iterator[None]:
    """What the transaction inside counts is undone when it does not commit."""
    mark = outcome.mark()
    try:
        yield
    except BaseException:
        outcome.reset(mark)
        raise


def _describe(error: Exception) -> str:
    return str(error) or type(error).__name__


# --- export --------------------------------------------------------------------------


def writes_data(change: Change) -> bool:
    return change.writes_data


def _export_batch(batch: Sequence[Change], ctx: ApplyContext, outcome: Outcome) -> None:
    writes = [c for c in batch if writes_data(c)]
    ops = [_write_op(c) for c in writes]
    for c in writes:
        ctx.sent[_sent(c)] += 1
    try:
        written = ctx.connector.write(ops) if ops else []
    except PassportError as error:
        written = [WriteResult(op, False, error.reason) for op in ops]
    ctx.checkpoint()
    by_change = dict(zip((id(c) for c in writes), written, strict=True))
    results = [
        by_change.get(id(c), WriteResult(WriteOp(c.entity, c.action, c.target_key), True))
        for c in batch
    ]
    _record_export(batch, results, ctx, outcome)


def _export_parts(
    plan: Plan,
    write_parts: Callable[[OpsOf, CarriedOf], None],
    ctx: ApplyContext,
    outcome: Outcome,
) -> None:
    """An atomic write of every export an entity at a time, read from the plan as the
    connector asks (a bulk CSV bundle of a whole district never sits in memory), then the
    base of what landed, a part at a time, in one transaction."""

    def ops_of(entity: str) -> Iterator[WriteOp]:
        changes = changes_of(plan.changes, entity, Direction.EXPORT)
        return (_write_op(c) for c in changes if writes_data(c))

    def carried(entity: str) -> set[str] | None:
        """The names of the fields the entity's ops carry (None: it has no ops), as the
        plan's log kept them, or read from its ops when it cannot tell."""
        changes = plan.changes
        known = None if isinstance(changes, tuple) else changes.writes_of(entity, Direction.EXPORT)
        if known is None:
            ops = [set(op.fields or ()) for op in ops_of(entity)]
            known = len(ops), set().union(*ops)
        n, names = known
        return names if n else None

    try:
        if _takes_carried(write_parts):
            write_parts(ops_of, carried)
        else:  # a connector written before `carried` was offered
            write_parts(ops_of)  # type: ignore[call-arg]
        failed = ""
    except PassportError as error:
        failed = error.reason
    except BaseException:
        for c in plan.changes:  # what was sent counts, also when a write broke off
            if c.direction is Direction.EXPORT and writes_data(c):
                ctx.sent[_sent(c)] += 1
        raise
    ctx.checkpoint()
    exports = (c for c in plan.changes if c.direction is Direction.EXPORT)
    with _kept_if_committed(outcome), ctx.store.transaction() as tx:
        for batch in _batches(exports, DIGEST_LOOKUP):
            landed = []
            for c in batch:
                writes = c.writes_data
                if writes:
                    ctx.sent[_sent(c)] += 1
                landed.append(not (writes and failed))
            _record_landed(tx, batch, landed, ctx)
            for c, ok in zip(batch, landed, strict=True):
                outcome.record(c, ok, failed)
        ctx.committing(outcome)


def _takes_carried(write_parts: Callable[..., None]) -> bool:
    try:
        return len(inspect.signature(write_parts).parameters) >= 2
    except (TypeError, ValueError):
        return False


def _sent(change: Change) -> tuple[str, tuple[str, ...]]:
    """What the privacy audit counts of a change that writes (`ApplyContext.sent`): its
    entity and the names of the fields it sends (those of `_write_op`, none for a delete)."""
    if change.action is Action.DELETE:
        return change.entity, ()
    return change.entity, tuple(change.agreed_fields() or ())


def _write_op(change: Change) -> WriteOp:
    """What the application is sent: the whole record as the plan says it will hold it
    (never only the changed fields), under the application's key."""
    if change.action is Action.DELETE:
        return WriteOp(change.entity, Action.DELETE, change.target_key)
    fields = change.agreed_fields()
    action = Action.UPDATE if change.action is Action.LINK else change.action
    return WriteOp(change.entity, action, change.target_key, fields, change.modified)


def _record_export(
    batch: Sequence[Change], results: Sequence[WriteResult], ctx: ApplyContext, outcome: Outcome
) -> None:
    with _kept_if_committed(outcome), ctx.store.transaction() as tx:
        for start in range(0, len(batch), DIGEST_LOOKUP):
            part = slice(start, start + DIGEST_LOOKUP)
            _record_landed(tx, batch[part], [r.ok for r in results[part]], ctx)
        landed = [(c, r.ok, r.error or "") for c, r in zip(batch, results, strict=True)]
        _landing(ctx, outcome, landed)


def _record_landed(
    tx: StoreTransaction,
    batch: Sequence[Change],
    landed: Sequence[bool],
    ctx: ApplyContext,
) -> None:
    """The base of the writes that succeeded (`landed`, change by change): the store's
    digest of each record (looked up without its values, a part at a time: a bulk export
    can land a whole district)."""
    ok_keys: dict[str, list[str]] = {}
    for change, ok in zip(batch, landed, strict=True):
        if ok and change.action not in (Action.DELETE, Action.FORGET):
            ok_keys.setdefault(change.entity, []).append(change.key)
    stored = {e: ctx.store.digests(e, keys) for e, keys in ok_keys.items()}
    for change, ok in zip(batch, landed, strict=True):
        if not ok:
            continue
        if change.action in (Action.DELETE, Action.FORGET):
            tx.drop_base(ctx.activation, change.entity, change.key)
            continue
        store_digest = stored[change.entity].get(change.key)
        if store_digest is not None:
            tx.set_base(ctx.activation, change.entity, agreed(ctx, change, store_digest))
        elif change.action is Action.UPDATE:
            # The store no longer has it, the application still does (an account
            # suspended rather than deleted): the base keeps what the application holds.
            tx.set_base(ctx.activation, change.entity, agreed(ctx, change, ""))
