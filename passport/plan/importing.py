"""The import direction for one entity: application -> store, owned through the base.

- A record in the application and not in this activation's base is created, or, when the
  store already holds it and no other activation owns it, adopted (updated if it differs).
  A record another activation owns is left alone and listed as suppressed.
- A record in the base whose digest matches and whose store copy did not drift: nothing.
- A record in the base and missing from a *complete* listing, or marked deleted in a
  delta, is deleted. A record the activation never brought in is never deleted.
- A record the application side held (it failed a check), or that depends on a held one,
  is held: not written, and its store copy is never read as a delete (`holding.py`).
- Every active source record is counted: created, updated, linked, unchanged, held,
  suppressed (another owner) or out of scope (with the scope's reason).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from hashlib import blake2b
from itertools import islice

from orjson import OPT_SORT_KEYS, dumps

from passport.errors import PlanError
from passport.mapping.scope import Scope
from passport.mapping.sharing import Sharing
from passport.model import (
    Action,
    Change,
    Direction,
    Held,
    Record,
    Suppressed,
)
from passport.plan import changes
from passport.plan.changes import EntityPlan
from passport.plan.fingerprint import Tally
from passport.plan.holding import Holds
from passport.plan.reading import DELETED
from passport.plan.sources import Progress, StoredLike, StoreSide
from passport.plan.spill import spill_threshold


@dataclass
class _Buckets:
    """What a pass over the source leaves to plan once it is read (the records that
    differ are planned on the way, a chunk at a time)."""

    delete: list[str] = field(default_factory=list)
    forget: list[str] = field(default_factory=list)  # in base, gone from both sides
    foreign_delete: list[str] = field(default_factory=list)  # deleted in app, not ours
    unchanged: int = 0  # in base with the same digest: nothing to do
    out_of_scope: Counter[str] = field(default_factory=Counter)  # reason -> records
    held: list[Held] = field(default_factory=list)
    read: int = 0  # records the source listed
    marked_deleted: int = 0  # of them, those the source marks deleted


# A base row as the import keeps it in memory: just the agreed digest when the store copy
# is as agreed (nearly always), else (digest, store digest then, store digest now or None).
_Base = str | tuple[str, str | None, str | None]
_DELTA_CHUNK = 20_000


def _load_base(
    store: StoreSide, activation: str, entity: str, tally: Tally, drift_free: bool
) -> dict[str, _Base]:
    """The whole base of a complete listing: its keys and digests a large chunk per read,
    then the few rows whose store copy drifted (read apart: nearly always none; not
    asked when the entity is known to be as its last clean apply left it)."""
    bases: dict[str, _Base] = {}
    for keys, digests in store.base_agreed(activation, entity):
        bases.update(zip(keys, digests, strict=True))
        tally.columns(keys, digests)
    drifted = [] if drift_free else store.base_drift(activation, entity)
    for key, agreed, then, now in drifted:
        bases[key] = (agreed, then, now)
        tally.add("drift", key, agreed, then, now)
    return bases


def _with_bases(
    source: ImportSource, store: StoreSide, activation: str, bases: dict[str, _Base], tally: Tally
) -> Iterator[Record]:
    """A delta's records, each chunk's base rows looked up before it is handed on: a delta
    lists few records, so the base is read for those alone, not walked in full."""
    entity, to_key = source.entity, source.sharing.fields.key_to_store
    records = iter(source.records)
    while chunk := list(islice(records, _DELTA_CHUNK)):
        rows = store.base_digests_of(activation, entity, [to_key(entity, r.key) for r in chunk])
        for key, agreed, then, now in sorted(rows):
            bases[key] = agreed if then == now and now is not None else (agreed, then, now)
            tally.add(key, agreed, then, now)
        yield from chunk


def _gone(base: _Base) -> bool:
    return not isinstance(base, str) and base[2] is None


@dataclass
class ImportSource:
    """One entity's application records as the import reads them."""

    entity: str
    records: Iterable[Record]
    complete: bool
    sharing: Sharing
    progress: Progress
    holds: Holds = field(default_factory=Holds)
    # What the application side held of the entity, known once `records` are read.
    source_held: Callable[[], list[Held]] = list
    # A fresh read of the entity, for holds within it (an org whose parent is held).
    reread: Callable[[], Iterable[Record]] | None = None
    # Nothing wrote the entity's store records or base since its last clean apply (its
    # stamp, `plan/unchanged.py`): no base row drifted, and the drift query is not asked.
    drift_free: bool = False


