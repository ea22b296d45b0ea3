"""Held source records: what the application side could not read, and what depends on it.

A connector reports the records it could not read (`Held`, with reason and place). The
plan holds what depends on them too: a class whose course is held is held ("depends on
held course c9"), its enrollments with it; so is a record that refers to one the source
marks deleted. A held record is never written, and its store copy is never read as a
delete. References to other entities are checked as records stream, and only where
something they refer to is held (so the common case costs nothing); references within an
entity (an org's parent, a session's parent, a user's agents) once the entity is read.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace

from passport.mapping.sharing import Sharing
from passport.model import Direction, Fields, Held, Record
from passport.oneroster import NOUNS, SPECS

# (entity, field) references a record cannot do without; `None` field: the key itself
# (demographics share their user's sourcedId).
_KEY_REFERENCES: Mapping[str, str] = {"demographics": "users"}

# (key, fields) -> the hold, or None
Check = Callable[[str, Fields], Held | None]


def held_of(app: object, entity: str) -> list[Held]:
    """What the application side held of the entity (nothing for a side that never holds)."""
    held = getattr(app, "held", None)
    return list(held(entity)) if callable(held) else []


def app_held(app: object, entity: str, sharing: Sharing) -> dict[str, Held]:
    """For exports and two-way: the application's records it could not read, by store
    key, once the entity was read; they are left alone in both directions."""
    found: dict[str, Held] = {}
    for held in held_of(app, entity):
        key = sharing.store_key(entity, held.key)
        reason = f"the application's copy cannot be read: {held.reason}"
        found.setdefault(key, replace(held, key=key, reason=reason, direction=Direction.EXPORT))
    return found


@dataclass
class Holds:
    """Everything one plan holds, by entity and store key, and the keys sources mark deleted."""

    direction: Direction = Direction.IMPORT
    held: dict[str, dict[str, Held]] = field(default_factory=dict)
    deleted: dict[str, set[str]] = field(default_factory=dict)

    def add(self, entity: str, records: Iterable[Held], to_store: Callable[[str], str]) -> None:
        """Records a connector held, their keys turned into store keys."""
        bucket = self.held.setdefault(entity, {})
        for held in records:
            key = to_store(held.key)
            if key not in bucket:
                bucket[key] = replace(held, key=key, direction=self.direction)

    def hold(self, held: Held) -> None:
        self.held.setdefault(held.entity, {}).setdefault(held.key, held)

    def of(self, entity: str) -> Mapping[str, Held]:
        return self.held.get(entity, {})

    def mark_deleted(self, entity: str, key: str) -> None:
        self.deleted.setdefault(entity, set()).add(key)

    def all(self) -> list[Held]:
        return [h for entity in self.held.values() for h in entity.values()]

    # --- references ----------------------------------------------------------------

    def checker(self, entity: str) -> Check | None:
        """The check of a record's references to other entities against what is held or
        deleted; None when nothing it refers to is either (the common case)."""
        spec = SPECS[entity]
        refs = [
            (ref.field, ref.target, spec.is_multi(ref.field))
            for ref in spec.references
            if ref.target != entity and self._watched(ref.target)
        ]
        by_key = _KEY_REFERENCES.get(entity)
        if by_key is not None and not self._watched(by_key):
            by_key = None
        if not refs and by_key is None:
            return None

        def check(key: str, fields: Fields) -> Held | None:
            if by_key is not None:
                found = self._blocked(entity, key, by_key, key)
                if found is not None:
                    return found
            for name, target, multi in refs:
                value = fields.get(name)
                if not value:
                    continue
                for item in value if multi and isinstance(value, list) else [value]:
                    found = self._blocked(entity, key, target, str(item), name)
                    if found is not None:
                        return found
            return None

        return check

    def self_holds(
        self, entity: str, records: Iterable[Record], to_key: Callable[[str], str]
    ) -> list[Held]:
        """Records of the entity that refer to a held record of the same entity (an org
        whose parent is held...), to a fixpoint; `records` is a fresh read of the entity."""
        names = [
            (ref.field, SPECS[entity].is_multi(ref.field))
            for ref in SPECS[entity].references
            if ref.target == entity
        ]
        held = self.held.get(entity, {})
        if not names or not held:
            return []
        edges: list[tuple[str, list[str], str]] = []
        for rec in records:
            if rec.deleted:
                continue
            for name, _ in names:
                value = rec.fields.get(name)
                if value:
                    items = value if isinstance(value, list) else [value]
                    edges.append((to_key(rec.key), [to_key(v) for v in items], name))
        found: list[Held] = []
        grew = True
        while grew:
            grew = False
            for key, targets, name in edges:
                if key in held:
                    continue
                parent = next((t for t in targets if t in held), None)
                if parent is not None:
                    new = _depends(entity, key, entity, parent, name, self.direction)
                    held[key] = new
                    found.append(new)
                    grew = True
        return found

    def _watched(self, target: str) -> bool:
        return bool(self.held.get(target)) or bool(self.deleted.get(target))

    def _blocked(
        self, entity: str, key: str, target: str, value: str, name: str = ""
    ) -> Held | None:
        if value in self.held.get(target, ()):
            return _depends(entity, key, target, value, name, self.direction)
        if value in self.deleted.get(target, ()):
            reason = f"it refers to {NOUNS[target]} {value!r}, which the source marks deleted"
            hint = f"delete the {NOUNS[entity]} in the source as well, or keep the {NOUNS[target]}"
            return Held(
                entity,
                key,
                reason,
                field=name,
                hint=hint,
                direction=self.direction,
                depends_on=(target, value),
            )
        return None


def _depends(
    entity: str, key: str, target: str, value: str, name: str, direction: Direction
) -> Held:
    return Held(
        entity,
        key,
        f"depends on held {NOUNS[target]} {value!r}",
        field=name,
        depends_on=(target, value),
        direction=direction,
    )


def circular_orgs(orgs: Collection[Record]) -> list[Held]:
    """Orgs whose chain of parents goes round in a circle (each org of the circle)."""
    parents = {}
    for org in orgs:
        parent = org.fields.get("parentSourcedId")
        if isinstance(parent, str) and not org.deleted:
            parents[org.key] = parent
    held: dict[str, Held] = {}
    for start in parents:
        path: list[str] = []
        node: str | None = start
        while node is not None and node not in path and node not in held:
            path.append(node)
            node = parents.get(node)
        if node is not None and node in path:
            circle = path[path.index(node) :]
            shown = " → ".join([*circle, node])
            for key in circle:
                reason = f"its parent orgs go round in a circle: {shown}"
                hint = "give one org of the circle a parent outside it, or none"
                held[key] = Held("orgs", key, reason, field="parentSourcedId", hint=hint)
    return list(held.values())
