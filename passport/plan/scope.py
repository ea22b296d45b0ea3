"""What one activation shares: which schools (and ids), which entities and fields, which rows.

Plans compare in *store space*: application school ids are translated to store ids on the
way in (`to_store`) and back on the way out (`to_app`). Scope membership follows the
references: a class is in scope when its school is mapped and its course is in scope, an
enrollment when its school, class and user are, demographics when their user is.
Entities are scoped in dependency order so that the kept keys of earlier ones are known.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from passport.model import Activation, Fields, Filter, Value
from passport.oneroster import ENTITIES, SCHOOL_REFERENCES, SPECS

IDENTITY_FIELDS: Mapping[str, tuple[str, ...]] = {
    "orgs": ("name", "type"),
    "academicSessions": ("title", "type"),
    "courses": ("title", "courseCode"),
    "classes": ("title", "classCode"),
    "users": ("role", "username"),
    "demographics": (),
    "enrollments": ("role", "classSourcedId", "userSourcedId"),
}

SCHOOL_FIELD: Mapping[str, str] = {
    "courses": "orgSourcedId",
    "classes": "schoolSourcedId",
    "users": "orgSourcedIds",
    "enrollments": "schoolSourcedId",
}


@dataclass(frozen=True, slots=True)
class SchoolIds:
    """The school mapping in both directions; `same_id` maps unmapped ids to themselves."""

    app_to_store: Mapping[str, str]
    store_to_app: Mapping[str, str]
    same_id: bool

    @classmethod
    def of(cls, activation: Activation) -> SchoolIds:
        forward = {m.app: m.store for m in activation.schools}
        backward = {m.store: m.app for m in activation.schools}
        return cls(forward, backward, activation.school_auto == "same-id")

    def to_store(self, app_id: str) -> str:
        return self.app_to_store.get(app_id, app_id)

    def to_app(self, store_id: str) -> str:
        return self.store_to_app.get(store_id, store_id)

    def is_mapped_store_id(self, store_id: str) -> bool:
        return self.same_id or store_id in self.store_to_app


def _translate_value(value: Value, convert: dict[str, str]) -> Value:
    if isinstance(value, list):
        return [convert.get(v, v) for v in value]
    return convert.get(value, value)


class Translator:
    """Rewrites school ids in keys and references between the two spaces."""

    def __init__(self, schools: SchoolIds) -> None:
        self._to_store = dict(schools.app_to_store)
        self._to_app = dict(schools.store_to_app)

    def key_to_store(self, entity: str, key: str) -> str:
        return self._to_store.get(key, key) if entity == "orgs" else key

    def key_to_app(self, entity: str, key: str) -> str:
        return self._to_app.get(key, key) if entity == "orgs" else key

    def fields_to_store(self, entity: str, fields: Fields) -> Fields:
        return self._rewrite(entity, fields, self._to_store)

    def fields_to_app(self, entity: str, fields: Fields) -> Fields:
        return self._rewrite(entity, fields, self._to_app)

    @staticmethod
    def _rewrite(entity: str, fields: Fields, convert: dict[str, str]) -> Fields:
        if not convert:
            return fields
        names = SCHOOL_REFERENCES.get(entity, ())
        if not any(n in fields for n in names):
            return fields
        out = dict(fields)
        for name in names:
            if name in out:
                out[name] = _translate_value(out[name], convert)
        return out


def _matches(rule: Filter, value: Value | None) -> bool:
    values = value if isinstance(value, list) else ([] if value is None else [value])
    target = rule.value
    op = rule.op
    if op == "is-empty":
        return not values
    if op == "is-not-empty":
        return bool(values)
    if op == "equals":
        return target in values
    if op == "not-equals":
        return target not in values
    if op == "in":
        options = target if isinstance(target, list) else [target]
        return any(v in options for v in values)
    if op == "contains":
        return any(str(target) in v for v in values)
    if op == "starts-with":
        return any(v.startswith(str(target)) for v in values)
    if op == "before":
        return any(v < str(target) for v in values)
    if op == "after":
        return any(v > str(target) for v in values)
    raise ValueError(f"unknown filter operator {op!r}")


@dataclass
class Scope:
    """Decides membership and projection, in store space, for one direction of one plan."""

    activation: Activation
    schools: SchoolIds
    filters: Mapping[str, tuple[Filter, ...]]
    kept: dict[str, set[str]] = field(default_factory=dict)
    scope_orgs: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, activation: Activation) -> Scope:
        by_entity: dict[str, list[Filter]] = {}
        for rule in activation.filters:
            by_entity.setdefault(rule.entity, []).append(rule)
        filters = {e: tuple(rules) for e, rules in by_entity.items()}
        return cls(activation, SchoolIds.of(activation), filters)

    # --- which entities and fields ------------------------------------------------------

    def shares(self, entity: str) -> bool:
        attrs = self.activation.attributes
        return not attrs or entity in attrs

    def entities(self) -> list[str]:
        return [e for e in ENTITIES if self.shares(e)]

    def fields_of(self, entity: str) -> tuple[str, ...] | None:
        """The shared fields, or None for all of them."""
        attrs = self.activation.attributes
        chosen = attrs.get(entity, "all") if attrs else "all"
        return None if chosen == "all" else tuple(chosen)

    def project(self, entity: str, fields: Fields) -> dict[str, Value]:
        chosen = self.fields_of(entity)
        if chosen is None:
            return dict(fields)
        return {name: fields[name] for name in chosen if name in fields}

    # --- which records -------------------------------------------------------------------

    def set_orgs(self, orgs: Iterable[tuple[str, str | None]]) -> None:
        """Given every org as (store key, store parent key): mapped schools and their
        ancestors (the district) are in scope."""
        parents = dict(orgs)
        chosen: set[str] = set()
        for key in parents:
            if self.schools.is_mapped_store_id(key):
                node: str | None = key
                while node is not None and node not in chosen:
                    chosen.add(node)
                    node = parents.get(node)
        self.scope_orgs = chosen

    def admit(self, entity: str, key: str, fields: Fields) -> bool:
        """Whether a store-space record is in scope; remembers it for later entities."""
        if not self._references_in_scope(entity, key, fields):
            return False
        for rule in self.filters.get(entity, ()):
            if not _matches(rule, fields.get(rule.field)):
                return False
        if entity in ("courses", "classes", "users"):
            self.kept.setdefault(entity, set()).add(key)
        return True

    def _references_in_scope(self, entity: str, key: str, fields: Fields) -> bool:
        orgs = self.scope_orgs
        if entity == "orgs":
            return key in orgs
        if entity == "academicSessions":
            return True
        if entity == "courses":
            return fields.get("orgSourcedId") in orgs
        if entity == "classes":
            return self._mapped(fields.get("schoolSourcedId")) and self._kept(
                "courses", fields.get("courseSourcedId")
            )
        if entity == "users":
            ids = fields.get("orgSourcedIds") or []
            return any(i in orgs for i in ids)
        if entity == "demographics":
            return self._kept("users", key)
        if entity == "enrollments":
            return (
                self._mapped(fields.get("schoolSourcedId"))
                and self._kept("classes", fields.get("classSourcedId"))
                and self._kept("users", fields.get("userSourcedId"))
            )
        return True

    def narrow(self, entity: str, fields: Fields) -> Fields:
        """Drop out-of-scope schools from a user's org list."""
        if entity != "users" or "orgSourcedIds" not in fields:
            return fields
        ids = fields["orgSourcedIds"]
        assert isinstance(ids, list)
        inside = [i for i in ids if i in self.scope_orgs]
        if len(inside) == len(ids):
            return fields
        out = dict(fields)
        out["orgSourcedIds"] = inside
        return out

    def _mapped(self, school: Value | None) -> bool:
        return isinstance(school, str) and self.schools.is_mapped_store_id(school)

    def _kept(self, entity: str, key: Value | None) -> bool:
        if not isinstance(key, str):
            return False
        if entity not in self.kept:
            # Not shared at all: references to it are not checked.
            return not self.shares(entity)
        return key in self.kept[entity]


def identity_of(entity: str, fields: Fields) -> dict[str, Value]:
    return {n: fields[n] for n in IDENTITY_FIELDS.get(entity, ()) if n in fields}


def school_of(entity: str, key: str, fields: Fields) -> str:
    if entity == "orgs":
        return key if fields.get("type") == "school" else ""
    name = SCHOOL_FIELD.get(entity)
    value = fields.get(name) if name else None
    if isinstance(value, list):
        return value[0] if value else ""
    return value or ""


def known_field(entity: str, name: str) -> bool:
    return name in SPECS[entity].fields or name.startswith("metadata.")