# keys -> those of them this activation's base holds (asked only for late holds: rare)
HadBase = Callable[[list[str]], set[str]]


# What a record read is planned as, once it differs from the base.
_CREATE, _UPDATE, _RECREATE = "create", "update", "recreate"
_Pending = tuple[str, Record]  # (what it is planned as, the record in store space)
# Records planned a chunk at a time: each chunk's store lookups (adoption, ownership)
# are one read, and its changes go into the plan's log (which spills when large).
CHUNK = 20_000
# Emits the changes of one chunk of differing records.
Emit = Callable[[list[_Pending]], None]


def _stream(
    source: ImportSource, bases: dict[str, _Base], tally: Tally, had_base: HadBase, emit: Emit
) -> tuple[_Buckets, set[str]]:
    """One pass over the application's records against the base, held by key: each record
    is projected and digested once, and handed on in chunks (`emit`) where it differs.
    Gives the buckets left (deletes and forgets) and the keys held late (`_hold_late`)
    of records that were handed on."""
    entity, scope, buckets = source.entity, source.sharing.scope, _Buckets()
    # The keys of the records handed on: a source listing one twice is refused.
    incoming: set[str] = set()
    # A key listed again after a listing that matched its base (or marked it deleted)
    # finds no base left and would pass as a create: new keys are checked against the
    # base in the store a chunk at a time (none on a first import, whose base is empty).
    recheck = bool(bases)
    created: list[str] = []
    pending: list[_Pending] = []
    chunk = min(CHUNK, spill_threshold())
    exclude = scope.excluder(entity)
    holds, out_of_scope = source.holds, buckets.out_of_scope
    check = holds.checker(entity)  # None unless something it refers to is held
    to_key = source.sharing.fields.key_to_store
    # Each step is None where it would change nothing, so the common case pays nothing.
    to_fields = source.sharing.fields.store_converter(entity)
    narrow, project = scope.narrower(entity), scope.projector(entity)
    stage = f"reading {entity}"
    seen: list[str] = []
    unchanged = n = 0
    for n, rec in enumerate(source.records, 1):
        if n % 50_000 == 0:
            source.progress(stage, n, None)
            tally.flat(seen)
            seen.clear()
        key = to_key(entity, rec.key)
        if rec.deleted:
            holds.mark_deleted(entity, key)
            buckets.marked_deleted += 1
            seen.append(key)
            seen.append(DELETED)
            base = bases.pop(key, None)
            if base is None:
                buckets.foreign_delete.append(key)
            else:
                (buckets.forget if _gone(base) else buckets.delete).append(key)
            continue
        fields = rec.fields if to_fields is None else to_fields(key, rec.fields)
        if check is not None:
            held = check(key, fields)
            if held is not None:
                holds.hold(held)
                continue
        reason = exclude(key, fields)
        if reason is not None:
            out_of_scope[reason] += 1
            continue
        if narrow is not None:
            fields = narrow(fields)
        projected = fields if project is None else project(fields)
        # = passport.canonical.digest, inlined: this runs once per record of a district.
        digest_now = blake2b(dumps(projected, option=OPT_SORT_KEYS), digest_size=16).hexdigest()
        seen.append(key)
        seen.append(digest_now)
        if key in incoming:
            _twice(entity, key)
        base = bases.pop(key, None)
        if base is None:
            kind = _CREATE
            if recheck:
                created.append(key)
        elif isinstance(base, str):
            if base == digest_now:
                unchanged += 1
                continue
            kind = _UPDATE
        elif base[2] is None:
            kind = _RECREATE
        else:
            kind = _UPDATE
        incoming.add(key)
        pending.append((kind, Record(key, projected, rec.modified)))
        if len(pending) >= chunk:
            _refuse_listed_twice(entity, created, had_base)
            emit(pending)
            pending = []
    _refuse_listed_twice(entity, created, had_base)
    if pending:
        emit(pending)
    tally.flat(seen)
    buckets.unchanged, buckets.read = unchanged, n
    taken = _hold_late(source, bases, buckets, incoming, had_base)
    if source.complete:
        kept = holds.of(entity)
        for key, base in bases.items():
            if key in kept:
                continue
            (buckets.forget if _gone(base) else buckets.delete).append(key)
    return buckets, taken


