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
from collections.abc import Callable, Iterable, Iterator
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
    Fields,
    Held,
    Record,
    Suppressed,
)
from passport.oneroster import REPEATING_FIELDS
from passport.plan import changes
from passport.plan.changes import EntityPlan
from passport.plan.fingerprint import Tally
from passport.plan.holding import Holds
from passport.plan.reading import DELETED
from passport.plan.sources import Progress, StoredLike, StoreSide


@dataclass
class _Buckets:
    create: list[str] = field(default_factory=list)  # not in base
    update: list[str] = field(default_factory=list)  # in base, digests differ
    recreate: list[str] = field(default_factory=list)  # in base, store record gone
    delete: list[str] = field(default_factory=list)
    forget: list[str] = field(default_factory=list)  # in base, gone from both sides
    foreign_delete: list[str] = field(default_factory=list)  # deleted in app, not ours
    unchanged: int = 0  # in base with the same digest: nothing to do
    out_of_scope: Counter[str] = field(default_factory=Counter)  # reason -> records
    held: list[Held] = field(default_factory=list)
    read: int = 0  # records the source listed
    marked_deleted: int = 0  # of them, those the source marks deleted

    def withdraw(self, keys: set[str]) -> None:
        """Take held keys back out of the buckets that would write them."""
        self.create = [k for k in self.create if k not in keys]
        self.update = [k for k in self.update if k not in keys]
        self.recreate = [k for k in self.recreate if k not in keys]


class ValuePool:
    """Keeps one copy of each repeated value (a class id shared by 25 enrollments, a role,
    a date) among the records a plan holds: a first import holds every record."""

    def __init__(self, names: frozenset[str]) -> None:
        self.names = names
        self.values: dict[str, str] = {}

    def __call__(self, fields: Fields) -> Fields:
        values = self.values
        out = dict(fields)
        for name in self.names.intersection(fields):
            value = out[name]
            if isinstance(value, str):
                out[name] = values.setdefault(value, value)
            else:
                out[name] = [values.setdefault(v, v) for v in value]
        return out


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


def _stream(
    source: ImportSource, bases: dict[str, _Base], tally: Tally, had_base: HadBase
) -> tuple[_Buckets, dict[str, Record]]:
    """One pass over the application's records against the base, held by key: each record
    is projected and digested once, and kept in full only where it differs."""
    entity, scope, buckets = source.entity, source.sharing.scope, _Buckets()
    incoming: dict[str, Record] = {}
    exclude = scope.excluder(entity)
    holds, out_of_scope = source.holds, buckets.out_of_scope
    check = holds.checker(entity)  # None unless something it refers to is held
    to_key = source.sharing.fields.key_to_store
    # Each step is None where it would change nothing, so the common case pays nothing.
    to_fields = source.sharing.fields.store_converter(entity)
    narrow, project = scope.narrower(entity), scope.projector(entity)
    shared = ValuePool(REPEATING_FIELDS.get(entity, frozenset()))
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
            buckets.create.append(key)
        elif isinstance(base, str):
            if base == digest_now:
                unchanged += 1
                continue
            buckets.update.append(key)
        elif base[2] is None:
            buckets.recreate.append(key)
        else:
            buckets.update.append(key)
        incoming[key] = Record(key, shared(projected), rec.modified)
    tally.flat(seen)
    buckets.unchanged, buckets.read = unchanged, n
    _hold_late(source, bases, buckets, incoming, had_base)
    if source.complete:
        kept = holds.of(entity)
        for key, base in bases.items():
            if key in kept:
                continue
            (buckets.forget if _gone(base) else buckets.delete).append(key)
    return buckets, incoming


def _twice(entity: str, key: str) -> None:
    raise PlanError(
        f"the application lists {entity} {key!r} twice",
        "fix the source so that every sourcedId appears once",
    )


def _hold_late(
    source: ImportSource,
    bases: dict[str, _Base],
    buckets: _Buckets,
    incoming: dict[str, Record],
    had_base: HadBase,
) -> None:
    """What the source held, what depends on a held record of the same entity, and
    records the source handed on before it found them wrong (`Held.withdrawn`): taken
    back out of the plan. A withdrawn record that was out of scope stays out of scope."""
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
            del incoming[key]
            taken.add(key)
        elif key in unchanged:
            buckets.unchanged -= 1
        elif held.withdrawn:
            del bucket[key]  # it was out of scope (or deleted): not a held record
    buckets.withdraw(taken)
    buckets.held = list(bucket.values())


def plan_import_entity(
    source: ImportSource,
    activation: str,
    store: StoreSide,
    store_tally: Tally,
    app_tally: Tally,
) -> EntityPlan:
    entity, scope = source.entity, source.sharing.scope
    result = EntityPlan(existing=store.base_count(activation, entity))
    if source.complete:
        bases = _load_base(store, activation, entity, store_tally, source.drift_free)
    else:
        bases = {}
        source = replace(source, records=_with_bases(source, store, activation, bases, store_tally))

    def had_base(keys: list[str]) -> set[str]:
        return {k for k, owners in store.owners(entity, keys).items() if activation in owners}

    buckets, incoming = _stream(source, bases, app_tally, had_base)
    del bases
    result.unchanged = buckets.unchanged
    result.out_of_scope = buckets.out_of_scope
    result.held = buckets.held
    result.read = buckets.read
    result.marked_deleted = buckets.marked_deleted
    candidates = buckets.create + buckets.update
    stored = store.get(entity, candidates + buckets.delete) if candidates or buckets.delete else {}
    for key in sorted(stored):
        store_tally.add("get", key, stored[key].digest)
    owners = store.owners(entity, [k for k in buckets.create if k in stored])
    direction = Direction.IMPORT
    recreate = set(buckets.recreate)
    for key in buckets.create + buckets.recreate:
        rec = incoming.get(key)
        if rec is None:
            continue  # vanished between passes; the fingerprint check catches a moving source
        others = [o for o in owners.get(key, []) if o != activation]
        current = None if key in recreate else stored.get(key)
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
            result.changes.append(changes.create(entity, key, direction, rec.fields, rec.modified))
    for key in buckets.update:
        rec = incoming.get(key)
        current = stored.get(key)
        if rec is None or current is None:
            continue
        refresh = "the store already holds these values"
        result.changes.append(
            _update(entity, rec, current, scope)
            or changes.bookkeeping(
                entity, key, Action.LINK, direction, refresh, rec.fields, agreed=rec.fields
            )
        )
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
