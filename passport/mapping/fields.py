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

from passport.model import Activation, Fields, Value
from passport.oneroster import SCHOOL_REFERENCES


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
    keys (orgs) and in the fields that refer to a school."""

    def __init__(self, schools: SchoolIds) -> None:
        self._to_store = dict(schools.app_to_store)
        self._to_app = dict(schools.store_to_app)

    @classmethod
    def of(cls, activation: Activation) -> OneRosterFields:
        return cls(SchoolIds.of(activation))

    def key_to_store(self, entity: str, key: str) -> str:
        return self._to_store.get(key, key) if entity == "orgs" else key

    def key_to_app(self, entity: str, key: str) -> str:
        return self._to_app.get(key, key) if entity == "orgs" else key

    def fields_to_store(self, entity: str, key: str, fields: Fields) -> Fields:
        return _rewrite(entity, fields, self._to_store)

    def fields_to_app(self, entity: str, key: str, fields: Fields) -> Fields:
        return _rewrite(entity, fields, self._to_app)

    def store_converter(self, entity: str) -> Callable[[str, Fields], Fields] | None:
        if not self._to_store or entity not in SCHOOL_REFERENCES:
            return None
        convert = self._to_store
        return lambda key, fields: _rewrite(entity, fields, convert)


def _rewrite(entity: str, fields: Fields, convert: Mapping[str, str]) -> Fields:
    """`fields` with the school ids it refers to converted (the same object when none)."""
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