def _refuse_listed_twice(entity: str, created: list[str], had_base: HadBase) -> None:
    """Refuse if a key about to be planned as new was read before: its base was there."""
    if created:
        listed_before = had_base(created)
        created.clear()
        if listed_before:
            _twice(entity, min(listed_before))


def _twice(entity: str, key: str) -> None:
    raise PlanError(
        f"the application lists {entity} {key!r} twice",
        "fix the source so that every sourcedId appears once",
    )


def _hold_late(
    source: ImportSource,
    bases: dict[str, _Base],
    buckets: _Buckets,
    incoming: set[str],
    had_base: HadBase,
) -> set[str]:
    """What the source held, what depends on a held record of the same entity, and
    records the source handed on before it found them wrong (`Held.withdrawn`): to be
    taken back out of the plan (the keys given). A withdrawn record that was out of scope
    stays out of scope."""
    entity, holds = source.entity, source.holds
    to_key = source.sharing.fields.key_to_store
    holds.add(entity, source.source_held(), lambda key: to_key(entity, key))
    if source.reread is not None and holds.of(entity):
        found = holds.self_holds(entity, source.reread(), lambda key: to_key(entity, key))
        for held in found:
            holds.hold(replace(held, withdrawn=True))
    bucket = holds.held.get(entity, {})
    taken: set[str] = set()
    # A withdrawn record read, not changed and whose base is gone from `bases` was read
    # unchanged; one whose base is still there, or that had none, was out of scope.
    read = [k for k, h in bucket.items() if h.withdrawn and k not in incoming and k not in bases]
    unchanged = had_base(read) if read else set()
    for key, held in list(bucket.items()):
        if key in incoming:
            taken.add(key)
        elif key in unchanged:
            buckets.unchanged -= 1
        elif held.withdrawn:
            del bucket[key]  # it was out of scope (or deleted): not a held record
    buckets.held = list(bucket.values())
    return taken


