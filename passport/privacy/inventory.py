"""What one activation shares, field by field: the data-sharing inventory.

It is read off the mapping floor's own objects, never off the YAML a second time: the
`Scope` says which entities and fields are shared, `rules_for` which Privacy Shield rule
applies, and each field's treatment is found by sending a probe record through
`Sharing.outgoing` (with a real `PrivacyShield` under a throwaway key) exactly as a plan
does, and seeing what comes out. So a field the shield cannot really generalise (a
`generalize` rule on an email) reads as sent raw, because it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from passport.connectors import registry
from passport.mapping.scope import Scope
from passport.mapping.sharing import Outgoing, Sharing, no_transform
from passport.mapping.shield import PrivacyShield, rules_for
from passport.model import Activation, Agreement, Fields, Filter, Mode, Value
from passport.oneroster import ENTITIES, OBJECT_FIELDS, SPECS, EntitySpec, encode_object
from passport.privacy.categories import Category, CategoryMap

PROBE_KEY = "passport-inventory-probe"  # keys the probe's pseudonyms; not a secret
PROBE_RECORD = "probe"
KEY_FIELD = "sourcedId"


class Treatment(StrEnum):
    RAW = "raw"
    GENERALISED = "generalised"
    PSEUDONYMISED = "pseudonymised"
    DROPPED = "dropped"
    NOT_SHARED = "not-shared"


# How well a treatment protects: the higher, the less of the value leaves.
PROTECTION = {
    Treatment.RAW: 0,
    Treatment.GENERALISED: 1,
    Treatment.PSEUDONYMISED: 2,
    Treatment.DROPPED: 3,
    Treatment.NOT_SHARED: 4,
}
SENT = frozenset({Treatment.RAW, Treatment.GENERALISED, Treatment.PSEUDONYMISED})


def rawer(a: Treatment, b: Treatment) -> bool:
    """Whether `a` lets more of a value leave than `b`."""
    return PROTECTION[a] < PROTECTION[b]


@dataclass(frozen=True, slots=True)
class FieldShare:
    """One field of one entity of one activation."""

    entity: str
    field: str
    category: Category
    treatment: Treatment
    direction: str  # out | in | both | "" (nothing flows)
    why: str = ""  # what decides the treatment, in words

    @property
    def name(self) -> str:
        return f"{self.entity}.{self.field}"

    @property
    def sent(self) -> bool:
        """Whether the application receives it (in any form)."""
        return self.treatment in SENT and self.direction in ("out", "both")


@dataclass(frozen=True, slots=True)
class Inventory:
    """What one activation shares with its application."""

    activation: str
    application: str
    mode: Mode
    source: str
    direction: str  # out | in | both
    schools: tuple[str, ...]  # "app id → store id" pairs, or the auto rule
    filters: tuple[Filter, ...]
    shield: str  # in words: "level 2, 1 override" or "off"
    export_until: str | None
    agreement: Agreement | None
    fields: tuple[FieldShare, ...]

    def shared(self) -> list[FieldShare]:
        return [f for f in self.fields if f.treatment is not Treatment.NOT_SHARED]

    def sent(self) -> list[FieldShare]:
        return [f for f in self.fields if f.sent]

    def entities(self) -> list[str]:
        return list(dict.fromkeys(f.entity for f in self.shared()))

    def row(self, entity: str, field_name: str) -> FieldShare | None:
        return next((f for f in self.fields if f.entity == entity and f.field == field_name), None)


DIRECTION = {Mode.IMPORT: "in", Mode.EXPORT: "out", Mode.TWO_WAY: "both"}


def shield_applies(activation: Activation) -> bool:
    """The runner's rule (`runner.outgoing_transform`): the shield masks what leaves."""
    return activation.shield.enabled and activation.mode is not Mode.IMPORT


def sharing_of(activation: Activation) -> Sharing:
    """The `Sharing` a plan of this activation uses, its shield keyed by the probe key."""
    app = registry.get(activation.application)
    outgoing: Outgoing = (
        PrivacyShield(activation.shield, PROBE_KEY) if shield_applies(activation) else no_transform
    )
    return Sharing.of(activation, Scope.of(activation), app.field_map(activation), outgoing)


def inventory_of(activation: Activation, categories: CategoryMap) -> Inventory:
    sharing = sharing_of(activation)
    sharing.scope.scope_orgs = {PROBE_RECORD}  # the probe's own school is in scope
    carried = _carried(activation)
    rows: list[FieldShare] = []
    for entity in ENTITIES:
        spec = SPECS[entity]
        names = (KEY_FIELD, *spec.fields)
        if not sharing.scope.shares(entity):
            rows += [_not_shared(entity, n, categories, "entity not shared") for n in names]
            continue
        if entity not in carried:
            why = f"{activation.application} does not take {entity} in {activation.mode} mode"
            rows += [_not_shared(entity, n, categories, why) for n in names]
            continue
        rows += _entity_rows(activation, sharing, spec, categories)
    return Inventory(
        activation=activation.name,
        application=activation.application,
        mode=activation.mode,
        source=activation.source,
        direction=DIRECTION[activation.mode],
        schools=_schools(activation),
        filters=activation.filters,
        shield=_shield_words(activation),
        export_until=activation.export_until.isoformat() if activation.export_until else None,
        agreement=activation.agreement,
        fields=tuple(rows),
    )


def _carried(activation: Activation) -> frozenset[str]:
    """The entities the application takes in this mode (the plan skips the others)."""
    caps = registry.get(activation.application).capabilities
    if activation.mode is Mode.IMPORT:
        return caps.reads
    if activation.mode is Mode.EXPORT:
        return caps.writes
    return caps.reads & caps.writes


