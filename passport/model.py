"""Plain frozen data passed between layers. Standard library only.

Records are canonical OneRoster records (see `passport.oneroster`): a mapping of
compared field -> str | list[str], keyed by sourcedId.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from itertools import islice
from types import MappingProxyType
from typing import Any, Protocol, TypeAlias, runtime_checkable

from passport.oneroster import identity_fields

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
    # No data changes: the record already agrees on both sides, and this activation
    # records that agreement (and so its ownership) in its base.
    LINK = "link"
    # No data changes: the record is gone from both sides; the base forgets it.
    FORGET = "forget"


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
    max_held: Limit | None = None
    entity: str | None = None
    direction: Direction | None = None


@dataclass(frozen=True, slots=True)
class Safety:
    """Defaults plus more specific overrides; the most specific rule that sets a value wins."""

    max_delete: Limit | None = Limit(10, True)
    max_update: Limit | None = None
    min_existing: int = 10
    overrides: tuple[SafetyRule, ...] = ()
    # Held source records, as a percent of the entity's source records or a count: a
    # broken export still stops the plan.
    max_held: Limit | None = Limit(10, True)


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
class Allowance:
    """One data element a privacy agreement allows: a category or one `entity.field`, and
    the rawest treatment it may leave with (raw, generalised or pseudonymised)."""

    category: str | None
    field: str | None
    treatment: str = "raw"
    line: int = 0  # where it is written in the agreement file
    col: int = 0


@dataclass(frozen=True, slots=True)
class Agreement:
    """A signed data-privacy agreement with one vendor, as code (`privacy.agreement`)."""

    file: str  # the file as read (e.g. configs/agreements/canvas.yaml)
    vendor: str
    signed: date
    expires: date
    allowed: tuple[Allowance, ...] = ()
    line: int = 0  # of `allow:` in the file

    def expired(self, today: date) -> bool:
        return today > self.expires


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
    # "users.email" -> "app" | "store": who settles the field in two-way, without the
    # conflict policy
    authority: Mapping[str, str] = field(default_factory=dict)
    safety: Safety = Safety()
    rollover: tuple[Window, ...] = ()
    agreement: Agreement | None = None  # privacy.agreement, loaded
    source: str = ""  # the file it was loaded from
    digest: str = ""  # digest of the loaded, normalised config (for plan fingerprints)


# --- plans -----------------------------------------------------------------------------

PLAN_FORMAT_VERSION = "1.0"
NO_FIELDS: Fields = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Change:
    """One record change in one direction, with what apply needs to carry it out.

    `key` is the store's key. Values are as the receiving side will hold them: in the
    store's shape for an import, as the application holds them for an export.
    For an update, `before`/`after` hold only the changed fields; for a create, `after`
    is the whole record; for a delete, `before` is the whole record as last known.
    `identity` holds the record's identifying fields (title, name, role) for display.

    `app_key` is the record's key in the application where it differs from `key`.
    `agreed` is the whole record both sides hold once the change lands, as this
    activation's base records it (for an export update, the record that is written);
    None means `after` (a create) or nothing (a delete or forget)."""

    entity: str
    key: str
    action: Action
    direction: Direction
    before: Fields | None = None
    after: Fields | None = None
    changed: tuple[str, ...] = ()
    # One shared empty mapping by default, not a dict per change: a first import holds
    # millions of creates, whose identity is read off `after` (`shown_identity`).
    identity: Fields = field(default_factory=lambda: NO_FIELDS)
    school: str = ""  # store school id the record belongs to, for per-school counts
    reason: str = ""  # why, when it is not plain (e.g. "takes ownership of an identical record")
    modified: str | None = None  # the source's dateLastModified, kept with the written record
    app_key: str = ""
    agreed: Fields | None = None

    @property
    def target_key(self) -> str:
        """The record's key in the application."""
        return self.app_key or self.key

    def agreed_fields(self) -> Fields | None:
        return self.agreed if self.agreed is not None else self.after

    @property
    def writes_data(self) -> bool:
        """Whether applying it sends anything: not a forget, and not a link unless it
        writes what joins the record (a first-sync match that needs its join key)."""
        action = self.action
        return not (action is Action.FORGET or (action is Action.LINK and not self.changed))

    def shown_identity(self) -> Fields:
        """The identifying fields: `identity`, or taken from the whole record it carries
        (creates and deletes leave `identity` empty to keep big plans small)."""
        if self.identity:
            return self.identity
        return identity_fields(self.entity, self.after or self.before or {})


@dataclass(frozen=True, slots=True)
class Suppressed:
    """A change the plan will not make, and why (a rollover window, another owner...)."""

    entity: str
    key: str
    action: Action
    direction: Direction
    reason: str


