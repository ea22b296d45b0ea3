"""Plain frozen data passed between layers. Standard library only.

Records are canonical OneRoster records (see `passport.oneroster`): a mapping of
compared field -> str | list[str], keyed by sourcedId.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, TypeAlias

Value: TypeAlias = str | list[str]
Fields: TypeAlias = Mapping[str, Value]


class Mode(StrEnum):
    IMPORT = "import"
    EXPORT = "export"
    TWO_WAY = "two-way"


class Direction(StrEnum):
    IMPORT = "import"  # application -> store
    EXPORT = "export"  # store -> application


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


class ConflictPolicy(StrEnum):
    STORE_WINS = "store-wins"
    APP_WINS = "app-wins"
    NEWEST = "newest"
    STOP = "stop"


@dataclass(frozen=True, slots=True)
class Record:
    """One canonical record. `deleted` marks a delta's `tobedeleted` row."""

    key: str
    fields: Fields
    modified: str | None = None  # dateLastModified, ISO 8601, when known
    deleted: bool = False


# --- the activation, as loaded and checked from YAML ---------------------------------


@dataclass(frozen=True, slots=True)
class SchoolMap:
    app: str  # the application's school sourcedId
    store: str  # the store's school sourcedId


@dataclass(frozen=True, slots=True)
class Filter:
    """An include rule: a record of `entity` is kept only if every rule for it matches."""

    entity: str
    field: str
    # equals | not-equals | in | contains | starts-with | before | after | is-empty | is-not-empty
    op: str
    value: str | list[str] | None = None


@dataclass(frozen=True, slots=True)
class Limit:
    """A threshold as a percent of existing records or an absolute count."""

    amount: float
    percent: bool

    def __str__(self) -> str:
        return f"{self.amount:g}%" if self.percent else f"{int(self.amount)}"


@dataclass(frozen=True, slots=True)
class SafetyRule:
    """Thresholds; `entity`/`direction` None means they apply to all."""

    max_delete: Limit | None = None
    max_update: Limit | None = None
    min_existing: int | None = None
    entity: str | None = None
    direction: Direction | None = None


@dataclass(frozen=True, slots=True)
class Safety:
    """Defaults plus more specific overrides; the most specific rule that sets a value wins."""

    max_delete: Limit | None = Limit(10, True)
    max_update: Limit | None = None
    min_existing: int = 10
    overrides: tuple[SafetyRule, ...] = ()


@dataclass(frozen=True, slots=True)
class Window:
    """A rollover window: `no-deletes` or `suspend-import` between two dates, inclusive."""

    kind: str  # "no-deletes" | "suspend-import"
    start: date
    end: date
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Shield:
    enabled: bool = False
    level: int = 2
    # "users.phone" -> drop | mask | generalize | keep, over the level's preset
    fields: Mapping[str, str] = field(default_factory=dict)
    key: str | None = None  # a secret reference, resolved only when planning
    email_domain: str | None = None


@dataclass(frozen=True, slots=True)
class Activation:
    name: str
    application: str
    mode: Mode
    delivery: Mapping[str, Any]  # secret fields still hold their ${env:...} references
    schools: tuple[SchoolMap, ...] = ()
    school_auto: str | None = None  # None | "same-id": unmapped app school ids map to themselves
    # entity -> "all" or the chosen compared fields; an entity absent here is not shared.
    attributes: Mapping[str, str | tuple[str, ...]] = field(default_factory=dict)
    filters: tuple[Filter, ...] = ()
    export_until: date | None = None
    shield: Shield = Shield()
    conflicts: ConflictPolicy = ConflictPolicy.STORE_WINS
    safety: Safety = Safety()
    rollover: tuple[Window, ...] = ()
    source: str = ""  # the file it was loaded from
    digest: str = ""  # digest of the loaded, normalised config (for plan fingerprints)
