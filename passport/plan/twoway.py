"""The two-way direction for one entity: a three-way comparison per record.

Records are compared as the application holds them (`Sharing.outgoing` for the store's,
`Sharing.seen` for the application's, the base as last agreed) by digest; only records
whose digests differ are loaded in full and merged field by field
(`passport.plan.merge`). What flows into the store is turned back into the store's shape
(`Sharing.back`). Per record:

| store | app | base | meaning                              | plan                               |
|-------|-----|------|--------------------------------------|------------------------------------|
| S     | A   | -    | first seen on both sides             | equal: link; else merge, no base   |
| S     | A   | B    | present everywhere                   | three-way field merge              |
| S     | -   | -    | created in the store                 | export create                      |
| -     | A   | -    | created in the application           | import create (if in scope)        |
| S     | -   | B    | deleted in the application           | S = B: import delete; else conflict|
| -     | A   | B    | deleted from the store (or out of    | A = B: export delete; else conflict|
|       |     |      | scope now)                           |                                    |

An update against a delete is a conflict: `store-wins` and `app-wins` let that side's
state win; `newest` keeps the update (a delete has no date); `stop` blocks apply.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, replace

from passport.canonical import digest
from passport.mapping.sharing import Sharing
from passport.model import (
    Action,
    Change,
    Conflict,
    ConflictPolicy,
    Direction,
    Fields,
    Value,
)
from passport.plan import changes
from passport.plan.changes import EntityPlan, only
from passport.plan.fingerprint import Tally
from passport.plan.holding import app_held
from passport.plan.join import merge_join
from passport.plan.merge import FieldMerge, merge_fields
from passport.plan.reading import DELETED, SideIndex, fetch_app, index_app
from passport.plan.sources import AppSide, BaseLike, Progress, StoreSide


@dataclass
class TwoWayInputs:
    entity: str
    activation: str
    app: AppSide
    store: StoreSide
    sharing: Sharing
    policy: ConflictPolicy
    store_tally: Tally
    app_tally: Tally
    progress: Progress

    @property
    def shielded(self) -> Collection[str]:
        return self.sharing.shielded_in(self.entity)


@dataclass
class _Sides:
    """The full records of the keys that need them, as the application holds them (and the
    store's, as the store shares them)."""

    store: dict[str, Fields]
    store_shared: dict[str, Fields]
    store_modified: dict[str, str | None]
    app: dict[str, Fields]
    app_modified: dict[str, str | None]


def _app_index(inp: TwoWayInputs, bases: dict[str, BaseLike]) -> SideIndex:
    index = index_app(inp.entity, inp.app.read(inp.entity), inp.sharing, inp.progress)
    if inp.app.is_complete(inp.entity):
        return index
    # A delta lists only what changed: every other record is as last agreed.
    listed = {key for key, _ in index.pairs}
    index.pairs.extend((k, b.digest) for k, b in bases.items() if k not in listed)
    index.finish(inp.entity, "the application")
    return index


def _triples(
    store_index: SideIndex, app_index: SideIndex, bases: dict[str, BaseLike]
) -> Iterator[tuple[str, str | None, str | None, BaseLike | None]]:
    pairs = merge_join(store_index.pairs, app_index.pairs)
    both = ((key, (s, a)) for key, s, a in pairs)
    for key, sides, base in merge_join(both, sorted(bases.items())):
        s, a = sides if sides is not None else (None, None)
        yield key, s, (None if a == DELETED else a), base


def plan_two_way_entity(inp: TwoWayInputs, store_index: SideIndex) -> EntityPlan:
    entity = inp.entity
    bases = {b.key: b for b in inp.store.base_scan(inp.activation, entity)}
    app_index = _app_index(inp, bases)
    inp.app_tally.add_pairs(entity, app_index.pairs)
    result = EntityPlan(existing=len(bases))
    # A record the application holds but could not be read is left alone both ways: its
    # absence from the listing is not a delete, and the store's copy does not overwrite it.
    unreadable = app_held(inp.app, entity, inp.sharing)
    result.held = list(unreadable.values())
    links: list[str] = []
    merges: list[str] = []
    exports: list[str] = []  # created in the store
    imports: list[str] = []  # created in the application
    app_deleted: list[str] = []
    store_deleted: list[str] = []
    forgets: list[str] = []
    for key, s, a, base in _triples(store_index, app_index, bases):
        if key in unreadable:
            continue
        if s is not None and a is not None:
            if s == a:
                if base is None or base.digest != s:
                    links.append(key)
                else:
                    result.unchanged += 1
            else:
                merges.append(key)
        elif s is not None:
            (exports if base is None else app_deleted).append(key)
        elif a is not None:
            (imports if base is None else store_deleted).append(key)
        elif base is not None:
            forgets.append(key)
    sides = _load(inp, links + merges + exports + app_deleted, merges + imports + store_deleted)
    if not inp.app.is_complete(entity):
        # A delta lists only what changed: a record it leaves out is as last agreed.
        for key in merges + store_deleted:
            base = bases.get(key)
            if key not in sides.app and base is not None and base.fields is not None:
                sides.app[key] = base.fields
    in_store = inp.store.get(entity, imports + store_deleted)
    for key in links:
        _link(inp, key, sides, result)
    for key in forgets:
        gone = "gone from both sides"
        result.changes.append(
            changes.bookkeeping(entity, key, Action.FORGET, Direction.EXPORT, gone)
        )
    for key in merges:
        _merge(inp, key, sides, bases.get(key), result)
    for key in exports:
        if key in sides.store:
            result.changes.append(_export_create(inp, key, sides))
    for key in imports:
        _import_create(inp, key, sides, key in in_store, result)
    for key in app_deleted:
        _app_deleted(inp, key, sides, bases[key], result)
    for key in store_deleted:
        _store_deleted(inp, key, sides, bases[key], key in in_store, result)
    return result


def _load(inp: TwoWayInputs, store_keys: list[str], app_keys: list[str]) -> _Sides:
    sharing, entity = inp.sharing, inp.entity
    stored = inp.store.get(entity, store_keys) if store_keys else {}
    fetched = fetch_app(entity, inp.app, app_keys, sharing)
    return _Sides(
        store={k: sharing.outgoing(entity, k, r.fields) for k, r in stored.items()},
        store_shared={k: sharing.shared(entity, r.fields) for k, r in stored.items()},
        store_modified={k: r.modified for k, r in stored.items()},
        app={k: r.fields for k, r in fetched.items()},
        app_modified={k: r.modified for k, r in fetched.items()},
    )


def _without(fields: Fields, names: Collection[str]) -> dict[str, Value]:
    return {k: v for k, v in fields.items() if k not in names}


def _link(inp: TwoWayInputs, key: str, sides: _Sides, result: EntityPlan) -> None:
    view = sides.store.get(key)
    if view is None:
        return  # vanished between passes; the fingerprint check catches a moving source
    result.changes.append(
        changes.bookkeeping(
            inp.entity,
            key,
            Action.LINK,
            Direction.EXPORT,
            "the same on both sides",
            view,
            app_key=inp.sharing.app_key(inp.entity, key),
            agreed=view,
            school_fields=sides.store_shared[key],
        )
    )


def _export_create(inp: TwoWayInputs, key: str, sides: _Sides) -> Change:
    return changes.create(
        inp.entity,
        key,
        Direction.EXPORT,
        sides.store[key],
        app_key=inp.sharing.app_key(inp.entity, key),
        school_fields=sides.store_shared[key],
    )


def _export_delete(inp: TwoWayInputs, key: str, view: Fields, reason: str = "") -> Change:
    return changes.delete(
        inp.entity,
        key,
        Direction.EXPORT,
        view,
        reason,
        app_key=inp.sharing.app_key(inp.entity, key),
        school_fields=inp.sharing.back(inp.entity, key, view),
    )


def _import_delete(inp: TwoWayInputs, key: str, sides: _Sides) -> Change:
    return changes.delete(inp.entity, key, Direction.IMPORT, sides.store_shared[key])


def _import_create_change(inp: TwoWayInputs, key: str, fields: Fields) -> Change:
    """The store's new record: what the application holds, but what the shield guards."""
    return changes.create(
        inp.entity,
        key,
        Direction.IMPORT,
        fields,
        agreed=inp.sharing.outgoing(inp.entity, key, fields),
    )


def _incoming(inp: TwoWayInputs, key: str, view: Fields) -> Fields:
    return inp.sharing.back(inp.entity, key, _without(view, inp.shielded))


def _overlaid(fields: Fields, moves: dict[str, Value | None]) -> dict[str, Value]:
    out = dict(fields)
    for name, value in moves.items():
        if value is None:
            out.pop(name, None)
        else:
            out[name] = value
    return out


def _updates(inp: TwoWayInputs, key: str, sides: _Sides, merged: FieldMerge) -> list[Change]:
    """The merge's field moves as at most one update each way."""
    entity, sharing = inp.entity, inp.sharing
    store, app = sides.store[key], sides.app[key]
    agreed = _overlaid(store, merged.to_store)
    out: list[Change | None] = []
    if merged.to_store:
        now, then = sharing.back(entity, key, store), sharing.back(entity, key, agreed)
        out.append(
            changes.update(
                entity,
                key,
                Direction.IMPORT,
                now,
                then,
                shown={**sides.store_shared[key], **then},
                agreed=agreed,
            )
        )
    if merged.to_app:
        names = merged.to_app
        out.append(
            changes.update(
                entity,
                key,
                Direction.EXPORT,
                only(app, names),
                only(store, names),
                shown=store,
                app_key=sharing.app_key(entity, key),
                agreed=_overlaid(app, merged.to_app),
                school_fields=sides.store_shared[key],
            )
        )
    return [c for c in out if c is not None]


def _merge(
    inp: TwoWayInputs, key: str, sides: _Sides, base: BaseLike | None, result: EntityPlan
) -> None:
    store, app = sides.store.get(key), sides.app.get(key)
    if store is None or app is None:
        return  # vanished between passes; the fingerprint check catches a moving source
    merged = merge_fields(
        store,
        app,
        base.fields if base is not None else None,
        inp.shielded,
        inp.policy,
        sides.store_modified.get(key),
        sides.app_modified.get(key),
        inp.sharing.authority_in(inp.entity),
    )
    result.changes.extend(_updates(inp, key, sides, merged))
    if merged.conflicts:
        names = tuple(merged.conflicts)
        agreed = base.fields if base is not None else None
        result.conflicts.append(
            Conflict(
                inp.entity,
                key,
                "field" if base is not None else "both-created",
                names,
                merged.resolution,
                only(store, names),
                only(app, names),
                only(agreed, names) if agreed is not None else None,
            )
        )


def _import_create(
    inp: TwoWayInputs, key: str, sides: _Sides, exists: bool, result: EntityPlan
) -> None:
    view = sides.app.get(key)
    if view is None:
        return
    fields = _incoming(inp, key, view)
    if not inp.sharing.scope.admit(inp.entity, key, fields):
        return
    if exists:
        return  # the store holds it outside this activation's scope: not ours to change
    result.changes.append(_import_create_change(inp, key, fields))


def _app_deleted(
    inp: TwoWayInputs, key: str, sides: _Sides, base: BaseLike, result: EntityPlan
) -> None:
    store = sides.store.get(key)
    if store is None:
        return
    if base.digest == digest(store):
        result.changes.append(_import_delete(inp, key, sides))
        return
    _update_delete(
        inp,
        key,
        store,
        "store",
        base,
        result,
        keep=_export_create(inp, key, sides),
        drop=_import_delete(inp, key, sides),
    )


def _store_deleted(
    inp: TwoWayInputs,
    key: str,
    sides: _Sides,
    base: BaseLike,
    out_of_scope: bool,
    result: EntityPlan,
) -> None:
    app = sides.app.get(key)
    if app is None:
        return
    if out_of_scope or base.digest == digest(app):
        reason = "left this activation's scope" if out_of_scope else ""
        retire = getattr(inp.sharing.fields, "retire", None)
        if callable(retire):
            # An application that suspends rather than deletes (Google).
            what, view, why = retire(inp.entity, key, base.fields or {}, app)
            if what == "keep":
                return
            if what == "suspend" and view is not None:
                _suspend(inp, key, app, view, why, result)
                return
            reason = why or reason
        result.changes.append(_export_delete(inp, key, app, reason))
        return
    _update_delete(
        inp,
        key,
        app,
        "app",
        base,
        result,
        keep=_import_create_change(inp, key, _incoming(inp, key, app)),
        drop=_export_delete(inp, key, app),
    )


def _suspend(
    inp: TwoWayInputs, key: str, app: Fields, view: Fields, why: str, result: EntityPlan
) -> None:
    change = changes.update(
        inp.entity,
        key,
        Direction.EXPORT,
        app,
        view,
        reason=why,
        app_key=inp.sharing.app_key(inp.entity, key),
        agreed=view,
        school_fields=inp.sharing.back(inp.entity, key, app),
    )
    if change is not None:
        result.changes.append(change)
        result.suspends += 1


def _update_delete(
    inp: TwoWayInputs,
    key: str,
    updated: Fields,
    updater: str,
    base: BaseLike,
    result: EntityPlan,
    keep: Change,
    drop: Change,
) -> None:
    """One side updated what the other deleted."""
    policy = inp.policy
    names = tuple(sorted(updated))
    conflict = Conflict(
        inp.entity,
        key,
        "update-delete",
        names,
        store=dict(updated) if updater == "store" else None,
        app=dict(updated) if updater == "app" else None,
        base=dict(base.fields) if base.fields is not None else None,
    )
    if policy is ConflictPolicy.STOP:
        result.conflicts.append(conflict)
        return
    winner = {"store-wins": "store", "app-wins": "app"}.get(policy.value, updater)
    kept = winner == updater
    how = "the update is kept" if kept else "the delete is carried out"
    result.conflicts.append(replace(conflict, resolution=f"{policy.value}: {how}"))
    result.changes.append(keep if kept else drop)