@dataclass(frozen=True, slots=True)
class Held:
    """A source record the plan holds back, and why: it fails a check (an unknown
    reference, an unparsable value, a missing required value) or depends on a record that
    is held. It is not written; its copy on the receiving side stays as it is, and it is
    never read as a delete. `file`/`row`/`column`/`field` say where (0 and "" unknown);
    `depends_on` names the held record (entity, key) it needs, for a cascaded hold."""

    entity: str
    key: str
    reason: str
    file: str = ""
    row: int = 0
    column: int = 0
    field: str = ""
    hint: str = ""
    depends_on: tuple[str, str] | None = None
    direction: Direction = Direction.IMPORT
    # The source handed the record on before it found the problem (a duplicate key seen
    # later, a reference checked at the end of the file): the plan takes it back.
    withdrawn: bool = False

    def place(self) -> str:
        """`file:row:column` as far as it is known."""
        where = self.file
        if self.row:
            where += f":{self.row}"
            if self.column:
                where += f":{self.column}"
        return where


@dataclass(frozen=True, slots=True)
class OutOfScope:
    """How many source records of one entity the activation's scope leaves out, for one
    reason (a school not mapped, a filter, a course out of scope)."""

    direction: Direction
    entity: str
    reason: str
    count: int


@dataclass(frozen=True, slots=True)
class EntitySummary:
    """Counts of one entity in one direction. Every active source record is exactly one of
    create, update, link, unchanged, held, suppressed or out_of_scope."""

    direction: Direction
    entity: str
    create: int = 0
    update: int = 0
    delete: int = 0
    suppressed: int = 0
    conflicts: int = 0
    link: int = 0
    existing: int = 0  # records on the receiving side this activation manages before the run
    unchanged: int = 0  # source records that already agree: nothing to do
    held: int = 0  # source records held back (see Held)
    out_of_scope: int = 0  # source records the scope leaves out (see OutOfScope)

    @property
    def source_total(self) -> int:
        """The active source records this summary accounts for."""
        return (
            self.create
            + self.update
            + self.link
            + self.unchanged
            + self.held
            + self.suppressed
            + self.out_of_scope
        )


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """Digests of the plan's inputs; a saved plan applies only while all three still match."""

    config: str
    store: str
    app: str

    def moved(self, other: Fingerprint) -> list[str]:
        names = ("config", "store", "app")
        return [n for n in names if getattr(self, n) != getattr(other, n)]


@dataclass(frozen=True, slots=True)
class SourceMark:
    """What an import read of one entity in full, for its next plan to skip the files when
    they did not change: the digest of those files (and of everything upstream that the
    entity's reading and scope rest on, and of the config), and the plan's counts for
    the entity as they stand once the plan is applied (JSON). An empty digest: remember
    nothing (the entity had held, suppressed or warned-about records)."""

    entity: str
    digest: str
    counts: str


@dataclass(frozen=True, slots=True)
class Breach:
    """A safety threshold the plan goes over. `action` is an Action, or HOLD for held
    records (whose share is of the entity's source records, not of existing ones)."""

    direction: Direction
    entity: str
    action: str
    count: int
    existing: int
    limit: str  # as configured: "10%" or "500"
    reason: str = ""  # when it is not a plain threshold (an empty bulk listing)

    def __str__(self) -> str:
        verb = VERBS[self.action]
        share = f"{100.0 * self.count / self.existing:.1f}%" if self.existing else "all"
        whole = "source records" if self.action == HOLD else "existing"
        line = (
            f"{self.direction} {self.entity}: {self.count:,} {verb} is {share} of "
            f"{self.existing:,} {whole}"
        )
        return f"{line}: {self.reason}" if self.reason else f"{line}, over the {self.limit} limit"


HOLD = "hold"
VERBS = {"delete": "deletes", "update": "updates", "create": "creates", HOLD: "held"}


@dataclass(frozen=True, slots=True)
class Conflict:
    """Both sides changed one record differently since they last agreed.

    `kind`: "field" (the same fields changed differently), "update-delete" (one side
    changed what the other deleted) or "both-created" (first seen on both sides, with
    different values). `resolution` says how the policy settled it; under `stop` it is
    empty and the conflict blocks apply."""

    entity: str
    key: str
    kind: str
    fields: tuple[str, ...]
    resolution: str = ""
    store: Fields | None = None  # the conflicting fields' values, store side
    app: Fields | None = None  # ... application side
    base: Fields | None = None  # ... as last agreed

    @property
    def blocking(self) -> bool:
        return not self.resolution


@runtime_checkable
class ChangeStream(Protocol):
    """A plan's changes kept partly outside memory (`plan/spill.py`): iterated in plan
    order, as often as needed, never indexed; counted without reading them."""

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[Change]: ...

    def counts(self) -> Mapping[Action, int]: ...

    def of(
        self, entity: str, direction: Direction, *, deletes: bool | None = None
    ) -> Iterator[Change]: ...

    def tally(self) -> Mapping[tuple[Direction, str, Action], int]: ...

    def writes_of(self, entity: str, direction: Direction) -> tuple[int, set[str]] | None:
        """How many of the entity's changes write data, and the names of the fields they
        write, without reading them; None when that cannot be told without reading."""
        ...

    def total(self) -> int:
        """The order-free total of the changes' digests (`plan.fingerprint.change_digest`)."""
        ...