def _not_shared(entity: str, name: str, categories: CategoryMap, why: str) -> FieldShare:
    return FieldShare(
        entity, name, categories.category_of(entity, name), Treatment.NOT_SHARED, "", why
    )


def _entity_rows(
    activation: Activation, sharing: Sharing, spec: EntitySpec, categories: CategoryMap
) -> list[FieldShare]:
    entity = spec.name
    direction = DIRECTION[activation.mode]
    chosen = sharing.scope.fields_of(entity)
    verb = "read" if activation.mode is Mode.IMPORT else "sent"
    key = FieldShare(
        entity,
        KEY_FIELD,
        categories.category_of(entity, KEY_FIELD),
        Treatment.RAW,
        direction,
        f"the record's key: {verb} with every record",
    )
    rows = [key]
    probe = _probe(spec)
    seen = _seen(activation, sharing, entity, probe)
    rules = rules_for(activation.shield) if shield_applies(activation) else {}
    for name in spec.fields:
        category = categories.category_of(entity, name)
        if chosen is not None and name not in chosen:
            rows.append(FieldShare(entity, name, category, Treatment.NOT_SHARED, "", "not listed"))
            continue
        if activation.mode is Mode.IMPORT:
            rows.append(FieldShare(entity, name, category, Treatment.RAW, "in", "read as it is"))
            continue
        treatment = _treatment(probe[name], seen.get(name))
        why = _why(activation, f"{entity}.{name}", rules, treatment)
        flows = _flow(direction, treatment, name in sharing.shielded_in(entity))
        rows.append(FieldShare(entity, name, category, treatment, flows, why))
    return rows


def _seen(activation: Activation, sharing: Sharing, entity: str, probe: Fields) -> Fields:
    """The probe as the application holds it, back in the store's field names."""
    if activation.mode is Mode.IMPORT:
        return probe
    sent = sharing.outgoing(entity, PROBE_RECORD, probe)
    return sharing.back(entity, PROBE_RECORD, sent)


def _probe(spec: EntitySpec) -> dict[str, Value]:
    """A record with every field set, each value shaped like the field's own (a date, a
    year, a flag, a list), so that each rule does to it what it does to real data."""
    values: dict[str, Value] = {}
    structured = OBJECT_FIELDS.get(spec.name, frozenset())
    for name in spec.fields:
        if name in structured:
            values[name] = [
                encode_object({"sourcedId": PROBE_RECORD, "orgSourcedId": PROBE_RECORD})
            ]
        elif name in spec.dates:
            values[name] = "2001-02-03"
        elif name in spec.years:
            values[name] = "2001"
        elif name in spec.booleans:
            values[name] = "true"
        elif spec.is_multi(name):
            values[name] = [PROBE_RECORD]
        elif any(r.field == name for r in spec.references):
            values[name] = PROBE_RECORD
        else:
            values[name] = "Probe Value 0123456789"  # letters and digits: a phone too
    return values


def _treatment(sent: Value, seen: Value | None) -> Treatment:
    if seen is None:
        return Treatment.DROPPED
    if seen == sent:
        return Treatment.RAW
    if isinstance(sent, str) and isinstance(seen, str) and seen and sent.startswith(seen):
        return Treatment.GENERALISED
    return Treatment.PSEUDONYMISED


def _flow(direction: str, treatment: Treatment, shielded: bool) -> str:
    """Which way a shared field flows: a shielded one never comes back into the store."""
    if treatment is Treatment.DROPPED:
        return ""
    if direction == "both" and shielded:
        return "out"
    return direction


def _why(activation: Activation, name: str, rules: dict[str, str], treatment: Treatment) -> str:
    shield = activation.shield
    rule = rules.get(name)
    if rule is None:
        if name in shield.fields and shield_applies(activation):
            return "privacy_shield.fields: keep"
        return "no Privacy Shield rule" if shield_applies(activation) else "Privacy Shield off"
    where = "privacy_shield.fields" if name in shield.fields else f"shield level {shield.level}"
    if treatment is Treatment.RAW:
        return f"{where}: {rule}, which leaves this field's values as they are"
    if treatment is Treatment.DROPPED and rule != "drop":
        return "the application's field map does not carry it"
    return f"{where}: {rule}"


def _schools(activation: Activation) -> tuple[str, ...]:
    pairs = [m.app if m.app == m.store else f"{m.app} → {m.store}" for m in activation.schools]
    if activation.school_auto == "same-id":
        pairs.append("every other school (same id)" if pairs else "every school (same id)")
    return tuple(pairs)


def _shield_words(activation: Activation) -> str:
    shield = activation.shield
    if activation.mode is Mode.IMPORT:
        return "not applicable (import)"
    if not shield.enabled:
        return "off"
    count = len(shield.fields)
    overrides = f", {count} override{'s' if count != 1 else ''}" if count else ""
    return f"level {shield.level}{overrides}"


def inventories(activations: Sequence[Activation], categories: CategoryMap) -> list[Inventory]:
    return [inventory_of(a, categories) for a in activations]


@dataclass(frozen=True, slots=True)
class CategoryShare:
    """One category of one activation: its fields that flow, and the rawest form any of
    them takes (None when none flows)."""

    category: Category
    fields: tuple[FieldShare, ...]
    rawest: Treatment | None


def by_category(inventory: Inventory, categories: Sequence[Category]) -> list[CategoryShare]:
    """The inventory per category, in the order given (the Exhibit B view)."""
    out = []
    for category in categories:
        shared = tuple(f for f in inventory.shared() if f.category.id == category.id)
        flowing = [f.treatment for f in shared if f.treatment in SENT]
        rawest = min(flowing, key=PROTECTION.__getitem__) if flowing else None
        out.append(CategoryShare(category, shared, rawest))
    return out
