"""What one activation shares, and how each side sees it: the plan's one view of the mapping.

- `scope`: which records and fields are shared, in store space;
- `fields`: the application's field map (the store's shape <-> the application's);
- `shield`: the outgoing transform (the Privacy Shield, or nothing), on the way out only.

Imports compare in store space: an application record comes in through `incoming`, then
scope decides and projects it. Exports and two-way compare records as the application
holds them: `outgoing` for a store record, `seen` for an application record. So the plan a
reviewer reads shows the values the application will hold, and apply writes them as
planned, without working any of this out again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from passport.mapping.fields import FieldMap, OneRosterFields
from passport.mapping.scope import Scope
from passport.mapping.shield import shielded_fields
from passport.model import Activation, Fields

# (entity, key, shared store-space fields) -> the fields as the application may see them
Outgoing = Callable[[str, str, Fields], Fields]


def no_transform(entity: str, key: str, fields: Fields) -> Fields:
    return fields


@dataclass
class Sharing:
    scope: Scope
    fields: FieldMap
    shield: Outgoing = no_transform
    # entity -> fields the shield changes or drops; never taken back into the store
    shielded: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # entity -> field as the application holds it -> "app" | "store": who settles it in
    # two-way, without the conflict policy (the activation's `authority` over the
    # application's own defaults)
    authority: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        activation: Activation,
        scope: Scope | None = None,
        fields: FieldMap | None = None,
        shield: Outgoing = no_transform,
    ) -> Sharing:
        shielded = (
            {e: frozenset(names) for e, names in shielded_fields(activation.shield).items()}
            if shield is not no_transform
            else {}
        )
        fields = fields or OneRosterFields.of(activation)
        scope = scope or Scope.of(activation)
        excluders = getattr(fields, "excluders", None)
        if callable(excluders):
            scope.extra.update(excluders())
        return cls(scope, fields, shield, shielded, authority_of(activation, fields))

    # --- keys ---------------------------------------------------------------------------

    def app_key(self, entity: str, key: str) -> str:
        return self.fields.key_to_app(entity, key)

    def store_key(self, entity: str, app_key: str) -> str:
        return self.fields.key_to_store(entity, app_key)

    # --- store space ----------------------------------------------------------------------

    def shared(self, entity: str, fields: Fields) -> Fields:
        """A store-space record narrowed to the schools and projected to the fields shared."""
        scope = self.scope
        return scope.project(entity, scope.narrow(entity, fields))

    def incoming(self, entity: str, app_key: str, fields: Fields) -> tuple[str, Fields]:
        """An application record in store space (key and fields), not yet scoped."""
        key = self.fields.key_to_store(entity, app_key)
        return key, self.fields.fields_to_store(entity, key, fields)

    def back(self, entity: str, key: str, view: Fields) -> Fields:
        """A record as the application holds it (`outgoing`/`seen`), in store space."""
        return self.fields.fields_to_store(entity, key, view)

    # --- application space ------------------------------------------------------------------

    def outgoing(self, entity: str, key: str, fields: Fields) -> Fields:
        """A store record as the application will hold it: shared, shielded, mapped."""
        shown = self.shield(entity, key, self.shared(entity, fields))
        return self.fields.fields_to_app(entity, key, shown)

    def seen(self, entity: str, key: str, app_fields: Fields) -> Fields:
        """An application record as the plan compares it with `outgoing`: only what this
        activation shares of it, in the application's shape. `key` is the store key."""
        fields = self.fields
        app_view = getattr(fields, "app_view", None)
        if callable(app_view):
            # An application of its own shape says itself what it manages of a record.
            return app_view(entity, key, app_fields)  # type: ignore[no-any-return]
        stored = fields.fields_to_store(entity, key, app_fields)
        return fields.fields_to_app(entity, key, self.shared(entity, stored))

    def shielded_in(self, entity: str) -> frozenset[str]:
        return self.shielded.get(entity, frozenset())

    def authority_in(self, entity: str) -> Mapping[str, str]:
        return self.authority.get(entity, {})


def authority_of(activation: Activation, fields: FieldMap) -> dict[str, dict[str, str]]:
    """Per entity, the fields whose side is settled (as the application holds them): the
    application's defaults (`authority()`, Google's own fields), then the activation's
    `authority` (store field names, seen through the field map's `view_fields`)."""
    found: dict[str, dict[str, str]] = {}
    defaults = getattr(fields, "authority", None)
    if callable(defaults):
        found["users"] = dict(defaults())
    view_fields = getattr(fields, "view_fields", None)
    for path, side in activation.authority.items():
        entity, _, name = path.partition(".")
        names = view_fields(entity, name) if callable(view_fields) else (name,)
        for view_name in names:
            found.setdefault(entity, {})[view_name] = side
    return {entity: names for entity, names in found.items() if names}
