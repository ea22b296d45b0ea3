"""How one application's records look against the store's: keys and fields, both ways.

The store keeps canonical OneRoster records (`passport.oneroster`). Each application has a
field map that turns a store record into the record the application holds and back. A
OneRoster application holds the same shape, so its map is the identity up to the school
ids the activation maps (`schools.map`: the application's school "0001" is the store's
"lincoln-high"). Applications of another shape (Google Workspace users, OUs, groups)
bring their own map.

Every method gets the record's entity and store key; `key_to_app`/`key_to_store` turn the
key itself between the two spaces.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from passport.mapping.versions import (
    CANNOT_HOLD,
    REQUIRED,
    REST_CANNOT_HOLD,
    REST_UNHELD_KEYS,
    role_map,
)
from passport.model import Activation, Fields, Value
from passport.oneroster import (
    ENTITIES,
    SCHOOL_REFERENCES,
    SCHOOL_REFERENCES_INSIDE,
    encode_object,
    objects,
)


class FieldMap(Protocol):
    def key_to_app(self, entity: str, key: str) -> str: ...

    def key_to_store(self, entity: str, key: str) -> str: ...

    def fields_to_app(self, entity: str, key: str, fields: Fields) -> Fields:
        """A store-space record (shared fields only, shielded) as the application holds it."""
        ...

    def fields_to_store(self, entity: str, key: str, fields: Fields) -> Fields:
        """An application record in the store's shape."""
        ...

    def store_converter(self, entity: str) -> Callable[[str, Fields], Fields] | None:
        """`fields_to_store` for one entity, or None where it changes nothing: it runs for
        every record an import reads."""
        ...


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


def _translate_value(value: Value, convert: Mapping[str, str]) -> Value:
    if isinstance(value, list):
        return [convert.get(v, v) for v in value]
    return convert.get(value, value)


