"""What one activation shares: which schools, which entities and fields, which rows.

Scope works in *store space* (store keys, store school ids). Membership follows the
references: a class is in scope when its school is mapped and its course is in scope, an
enrollment when its school, class and user are, demographics when their user is.
Entities are scoped in dependency order so that the kept keys of earlier ones are known.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from passport.mapping.fields import SchoolIds
from passport.model import Activation, Fields, Filter, Value
from passport.oneroster import ENTITIES, encode_object, identity_fields, objects

SCHOOL_FIELD: Mapping[str, str] = {
    "courses": "orgSourcedId",
    "classes": "schoolSourcedId",
    "users": "orgSourcedIds",
    "enrollments": "schoolSourcedId",
}


# Why a record is out of scope: a few fixed reasons, counted per entity in the plan.
OUT_ORG = "not a mapped school or one of its parent orgs"
OUT_SCHOOL = "its school is not mapped (schools.map)"
OUT_ORGS = "none of its orgs is a mapped school"
OUT_COURSE = "its course is out of scope"
OUT_CLASS = "its class is out of scope"
OUT_USER = "its user is out of scope"


def _rule_reason(rule: Filter) -> str:
    value = "" if rule.value is None else f" {rule.value!r}"
    return f"filter {rule.entity}.{rule.field} {rule.op}{value}"


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
    # entity -> a check the application's field map adds, run first (Google: a user whose
    # OU matches no ou_rules entry)
    extra: dict[str, Callable[[str, Fields], str | None]] = field(default_factory=dict)
    _chosen: dict[str, tuple[str, ...] | None] = field(default_factory=dict)
    _unlisted: set[str] = field(default_factory=set)

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
        if entity not in self._chosen:
            attrs = self.activation.attributes
            chosen = attrs.get(entity, "all") if attrs else "all"
            self._chosen[entity] = None if chosen == "all" else tuple(chosen)
        return self._chosen[entity]

    def project(self, entity: str, fields: Fields) -> Fields:
        """The shared fields of a record (the record itself when all are shared)."""
        chosen = self.fields_of(entity)
        if chosen is None:
            return fields
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
        return self.excluder(entity)(key, fields) is None

    def admitter(self, entity: str) -> Callable[[str, Fields], bool]:
        """`admit` for one entity, with its lookups bound once: it runs for every record."""
        exclude = self.excluder(entity)
        return lambda key, fields: exclude(key, fields) is None

    def excluder(self, entity: str) -> Callable[[str, Fields], str | None]:
        """Why a store-space record is out of scope (one of a few fixed reasons, so that a
        plan counts them without building a string per record), or None when it is in; it
        remembers what it admits for later entities. Bound once: it runs for every record."""
        out_of_scope = self._reference_check(entity)
        extra = self.extra.get(entity)
        if extra is not None:
            references = out_of_scope

            def out_of_scope(key: str, fields: Fields) -> str | None:
                return extra(key, fields) or references(key, fields)

        rules = [(rule, _rule_reason(rule)) for rule in self.filters.get(entity, ())]
        remember = (
            self.kept.setdefault(entity, set()).add
            if entity in ("courses", "classes", "users")
            else None
        )
        if not rules and remember is None:
            return out_of_scope

        def exclude(key: str, fields: Fields) -> str | None:
            reason = out_of_scope(key, fields)
            if reason is not None:
                return reason
            for rule, why in rules:
                if not _matches(rule, fields.get(rule.field)):
                    return why
            if remember is not None:
                remember(key)
            return None

        return exclude

    def unlisted(self, entity: str) -> None:
        """The source does not list `entity` at all (declared absent): references to it
        decide nothing, as for an entity that is not shared."""
        self._unlisted.add(entity)

    def _reference_check(self, entity: str) -> Callable[[str, Fields], str | None]:
        orgs = self.scope_orgs
        mapped: Callable[[Value | None], bool] = (
            (lambda school: school is not None)
            if self.schools.same_id
            else self.schools.store_to_app.__contains__
        )
        if entity == "orgs":
            return lambda key, fields: None if key in orgs else OUT_ORG
        if entity == "courses":
            return lambda key, fields: None if fields.get("orgSourcedId") in orgs else OUT_SCHOOL
        if entity == "users":
            disjoint = orgs.isdisjoint  # = not any(i in orgs ...), in C
            return lambda key, fields: (
                OUT_ORGS if disjoint(fields.get("orgSourcedIds") or ()) else None
            )
        if entity == "classes":
            courses = self._kept_check("courses")
            return lambda key, fields: (
                OUT_SCHOOL
                if not mapped(fields.get("schoolSourcedId"))
                else None
                if courses(fields.get("courseSourcedId"))
                else OUT_COURSE
            )
        if entity == "demographics":
            users = self._kept_check("users")
            return lambda key, fields: None if users(key) else OUT_USER
        if entity == "enrollments":
            classes, users = self._kept_check("classes"), self._kept_check("users")
            return lambda key, fields: (
                OUT_SCHOOL
                if not mapped(fields.get("schoolSourcedId"))
                else OUT_CLASS
                if not classes(fields.get("classSourcedId"))
                else None
                if users(fields.get("userSourcedId"))
                else OUT_USER
            )
        return lambda key, fields: None

    def _kept_check(self, entity: str) -> Callable[[Value | None], bool]:
        if entity not in self.kept or entity in self._unlisted:
            # Not shared at all, or not listed by the source: references to it are not
            # checked. Shared but with no records kept: nothing that refers to it is in scope.
            shared = self.shares(entity) and entity not in self._unlisted
            return lambda key: not shared
        return self.kept[entity].__contains__

    def narrower(self, entity: str) -> Callable[[Fields], Fields] | None:
        """`narrow` for one entity, or None where it would change nothing (every school
        maps, so every org a record names is in scope)."""
        if entity != "users" or self.schools.same_id:
            return None
        return lambda fields: self.narrow(entity, fields)

    def projector(self, entity: str) -> Callable[[Fields], Fields] | None:
        """`project` for one entity, or None when every field is shared."""
        if self.fields_of(entity) is None:
            return None
        return lambda fields: self.project(entity, fields)

    def narrow(self, entity: str, fields: Fields) -> Fields:
        """Drop out-of-scope schools from a user's org list (and its roles there)."""
        if entity != "users" or "orgSourcedIds" not in fields:
            return fields
        ids = fields["orgSourcedIds"]
        assert isinstance(ids, list)
        inside = [i for i in ids if i in self.scope_orgs]
        if len(inside) == len(ids):
            return fields
        out = dict(fields)
        out["orgSourcedIds"] = inside
        if "roles" in out:
            kept = [r for r in objects(out["roles"]) if r.get("orgSourcedId") in self.scope_orgs]
            out["roles"] = [encode_object(r) for r in kept]
        return out


def identity_of(entity: str, fields: Fields) -> dict[str, Value]:
    return dict(identity_fields(entity, fields))


def school_of(entity: str, key: str, fields: Fields) -> str:
    if entity == "orgs":
        return key if fields.get("type") == "school" else ""
    name = SCHOOL_FIELD.get(entity)
    value = fields.get(name) if name else None
    if isinstance(value, list):
        return value[0] if value else ""
    return value or ""