# A plan's changes: a tuple, or, for a plan of very many, a stream read back in order.
Changes: TypeAlias = tuple[Change, ...] | ChangeStream


def changes_of(changes: Changes, entity: str, direction: Direction) -> Iterator[Change]:
    """The changes of one entity in one direction, in plan order."""
    if isinstance(changes, tuple):
        return (c for c in changes if c.entity == entity and c.direction is direction)
    return changes.of(entity, direction)


def first_changes(changes: Changes, n: int | None) -> list[Change]:
    """The first `n` changes (all of them for None), without reading the rest."""
    return list(changes if n is None else islice(changes, max(n, 0)))


@dataclass(frozen=True, slots=True)
class Plan:
    activation: str
    application: str
    mode: Mode
    created_at: str  # ISO 8601 UTC
    fingerprint: Fingerprint
    changes: Changes = ()
    suppressed: tuple[Suppressed, ...] = ()
    summaries: tuple[EntitySummary, ...] = ()
    breaches: tuple[Breach, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    notes: tuple[str, ...] = ()  # plain-language facts a reviewer needs (export window closed)
    warnings: tuple[str, ...] = ()  # from reading the sides
    watermarks: Mapping[str, str] = field(default_factory=dict)  # entity -> next watermark
    # Why the plan was made offline (nothing remote read, no secret resolved), if it was:
    # its config is not trusted to connect (plan --trusted-base).
    offline: str = ""
    format_version: str = PLAN_FORMAT_VERSION
    held: tuple[Held, ...] = ()  # source records held back, per entity, with reasons
    out_of_scope: tuple[OutOfScope, ...] = ()  # counts per entity and reason
    # Import: what apply remembers of each entity read in full (`SourceMark`), so that
    # the next plan skips the source files that did not change.
    sources: tuple[SourceMark, ...] = ()
    unread: tuple[str, ...] = ()  # import: entities skipped, their files unchanged

    @property
    def has_changes(self) -> bool:
        return bool(self.changes) or any(c.blocking for c in self.conflicts)

    @property
    def blocked(self) -> bool:
        return bool(self.breaches) or any(c.blocking for c in self.conflicts)

    def count_in(self, direction: Direction) -> int:
        """How many changes go in `direction`."""
        if isinstance(self.changes, tuple):
            return sum(1 for c in self.changes if c.direction is direction)
        return sum(n for (d, _, _), n in self.changes.tally().items() if d is direction)

    def count(self, action: Action) -> int:
        if isinstance(self.changes, tuple):
            return sum(1 for c in self.changes if c.action is action)
        return self.changes.counts().get(action, 0)


# --- runs (the history) and apply locks, as the store hands them out ------------------


@dataclass(frozen=True, slots=True)
class RunError:
    """One record change that failed in a run."""

    entity: str
    key: str
    action: str
    message: str
    direction: str = ""


@dataclass(frozen=True, slots=True)
class RunCount:
    """How many records one run touched, per direction, entity, action and school."""

    direction: str
    entity: str
    action: str  # create | update | delete | skip | error
    school: str  # store school id, or "" where an entity has no school
    count: int


@dataclass(frozen=True, slots=True)
class Run:
    """One apply, recorded: the History tab's sync summary."""

    id: str
    activation: str
    mode: str
    started_at: str  # ISO 8601 UTC
    user: str
    host: str
    status: str  # running | succeeded | partial | failed | interrupted
    plan_checksum: str = ""
    git_commit: str | None = None
    finished_at: str | None = None
    duration_s: float | None = None
    counts: tuple[RunCount, ...] = ()
    errors: tuple[RunError, ...] = ()
    message: str = ""  # why a run failed as a whole, if it did
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LockInfo:
    """Who holds an activation's apply lock (one apply per activation at a time)."""

    id: str
    activation: str
    owner: str  # user@host
    host: str
    pid: int
    operation: str  # "apply", ...
    created_at: str  # ISO 8601 UTC
    expires_at: str | None = None  # ISO 8601 UTC; None: held until released
    # Set by `Store.acquire_lock` only: the lock of a dead holder (pid gone on this host,
    # or expired) that this one replaced, so the caller can say so. Never stored.
    stale_replaced: LockInfo | None = field(default=None, compare=False)

    def describe(self) -> str:
        return (
            f"lock {self.id} on {self.activation!r} held by {self.owner} (pid {self.pid}) "
            f"for {self.operation} since {self.created_at}"
        )
