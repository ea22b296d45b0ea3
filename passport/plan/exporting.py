"""The export direction for one entity: store -> application, owned through the base.

The desired state is the store's in-scope records, projected to the shared fields and
passed through the outgoing transform (the Privacy Shield). It is compared with what the
application holds, in store space. When the application cannot list the entity in full
(a delta target), what this activation last exported (the base) stands in for it.
An application record is deleted only if this activation put it there (it is in the base).
"""

from __future__ import annotations

from collections.abc import Callable

from passport.canonical import digest
from passport.model import Action, Direction, Fields
from passport.plan import changes
from passport.plan.changes import EntityPlan
from passport.plan.fingerprint import Tally
from passport.plan.join import merge_join
from passport.plan.reading import DELETED, SideIndex, fetch_app, index_app
from passport.plan.scope import Scope, Translator
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
    out = Direction.EXPORT
    for key in creates:
        if key in wanted:
            result.changes.append(changes.create(entity, key, out, wanted[key]))
    taken_over = "takes over a record already in the application"
    for key in updates:
        if key in wanted and key in current:
            reason = "" if key in bases else taken_over
            change = changes.update(entity, key, out, current[key], wanted[key], reason=reason)
            if change is not None:
                result.changes.append(change)
    for key in deletes:
        result.changes.append(changes.delete(entity, key, out, current.get(key, {})))
    same = "already in the application with the same values"
    for key in links:
        if key in wanted:
            link = changes.bookkeeping(entity, key, Action.LINK, out, same, wanted[key])
            result.changes.append(link)
    gone = "gone from the store and the application"
    for key in forgets:
        result.changes.append(changes.bookkeeping(entity, key, Action.FORGET, out, gone))
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
