"""The export direction for one entity: store -> application, owned through the base.

The desired state is the store's in-scope records, projected to the shared fields and
passed through the outgoing transform (the Privacy Shield). It is compared with what the
application holds, in store space. When the application cannot list the entity in full
(a delta target), what this activation last exported (the base) stands in for it.
An application record is deleted only if this activation put it there (it is in the base).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from passport.canonical import digest
from passport.model import Action, Change, Direction, Fields, Value
from passport.plan.fingerprint import Tally
from passport.plan.importing import EntityPlan, field_diff
from passport.plan.join import merge_join
from passport.plan.reading import DELETED, SideIndex, fetch_app, index_app
from passport.plan.scope import Scope, Translator, identity_of, school_of
from passport.plan.sources import AppSide, BaseLike, Progress, StoreSide

# (entity, key, projected store-space fields) -> the fields as the application may see them
Outgoing = Callable[[str, str, Fields], Fields]


def no_transform(entity: str, key: str, fields: Fields) -> Fields:
    return fields


def desired_index(
    entity: str,
    store: StoreSide,
    scope: Scope,
    outgoing: Outgoing,
    tally: Tally,
    progress: Progress,
) -> SideIndex:
    index = SideIndex()
    append = index.pairs.append
    stage = f"reading store {entity}"
    admit = scope.admitter(entity)
    for n, rec in enumerate(store.scan(entity), 1):
        if n % 50_000 == 0:
            progress(stage, n, None)
        if not admit(rec.key, rec.fields):
            continue
        tally.add(rec.key, rec.digest)
        fields = outgoing(entity, rec.key, scope.project(entity, scope.narrow(entity, rec.fields)))
        append((rec.key, digest(fields)))
    index.finish(entity, "the store")
    return index


def desired_records(
    entity: str, keys: list[str], store: StoreSide, scope: Scope, outgoing: Outgoing
) -> dict[str, Fields]:
    if not keys:
        return {}
    found = store.get(entity, keys)
    return {
        key: outgoing(entity, key, scope.project(entity, scope.narrow(entity, rec.fields)))
        for key, rec in found.items()
    }


def plan_export_entity(
    entity: str,
    activation: str,
    desired: SideIndex,
    app: AppSide,
    store: StoreSide,
    scope: Scope,
    translator: Translator,
    outgoing: Outgoing,
    app_tally: Tally,
    progress: Progress,
) -> EntityPlan:
    bases = {b.key: b for b in store.base_scan(activation, entity)}
    listed = app.is_complete(entity)
    if listed:
        actual = index_app(entity, app.read(entity), scope, translator, progress, admit=False)
    else:
        actual = SideIndex(sorted((k, b.digest) for k, b in bases.items()))
    app_tally.add_pairs(entity, actual.pairs)
    result = EntityPlan(existing=len(bases) if not listed else _owned(actual, bases))
    creates: list[str] = []
    updates: list[str] = []
    deletes: list[str] = []
    links: list[str] = []  # already equal in the application, base missing or behind
    forgets: list[str] = []  # gone from both sides, still in the base
    both = ((key, (want, have)) for key, want, have in merge_join(desired.pairs, actual.pairs))
    for key, sides, base in merge_join(both, sorted(bases.items())):
        want, have = sides if sides is not None else (None, None)
        if have == DELETED:
            have = None
        if want is None and have is None:
            forgets.append(key)
        elif want is None:
            if base is not None:
                deletes.append(key)
        elif have is None:
            creates.append(key)
        elif want != have:
            updates.append(key)
        elif base is None or base.digest != want:
            links.append(key)
    wanted = desired_records(entity, creates + updates + links, store, scope, outgoing)
    current = _current(entity, app, listed, updates + deletes, bases, scope, translator)
    for key in creates:
        if key in wanted:
            result.changes.append(_change(entity, key, Action.CREATE, None, wanted[key]))
    for key in updates:
        if key in wanted and key in current:
            change = _update(entity, key, current[key], wanted[key], key in bases)
            if change is not None:
                result.changes.append(change)
    for key in deletes:
        result.changes.append(_change(entity, key, Action.DELETE, current.get(key, {}), None))
    for key in links:
        if key in wanted:
            link = _change(entity, key, Action.LINK, None, None)
            identity = identity_of(entity, wanted[key])
            reason = "already in the application with the same values"
            result.changes.append(replace(link, identity=identity, reason=reason))
    for key in forgets:
        forget = _change(entity, key, Action.FORGET, None, None)
        result.changes.append(replace(forget, reason="gone from the store and the application"))
    return result


def _owned(actual: SideIndex, bases: dict[str, BaseLike]) -> int:
    return sum(1 for key, _ in actual.pairs if key in bases)


def _current(
    entity: str,
    app: AppSide,
    listed: bool,
    keys: list[str],
    bases: dict[str, BaseLike],
    scope: Scope,
    translator: Translator,
) -> dict[str, Fields]:
    if listed:
        return {k: r.fields for k, r in fetch_app(entity, app, keys, scope, translator).items()}
    return {k: dict(bases[k].fields or {}) for k in keys if k in bases}


def _only(fields: Fields, names: Iterable[str]) -> dict[str, Value]:
    return {n: fields[n] for n in names if n in fields}


def _change(
    entity: str, key: str, action: Action, before: Fields | None, after: Fields | None
) -> Change:
    shown = after if after is not None else (before or {})
    return Change(
        entity=entity,
        key=key,
        action=action,
        direction=Direction.EXPORT,
        before=before,
        after=after,
        school=school_of(entity, key, shown),
    )


def _update(entity: str, key: str, before: Fields, after: Fields, owned: bool) -> Change | None:
    changed = field_diff(before, after)
    if not changed:
        return None
    return Change(
        entity=entity,
        key=key,
        action=Action.UPDATE,
        direction=Direction.EXPORT,
        before=_only(before, changed),
        after=_only(after, changed),
        changed=changed,
        identity=identity_of(entity, after),
        school=school_of(entity, key, after),
        reason="" if owned else "takes over a record already in the application",
    )
