"""The import direction for one entity: application -> store, owned through the base.

- A record in the application and not in this activation's base is created, or, when the
  store already holds it and no other activation owns it, adopted (updated if it differs).
  A record another activation owns is left alone and listed as suppressed.
- A record in the base whose digest matches and whose store copy did not drift: nothing.
- A record in the base and missing from a *complete* listing, or marked deleted in a
  delta, is deleted. A record the activation never brought in is never deleted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from passport.model import (
    Action,
    Change,
    Conflict,
    Direction,
    Fields,
    Record,
    Suppressed,
    Value,
)
from passport.plan.fingerprint import Tally
from passport.plan.join import merge_join
from passport.plan.reading import DELETED, SideIndex, fetch_app
from passport.plan.scope import Scope, Translator, identity_of, school_of
from passport.plan.sources import AppSide, BaseLike, StoredLike, StoreSide


@dataclass
class EntityPlan:
    changes: list[Change] = field(default_factory=list)
    suppressed: list[Suppressed] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    existing: int = 0


@dataclass
class _Buckets:
    create: list[str] = field(default_factory=list)  # not in base
    update: list[str] = field(default_factory=list)  # in base, digests differ
    recreate: list[str] = field(default_factory=list)  # in base, store record gone
    delete: list[str] = field(default_factory=list)
    forget: list[str] = field(default_factory=list)  # in base, gone from both sides
    foreign_delete: list[str] = field(default_factory=list)  # deleted in app, not ours


def field_diff(before: Fields, after: Fields) -> tuple[str, ...]:
    names = sorted(set(before) | set(after))
    return tuple(n for n in names if before.get(n) != after.get(n))


def _only(fields: Fields, names: tuple[str, ...]) -> dict[str, Value]:
    return {n: fields[n] for n in names if n in fields}


def _bucket(
    entity: str,
    activation: str,
    index: SideIndex,
    complete: bool,
    store: StoreSide,
    store_tally: Tally,
) -> _Buckets:
    buckets = _Buckets()
    bases: Iterable[tuple[str, BaseLike]] = (
        (b.key, b) for b in store.base_scan(activation, entity)
    )
    for key, app_digest, base in merge_join(index.pairs, bases):
        if base is not None:
            store_tally.line(
                f"{key}\x1f{base.digest}\x1f{base.store_digest}\x1f{base.current_store_digest}"
            )
        gone = base is not None and base.current_store_digest is None
        if app_digest is None:
            if complete and base is not None:
                (buckets.forget if gone else buckets.delete).append(key)
        elif app_digest == DELETED:
            if base is None:
                buckets.foreign_delete.append(key)
            else:
                (buckets.forget if gone else buckets.delete).append(key)
        elif base is None:
            buckets.create.append(key)
        elif gone:
            buckets.recreate.append(key)
        elif app_digest != base.digest or base.current_store_digest != base.store_digest:
            buckets.update.append(key)
    return buckets


def plan_import_entity(
    entity: str,
    activation: str,
    index: SideIndex,
    app: AppSide,
    store: StoreSide,
    scope: Scope,
    translator: Translator,
    store_tally: Tally,
) -> EntityPlan:
    result = EntityPlan(existing=store.base_count(activation, entity))
    buckets = _bucket(entity, activation, index, app.is_complete(entity), store, store_tally)
    candidates = buckets.create + buckets.update
    stored = store.get(entity, candidates + buckets.delete) if candidates or buckets.delete else {}
    for key in sorted(stored):
        store_tally.add("get", key, stored[key].digest)
    owners = store.owners(entity, [k for k in buckets.create if k in stored])
    incoming = fetch_app(
        entity, app, buckets.create + buckets.update + buckets.recreate, scope, translator
    )
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
            result.changes.append(_adopt(entity, key, rec, current, scope))
        else:
            result.changes.append(_create(entity, key, rec))
    for key in buckets.update:
        rec = incoming.get(key)
        current = stored.get(key)
        if rec is None or current is None:
            continue
        change = _update(entity, key, rec, current, scope)
        result.changes.append(change or _refresh(entity, key, rec))
    for key in buckets.forget:
        result.changes.append(_bookkeeping(entity, key, Action.FORGET, "gone from both sides"))
    for key in buckets.delete:
        current = stored.get(key)
        if current is None:
            continue
        result.changes.append(_delete(entity, key, current.fields, scope))
    for key in buckets.foreign_delete:
        if key in stored or store.get(entity, [key]):
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


def _create(entity: str, key: str, rec: Record) -> Change:
    return Change(
        entity=entity,
        key=key,
        action=Action.CREATE,
        direction=Direction.IMPORT,
        after=rec.fields,
        school=school_of(entity, key, rec.fields),
        modified=rec.modified,
    )


def _update(entity: str, key: str, rec: Record, current: StoredLike, scope: Scope) -> Change | None:
    before = scope.project(entity, current.fields)
    changed = field_diff(before, rec.fields)
    if not changed:
        return None
    return Change(
        entity=entity,
        key=key,
        action=Action.UPDATE,
        direction=Direction.IMPORT,
        before=_only(before, changed),
        after=_only(rec.fields, changed),
        changed=changed,
        identity=identity_of(entity, {**current.fields, **rec.fields}),
        school=school_of(entity, key, rec.fields),
        modified=rec.modified,
    )


def _adopt(entity: str, key: str, rec: Record, current: StoredLike, scope: Scope) -> Change:
    change = _update(entity, key, rec, current, scope)
    if change is None:
        return Change(
            entity=entity,
            key=key,
            action=Action.LINK,
            direction=Direction.IMPORT,
            identity=identity_of(entity, rec.fields),
            school=school_of(entity, key, rec.fields),
            reason="takes ownership of an identical record already in the store",
        )
    return replace(change, reason="takes ownership of a record already in the store")


def _bookkeeping(entity: str, key: str, action: Action, reason: str) -> Change:
    return Change(entity=entity, key=key, action=action, direction=Direction.IMPORT, reason=reason)


def _refresh(entity: str, key: str, rec: Record) -> Change:
    """The store already holds what the application sends: only the base moves."""
    return Change(
        entity=entity,
        key=key,
        action=Action.LINK,
        direction=Direction.IMPORT,
        identity=identity_of(entity, rec.fields),
        school=school_of(entity, key, rec.fields),
        reason="the store already holds these values",
    )


def _delete(entity: str, key: str, fields: Fields, scope: Scope) -> Change:
    before = scope.project(entity, fields)
    return Change(
        entity=entity,
        key=key,
        action=Action.DELETE,
        direction=Direction.IMPORT,
        before=before,
        school=school_of(entity, key, fields),
    )
