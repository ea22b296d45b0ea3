"""The export direction for one entity: store -> application, owned through the base.

The desired state is the store's in-scope records as the application will hold them
(`Sharing.outgoing`: shared fields, Privacy Shield, the application's shape). It is
compared with what the application holds (`Sharing.seen`), keyed by the store's key.
When the application cannot list the entity in full (a delta target), what this
activation last exported (the base) stands in for it. An application record is deleted
only if this activation put it there (it is in the base).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from passport.canonical import digest
from passport.mapping.scope import school_of
from passport.mapping.sharing import Sharing
from passport.model import Action, Direction, Fields, Held
from passport.plan import changes
from passport.plan.changes import EntityPlan
from passport.plan.fingerprint import Tally
from passport.plan.holding import app_held
from passport.plan.join import merge_join
from passport.plan.reading import DELETED, SideIndex, fetch_app, index_app
from passport.plan.sources import AppSide, BaseLike, Progress, StoreSide

# How many store records are read at once for the records a plan sends.
RECORDS_AT_ONCE = 5_000


@dataclass(frozen=True, slots=True)
class Desired:
    """One store record on its way out: as the application will hold it, and the school
    it belongs to (read off the record as the store shares it, which is not kept: a
    first export holds a Desired for every record of the district)."""

    view: Fields
    school: str
    modified: str | None = None  # the store record's own dateLastModified


def desired_index(
    entity: str, store: StoreSide, sharing: Sharing, tally: Tally, progress: Progress
) -> SideIndex:
    index = SideIndex()
    append = index.pairs.append
    stage = f"reading store {entity}"
    admit = sharing.scope.admitter(entity)
    outgoing = sharing.outgoing
    for n, rec in enumerate(store.scan(entity), 1):
        if n % 50_000 == 0:
            progress(stage, n, None)
        if not admit(rec.key, rec.fields):
            continue
        tally.add(rec.key, rec.digest)
        append((rec.key, digest(outgoing(entity, rec.key, rec.fields))))
    index.finish(entity, "the store")
    return index


def plan_first_export(inp: ExportInputs, store_tally: Tally) -> EntityPlan:
    """The plan of an entity this activation never exported to an application that cannot
    list it (a new bulk bundle): with no base and nothing listed, every record in scope is
    a create (or held, when the application cannot take it), planned in the one pass over
    the store that reads it: no index of view digests to compare with nothing, no second
    read of the records by key. It is the plan `plan_export_entity` makes of the same
    entity, change for change (tests/plan/test_export_plan.py)."""
    entity, sharing, store = inp.entity, inp.sharing, inp.store
    inp.app_tally.add_pairs(entity, [])
    result = EntityPlan()
    admit, outgoing, shared = sharing.scope.admitter(entity), sharing.outgoing, sharing.shared
    missing = _missing(sharing)
    held: list[Held] = []
    append, create, out = result.changes.append, changes.create, Direction.EXPORT
    stage = f"reading store {entity}"
    for n, rec in enumerate(store.scan(entity), 1):
        if n % 50_000 == 0:
            inp.progress(stage, n, None)
        key, fields = rec.key, rec.fields
        if not admit(key, fields):
            continue
        store_tally.add(key, rec.digest)
        view = outgoing(entity, key, fields)
        refused = None if missing is None else _refused(missing, entity, key, view)
        if refused is not None:
            held.append(refused)
            continue
        school = school_of(entity, key, shared(entity, fields))
        app_key = sharing.app_key(entity, key)
        append(create(entity, key, out, view, rec.modified, app_key=app_key, school=school))
    result.held = sorted(held, key=lambda h: h.key)  # as the merge-join finds them
    return result


def desired_records(
    entity: str, keys: list[str], store: StoreSide, sharing: Sharing
) -> dict[str, Desired]:
    """The records among `keys` on their way out (callers ask a part at a time, so that
    only a part's application views are held, never the store's records too)."""
    wanted: dict[str, Desired] = {}
    outgoing, shared = sharing.outgoing, sharing.shared
    for key, rec in store.get(entity, keys).items():
        school = school_of(entity, key, shared(entity, rec.fields))
        wanted[key] = Desired(outgoing(entity, key, rec.fields), school, rec.modified)
    return wanted


def _parts(
    entity: str, keys: list[str], store: StoreSide, sharing: Sharing, held: list[Held] | None
) -> Iterator[tuple[list[str], dict[str, Desired]]]:
    """`keys` a part at a time with their records on their way out; unless `held` is
    None, those the application cannot take as it would hold them are added to it and
    left out."""
    for start in range(0, len(keys), RECORDS_AT_ONCE):
        part = keys[start : start + RECORDS_AT_ONCE]
        wanted = desired_records(entity, part, store, sharing)
        if held is None:
            yield part, wanted
            continue
        unholdable = _unholdable(entity, wanted, part, sharing)
        for found in unholdable:
            wanted.pop(found.key, None)
        held += unholdable
        yield part, wanted


@dataclass
class ExportInputs:
    entity: str
    activation: str
    app: AppSide
    store: StoreSide
    sharing: Sharing
    app_tally: Tally
    progress: Progress


def plan_export_entity(inp: ExportInputs, desired: SideIndex) -> EntityPlan:
    entity, app, sharing = inp.entity, inp.app, inp.sharing
    bases = {b.key: b for b in inp.store.base_scan(inp.activation, entity)}
    listed = app.is_complete(entity)
    if listed:
        actual = index_app(entity, app.read(entity), sharing, inp.progress)
    else:
        actual = SideIndex(sorted((k, b.digest) for k, b in bases.items()))
    inp.app_tally.add_pairs(entity, actual.pairs)
    result = EntityPlan(existing=len(bases) if not listed else _owned(actual, bases))
    creates: list[str] = []
    updates: list[str] = []
    deletes: list[str] = []
    links: list[str] = []  # already equal in the application, base missing or behind
    forgets: list[str] = []  # gone from both sides, still in the base
    unreadable = app_held(app, entity, sharing) if listed else {}
    both = ((key, (want, have)) for key, want, have in merge_join(desired.pairs, actual.pairs))
    for key, sides, base in merge_join(both, sorted(bases.items())):
        if key in unreadable:
            continue  # the application's copy cannot be read: left alone, listed as held
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
        else:
            result.unchanged += 1  # the application holds it as agreed: nothing to do
    result.held = []
    current = _current(entity, app, listed, updates + deletes, bases, sharing)
    out = Direction.EXPORT
    # Planned a part at a time into the plan's log, so a first export never holds every
    # record it sends (held: what the application could not take, in key order per part).
    for part, wanted in _parts(entity, creates, inp.store, sharing, result.held):
        for key in part:
            if key in wanted:
                goal = wanted[key]
                result.changes.append(
                    changes.create(
                        entity,
                        key,
                        out,
                        goal.view,
                        goal.modified,
                        app_key=sharing.app_key(entity, key),
                        school=goal.school,
                    )
                )
    taken_over = "takes over a record already in the application"
    link_reason = getattr(sharing.fields, "link_reason", None)
    for key, wanted in _keyed(_parts(entity, updates, inp.store, sharing, result.held)):
        if key in wanted and key in current:
            goal = wanted[key]
            change = changes.update(
                entity,
                key,
                out,
                current[key],
                goal.view,
                modified=goal.modified,
                reason=""
                if key in bases
                else link_reason(entity, key)
                if callable(link_reason)
                else taken_over,
                app_key=sharing.app_key(entity, key),
                agreed=goal.view,
                school=goal.school,
            )
            if change is not None and key not in bases and callable(link_reason):
                # A first-sync match (Google: by externalIds or address): a link, which
                # writes what makes it this record's (the join key) and records the base.
                change = replace(change, action=Action.LINK)
            if change is not None:
                result.changes.append(change)
            else:
                result.unchanged += 1
    retire = getattr(sharing.fields, "retire", None)
    for key in deletes:
        gone = current.get(key, {})
        reason = ""
        if callable(retire):
            what, view, reason = retire(entity, key, bases[key].fields or {}, gone)
            if what == "keep":
                continue
            if what == "suspend" and view is not None:
                _suspend(entity, key, gone, view, reason, sharing, result)
                continue
        result.changes.append(
            changes.delete(
                entity,
                key,
                out,
                gone,
                reason,
                app_key=sharing.app_key(entity, key),
                school_fields=sharing.back(entity, key, gone),
            )
        )
    result.held += unreadable.values()
    same = "already in the application with the same values"
    for key, wanted in _keyed(_parts(entity, links, inp.store, sharing, None)):
        if key in wanted:
            goal = wanted[key]
            link = changes.bookkeeping(
                entity,
                key,
                Action.LINK,
                out,
                same,
                goal.view,
                app_key=sharing.app_key(entity, key),
                agreed=goal.view,
                school=goal.school,
            )
            result.changes.append(link)
    gone_both = "gone from the store and the application"
    for key in forgets:
        result.changes.append(changes.bookkeeping(entity, key, Action.FORGET, out, gone_both))
    return result


def _keyed(
    parts: Iterator[tuple[list[str], dict[str, Desired]]],
) -> Iterator[tuple[str, dict[str, Desired]]]:
    for part, wanted in parts:
        for key in part:
            yield key, wanted


def _suspend(
    entity: str,
    key: str,
    current: Fields,
    view: Fields,
    reason: str,
    sharing: Sharing,
    result: EntityPlan,
) -> None:
    """An application that suspends rather than deletes (Google): the record gone from the
    store is updated to its suspended form, and counted like a delete for safety."""
    change = changes.update(
        entity,
        key,
        Direction.EXPORT,
        current,
        view,
        reason=reason,
        app_key=sharing.app_key(entity, key),
        agreed=view,
        school_fields=sharing.back(entity, key, current),
    )
    if change is not None:
        result.changes.append(change)
        result.suspends += 1


def _unholdable(
    entity: str, wanted: dict[str, Desired], keys: list[str], sharing: Sharing
) -> list[Held]:
    """Records the application cannot take as it would hold them (a required field
    missing): held, not sent half-made."""
    missing = _missing(sharing)
    if missing is None:
        return []
    held = []
    for key in keys:
        goal = wanted.get(key)
        refused = _refused(missing, entity, key, goal.view) if goal is not None else None
        if refused is not None:
            held.append(refused)
    return held


# (entity, the record as the application would hold it, key=) -> why it cannot take it
_Missing = Callable[..., str | None]


def _missing(sharing: Sharing) -> _Missing | None:
    missing = getattr(sharing.fields, "missing", None)
    return missing if callable(missing) else None


def _refused(missing: _Missing, entity: str, key: str, view: Fields) -> Held | None:
    why = missing(entity, view, key=key)
    if not why:
        return None
    hint = "give the record the field in the store's source, or stop sharing it"
    return Held(entity, key, why, hint=hint, direction=Direction.EXPORT)


def _owned(actual: SideIndex, bases: dict[str, BaseLike]) -> int:
    return sum(1 for key, _ in actual.pairs if key in bases)


def _current(
    entity: str,
    app: AppSide,
    listed: bool,
    keys: list[str],
    bases: dict[str, BaseLike],
    sharing: Sharing,
) -> dict[str, Fields]:
    if listed:
        return {k: r.fields for k, r in fetch_app(entity, app, keys, sharing).items()}
    return {k: dict(bases[k].fields or {}) for k in keys if k in bases}
