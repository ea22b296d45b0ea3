"""The audit of what was sent: per activation, entity and field, how many records left and
with which treatment. Counts and field names, never values.

Apply counts what it hands the application (`ApplyContext.sent`); `sent_record` turns that
into the run record's `extra["privacy"]`, with each field's treatment from the
activation's inventory at the time. `audit_of` sums run records back up for
`passport privacy audit`. A field never sent never appears: only what a write carried is
counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from passport.model import Activation, Mode
from passport.oneroster import ENTITIES, SPECS
from passport.privacy.categories import Category, CategoryMap, shipped
from passport.privacy.inventory import KEY_FIELD, Inventory, inventory_of

EXTRA_KEY = "privacy"
UNKNOWN = "unknown"  # a field the inventory does not list (an application's own shape)

Sent = Mapping[tuple[str, tuple[str, ...]], int]


def field_counts(sent: Sent) -> Counter[tuple[str, str]]:
    """(entity, field) -> records sent with it; every record sent carries its key."""
    counts: Counter[tuple[str, str]] = Counter()
    for (entity, names), records in sent.items():
        counts[(entity, KEY_FIELD)] += records
        for name in names:
            counts[(entity, name)] += records
    return counts


def sent_record(
    activation: Activation, sent: Sent, inventory: Inventory | None = None
) -> dict[str, Any]:
    """The run record's `extra` for what an apply sent (nothing for an import);
    `inventory`, the activation's, when it is at hand already."""
    if activation.mode is Mode.IMPORT:
        return {}
    inventory = inventory or inventory_of(activation, shipped())
    rows = []
    for (entity, name), records in sorted(field_counts(sent).items(), key=_order):
        share = inventory.row(entity, name)
        treatment = share.treatment.value if share else UNKNOWN
        rows.append({"entity": entity, "field": name, "treatment": treatment, "records": records})
    return {EXTRA_KEY: {"sent": rows}}


def _order(item: tuple[tuple[str, str], int]) -> tuple[int, int, str]:
    (entity, name), _ = item
    rank = ENTITIES.index(entity) if entity in ENTITIES else len(ENTITIES)
    fields = (KEY_FIELD, *SPECS[entity].fields) if entity in SPECS else (KEY_FIELD,)
    return (rank, fields.index(name) if name in fields else len(fields), name)


@dataclass(frozen=True, slots=True)
class RunEntry:
    """What the audit reads of one run record."""

    id: str
    activation: str
    started_at: str
    status: str
    extra: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class AuditRow:
    activation: str
    entity: str
    field: str
    category: Category
    treatment: str
    records: int  # records sent with this field, over every run counted
    runs: int  # runs that sent it

    @property
    def name(self) -> str:
        return f"{self.entity}.{self.field}"


@dataclass(frozen=True)
class Audit:
    activation: str | None  # None: every activation
    since: str | None  # YYYY-MM-DD, inclusive
    until: str | None
    runs: tuple[RunEntry, ...]  # the runs counted, oldest first
    rows: tuple[AuditRow, ...]

    def records(self, activation: str, entity: str, field_name: str) -> int:
        return sum(
            r.records
            for r in self.rows
            if (r.activation, r.entity, r.field) == (activation, entity, field_name)
        )


def in_period(started_at: str, since: str | None, until: str | None) -> bool:
    day = started_at[:10]
    return (since is None or day >= since) and (until is None or day <= until)


def audit_of(
    entries: Iterable[RunEntry],
    categories: CategoryMap,
    activation: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> Audit:
    """What the runs sent, summed per activation, entity, field and treatment."""
    counted = sorted(
        (
            e
            for e in entries
            if (activation is None or e.activation == activation)
            and in_period(e.started_at, since, until)
            and EXTRA_KEY in e.extra
        ),
        key=lambda e: (e.started_at, e.id),
    )
    records: Counter[tuple[str, str, str, str]] = Counter()
    runs: Counter[tuple[str, str, str, str]] = Counter()
    for entry in counted:
        for row in entry.extra[EXTRA_KEY].get("sent", []):
            key = (entry.activation, row["entity"], row["field"], row["treatment"])
            records[key] += int(row["records"])
            runs[key] += 1
    rows = tuple(
        AuditRow(
            name, entity, field_name, categories.category_of(entity, field_name), how, n, runs[k]
        )
        for k, n in sorted(records.items(), key=lambda kv: _row_order(kv[0]))
        for name, entity, field_name, how in [k]
    )
    return Audit(activation, since, until, tuple(counted), rows)


def _row_order(key: tuple[str, str, str, str]) -> tuple[str, int, int, str, str]:
    activation, entity, name, treatment = key
    rank, position, _ = _order(((entity, name), 0))
    return (activation, rank, position, name, treatment)
