"""Building the Changes of a plan, the same way for every direction.

Creates and deletes carry the whole record (their identity is read from it when shown);
updates carry only the changed fields, so they keep the record's identifying fields in
`identity`; links and forgets carry no values at all. Each carries what apply needs: the
application's key where it differs, and the record both sides agree on afterwards.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field

from passport.mapping.scope import identity_of, school_of
from passport.model import Action, Change, Conflict, Direction, Fields, Held, Suppressed, Value
from passport.plan.spill import ChangeLog


@dataclass
class EntityPlan:
    """What planning one entity in one or both directions found."""

    changes: ChangeLog = field(default_factory=ChangeLog)
    suppressed: list[Suppressed] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    existing: int = 0
    unchanged: int = 0  # source records that already agree
    held: list[Held] = field(default_factory=list)
    out_of_scope: Counter[str] = field(default_factory=Counter)  # reason -> records
    read: int = 0  # source records read (import)
    marked_deleted: int = 0  # of them, marked deleted by the source (import)
    suspends: int = 0  # updates that suspend a record gone from the store: deletes for safety


def only(fields: Fields, names: Collection[str]) -> dict[str, Value]:
    return {n: fields[n] for n in names if n in fields}


def field_diff(before: Fields, after: Fields) -> tuple[str, ...]:
    names = sorted(set(before) | set(after))
    return tuple(n for n in names if before.get(n) != after.get(n))


def create(
    entity: str,
    key: str,
    direction: Direction,
    fields: Fields,
    modified: str | None = None,
    *,
    app_key: str = "",
    agreed: Fields | None = None,
    school_fields: Fields | None = None,
    school: str | None = None,
) -> Change:
    """`school_fields`: the store-space record the school is read from, when `fields`
    are in the application's shape; `school`: the school itself, already read."""
    if school is None:
        school = school_of(entity, key, fields if school_fields is None else school_fields)
    return Change(
        entity=entity,
        key=key,
        action=Action.CREATE,
        direction=direction,
        after=fields,
        school=school,
        modified=modified,
        app_key=_differing(app_key, key),
        agreed=agreed,
    )


def delete(
    entity: str,
    key: str,
    direction: Direction,
    fields: Fields,
    reason: str = "",
    *,
    app_key: str = "",
    school_fields: Fields | None = None,
) -> Change:
    return Change(
        entity=entity,
        key=key,
        action=Action.DELETE,
        direction=direction,
        before=fields,
        school=school_of(entity, key, fields if school_fields is None else school_fields),
        reason=reason,
        app_key=_differing(app_key, key),
    )


def update(
    entity: str,
    key: str,
    direction: Direction,
    before: Fields,
    after: Fields,
    *,
    shown: Fields | None = None,
    modified: str | None = None,
    reason: str = "",
    app_key: str = "",
    agreed: Fields | None = None,
    school_fields: Fields | None = None,
    school: str | None = None,
) -> Change | None:
    """The update from `before` to `after`, or None when no field differs. `shown` is the
    whole record the update belongs to (default: `after`), for its identity and school."""
    changed = field_diff(before, after)
    if not changed:
        return None
    whole = after if shown is None else shown
    if school is None:
        school = school_of(entity, key, whole if school_fields is None else school_fields)
    return Change(
        entity=entity,
        key=key,
        action=Action.UPDATE,
        direction=direction,
        before=only(before, changed),
        after=only(after, changed),
        changed=changed,
        identity=identity_of(entity, whole),
        school=school,
        modified=modified,
        reason=reason,
        app_key=_differing(app_key, key),
        agreed=agreed,
    )


def bookkeeping(
    entity: str,
    key: str,
    action: Action,
    direction: Direction,
    reason: str,
    shown: Fields | None = None,
    *,
    app_key: str = "",
    agreed: Fields | None = None,
    school_fields: Fields | None = None,
    school: str | None = None,
) -> Change:
    """A LINK or FORGET: only the base moves (to `agreed`, for a link)."""
    whole = shown or {}
    if school is None:
        school = school_of(entity, key, whole if school_fields is None else school_fields)
    return Change(
        entity=entity,
        key=key,
        action=action,
        direction=direction,
        identity=identity_of(entity, whole),
        school=school,
        reason=reason,
        app_key=_differing(app_key, key),
        agreed=agreed,
    )


def _differing(app_key: str, key: str) -> str:
    return "" if app_key == key else app_key