class _Planner:
    """Turns the differing records of one entity into its changes, a chunk at a time."""

    def __init__(self, source: ImportSource, activation: str, store: StoreSide) -> None:
        self.entity, self.scope = source.entity, source.sharing.scope
        self.activation, self.store = activation, store
        self.result = EntityPlan(existing=store.base_count(activation, self.entity))
        self.got: dict[str, str] = {}  # store key -> digest of the records looked up
        self.silent: set[str] = set()  # records handed on that planned nothing

    def get(self, keys: list[str]) -> Mapping[str, StoredLike]:
        stored = self.store.get(self.entity, keys) if keys else {}
        self.got.update((key, rec.digest) for key, rec in stored.items())
        return stored

    def __call__(self, chunk: list[_Pending]) -> None:
        entity, scope, activation, result = self.entity, self.scope, self.activation, self.result
        stored = self.get([r.key for kind, r in chunk if kind is not _RECREATE])
        owners = self.store.owners(
            entity, [r.key for kind, r in chunk if kind is _CREATE and r.key in stored]
        )
        direction = Direction.IMPORT
        for kind, rec in chunk:
            if kind is _UPDATE:
                continue
            key = rec.key
            others = [o for o in owners.get(key, []) if o != activation]
            current = None if kind is _RECREATE else stored.get(key)
            if current is not None and others:
                result.suppressed.append(
                    Suppressed(
                        entity,
                        key,
                        Action.UPDATE,
                        direction,
                        f"owned by activation {', '.join(others)}",
                    )
                )
                continue
            if current is not None:
                result.changes.append(_adopt(entity, rec, current, scope))
            else:
                result.changes.append(
                    changes.create(entity, key, direction, rec.fields, rec.modified)
                )
        refresh = "the store already holds these values"
        for kind, rec in chunk:
            if kind is not _UPDATE:
                continue
            current = stored.get(rec.key)
            if current is None:
                self.silent.add(rec.key)
                continue
            result.changes.append(
                _update(entity, rec, current, scope)
                or changes.bookkeeping(
                    entity, rec.key, Action.LINK, direction, refresh, rec.fields, agreed=rec.fields
                )
            )

    def withdraw(self, taken: set[str]) -> None:
        """Take the records held late back out of what was planned from them."""
        if not taken:
            return
        result = self.result
        dropped = {s.key for s in result.suppressed if s.key in taken}
        result.suppressed = [s for s in result.suppressed if s.key not in taken]
        planned = taken - dropped - self.silent
        result.changes.withdraw(self.entity, Direction.IMPORT, planned)


def plan_import_entity(
    source: ImportSource,
    activation: str,
    store: StoreSide,
    store_tally: Tally,
    app_tally: Tally,
) -> EntityPlan:
    entity, scope = source.entity, source.sharing.scope
    planner = _Planner(source, activation, store)
    result = planner.result
    if source.complete:
        bases = _load_base(store, activation, entity, store_tally, source.drift_free)
    else:
        bases = {}
        source = replace(source, records=_with_bases(source, store, activation, bases, store_tally))

    def had_base(keys: list[str]) -> set[str]:
        return {k for k, owners in store.owners(entity, keys).items() if activation in owners}

    buckets, taken = _stream(source, bases, app_tally, had_base, planner)
    del bases
    planner.withdraw(taken)
    result.unchanged = buckets.unchanged
    result.out_of_scope = buckets.out_of_scope
    result.held = buckets.held
    result.read = buckets.read
    result.marked_deleted = buckets.marked_deleted
    stored = planner.get(buckets.delete)
    for key in sorted(planner.got):
        store_tally.add("get", key, planner.got[key])
    direction = Direction.IMPORT
    for key in buckets.forget:
        gone = "gone from both sides"
        result.changes.append(changes.bookkeeping(entity, key, Action.FORGET, direction, gone))
    for key in buckets.delete:
        current = stored.get(key)
        if current is None:
            continue
        before = scope.project(entity, current.fields)
        result.changes.append(changes.delete(entity, key, direction, before))
    foreign = store.get(entity, buckets.foreign_delete) if buckets.foreign_delete else {}
    for key in buckets.foreign_delete:
        if key in foreign:
            result.suppressed.append(
                Suppressed(
                    entity,
                    key,
                    Action.DELETE,
                    direction,
                    "marked deleted in the source, but this activation did not bring it in",
                )
            )
    return result


def _update(
    entity: str, rec: Record, current: StoredLike, scope: Scope, reason: str = ""
) -> Change | None:
    return changes.update(
        entity,
        rec.key,
        Direction.IMPORT,
        scope.project(entity, current.fields),
        rec.fields,
        shown={**current.fields, **rec.fields},
        modified=rec.modified,
        reason=reason,
        agreed=rec.fields,
    )


def _adopt(entity: str, rec: Record, current: StoredLike, scope: Scope) -> Change:
    reason = "takes ownership of a record already in the store"
    change = _update(entity, rec, current, scope, reason)
    if change is not None:
        return change
    return changes.bookkeeping(
        entity,
        rec.key,
        Action.LINK,
        Direction.IMPORT,
        "takes ownership of an identical record already in the store",
        shown=rec.fields,
        agreed=rec.fields,
    )