class OneRosterFields:
    """The field map of a OneRoster application: the same shape, school ids mapped in
    keys (orgs) and in the fields that refer to a school. With a `version`, records are
    shown as that version holds them (`passport.mapping.versions`): fields it cannot hold
    left out, role values it does not have mapped; with `rest`, as the REST binding holds
    them (no status, roles and profiles without their CSV sourcedIds and dates)."""

    def __init__(self, schools: SchoolIds, version: str | None = None, rest: bool = False) -> None:
        self._to_store = dict(schools.app_to_store)
        self._to_app = dict(schools.store_to_app)
        self.version = version
        self.rest = rest
        self._roles = role_map(version)
        unheld = CANNOT_HOLD.get(version or "", {})
        self._unheld = {
            entity: frozenset(
                unheld.get(entity, frozenset()) | (REST_CANNOT_HOLD if rest else set())
            )
            for entity in ENTITIES
        }
        self.lost: dict[str, set[str]] = {}  # entity -> fields left out that had values

    @classmethod
    def of(cls, activation: Activation) -> OneRosterFields:
        """The identity up to school ids (no version conversion)."""
        return cls(SchoolIds.of(activation))

    @classmethod
    def for_csv(cls, activation: Activation) -> OneRosterFields:
        """A OneRoster CSV bundle of `delivery.version` (default 1.1)."""
        version = str(activation.delivery.get("version") or "1.1")
        return cls(SchoolIds.of(activation), version)

    @classmethod
    def for_rest(cls, activation: Activation) -> OneRosterFields:
        """A OneRoster REST service of `delivery.version` (default 1.2)."""
        version = str(activation.delivery.get("version") or "1.2")
        return cls(SchoolIds.of(activation), version, rest=True)

    def key_to_store(self, entity: str, key: str) -> str:
        return self._to_store.get(key, key) if entity == "orgs" else key

    def key_to_app(self, entity: str, key: str) -> str:
        return self._to_app.get(key, key) if entity == "orgs" else key

    def fields_to_store(self, entity: str, key: str, fields: Fields) -> Fields:
        return _rewrite(entity, fields, self._to_store)

    def fields_to_app(self, entity: str, key: str, fields: Fields) -> Fields:
        shown = _rewrite(entity, fields, self._to_app)
        return self._as_held(entity, key, shown)

    def store_converter(self, entity: str) -> Callable[[str, Fields], Fields] | None:
        if not self._to_store or entity not in SCHOOL_REFERENCES:
            return None
        convert = self._to_store
        return lambda key, fields: _rewrite(entity, fields, convert)

    def missing(self, entity: str, fields: Fields, key: str = "") -> str | None:
        """Why the application cannot take the record as it holds it (a required field
        missing, a user id with no type), or None. Checked for REST services only: a CSV
        bundle takes what it is given."""
        if not self.rest or self.version is None:
            return None
        absent = [n for n in REQUIRED[self.version].get(entity, ()) if not fields.get(n)]
        if absent:
            names = ", ".join(absent)
            return f"OneRoster {self.version} requires {names}, which the record does not have"
        if entity == "users" and self.version == "1.2":
            untyped = [i for i in fields.get("userIds") or () if ":" not in i]
            if untyped:
                return "a userIds entry has no type (OneRoster 1.2 needs {type, identifier})"
        return None

    def losses(self) -> list[str]:
        """The plan's notes: each entity's fields this application cannot hold."""
        where = f"OneRoster {self.version}" + (" REST" if self.rest else "")
        return [
            f"{where} cannot hold {entity} {', '.join(sorted(names))}: not exported"
            for entity, names in sorted(self.lost.items())
            if names
        ]

    def _as_held(self, entity: str, key: str, fields: Fields) -> Fields:
        if self.version == "1.2" and entity == "users" and "roles" not in fields:
            fields = self._with_roles(key, fields)
        unheld = self._unheld.get(entity, frozenset())
        dropped = unheld.intersection(fields) if unheld else ()
        roles = self._roles if entity in ("users", "enrollments") else {}
        role = fields.get("role")
        remap = bool(roles) and isinstance(role, str) and role in roles
        structured = (
            self.rest and entity == "users" and ("roles" in fields or "userProfiles" in fields)
        )
        mapped_roles = bool(roles) and entity == "users" and "roles" in fields
        if not dropped and not remap and not structured and not mapped_roles:
            return fields
        out = dict(fields)
        if dropped:
            self.lost.setdefault(entity, set()).update(n for n in dropped if n != "status")
            for name in dropped:
                del out[name]
        if remap and isinstance(role, str):
            out["role"] = roles[role]
        for name in ("roles", "userProfiles"):
            if name in out:
                out[name] = self._objects(name, out[name], roles if name == "roles" else {})
        return out

    def _with_roles(self, key: str, fields: Fields) -> Fields:
        """A user read from 1.1 (role + orgSourcedIds) as 1.2 holds it: one role per org,
        the first primary, as the writers write them."""
        role, orgs = fields.get("role"), fields.get("orgSourcedIds")
        if not isinstance(role, str) or not isinstance(orgs, list) or not orgs:
            return fields
        status = fields.get("status")
        roles = []
        for n, org in enumerate(orgs):
            entry = {"roleType": "primary" if n == 0 else "secondary", "role": role}
            entry["orgSourcedId"] = org
            if not self.rest:
                entry["sourcedId"] = f"{key}-{org}"
                if isinstance(status, str):
                    entry["status"] = status
            roles.append(encode_object(entry))
        return {**fields, "roles": roles}

    def _objects(self, name: str, value: Value, roles: Mapping[str, str]) -> list[str]:
        # A REST user profile keeps its id (profileId); a REST role has none.
        unheld = REST_UNHELD_KEYS if name == "roles" else REST_UNHELD_KEYS - {"sourcedId"}
        out = []
        for item in objects(value):
            if self.rest:
                item = {k: v for k, v in item.items() if k not in unheld}
                if name == "userProfiles" and not item.get("username"):
                    item.pop("credentialType", None)  # a REST credential needs a username
            if item.get("role") in roles:
                item["role"] = roles[item["role"]]
            out.append(encode_object(item))
        return out


def _rewrite(entity: str, fields: Fields, convert: Mapping[str, str]) -> Fields:
    """`fields` with the school ids it refers to converted (the same object when none),
    also inside structured fields (the org of each of a user's roles)."""
    if not convert:
        return fields
    names = SCHOOL_REFERENCES.get(entity, ())
    inside = SCHOOL_REFERENCES_INSIDE.get(entity, ())
    if not any(n in fields for n in names) and not any(n in fields for n, _ in inside):
        return fields
    out = dict(fields)
    for name in names:
        if name in out:
            out[name] = _translate_value(out[name], convert)
    for name, key in inside:
        if name in out:
            items = objects(out[name])
            for item in items:
                if key in item:
                    item[key] = convert.get(item[key], item[key])
            out[name] = [encode_object(item) for item in items]
    return out
