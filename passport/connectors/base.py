"""The small interface every application implements, and how an application describes itself.

An application package (one folder under `passport/connectors/`, or a third-party package
registered through the `passport.applications` entry-point group) exports one light
`Application`: what the gallery shows, what `validate` checks and `init` writes, and the
name of the factory that opens its `Connector`. Only the factory's module is heavy.

A connector reads the application's side as a `Snapshot` and writes changes as `WriteOp`s.
It never imports another connector, the store, or the plan. Only connectors speak HTTP,
and they take an injected `httpx.Client` so tests can point them at a local server.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, Any, Protocol, cast

from passport.errors import ConfigError, Problem
from passport.mapping.fields import FieldMap, OneRosterFields
from passport.model import Action, Activation, Fields, Mode, Record

if TYPE_CHECKING:  # only connectors import httpx, and only when a connection opens
    import httpx


@dataclass(frozen=True, slots=True)
class Capabilities:
    reads: frozenset[str]  # entities it can read
    writes: frozenset[str]  # entities it can write (empty: read-only)
    accepts_masked: bool  # whether it can take Privacy-Shield pseudonyms
    delta_reads: bool = False  # reads changes since a watermark
    # True: `write` must receive every op of an apply in one call and lands them
    # atomically (a CSV bundle); False: any batch size, each op succeeds or fails alone.
    atomic_writes: bool = False


class Snapshot(Protocol):
    """The application's side for one plan: re-readable, read in entity order.

    Optional, found by name (a snapshot without them holds nothing and has no file
    problems): `held(entity) -> list[Held]`, the records of the entity's last full read
    that failed a check, with reason and place, known once the entity is read; and
    `raise_problems()`, called after the plan is built, raising one error for every
    problem of the source's files found while reading (the CSV bundle has both)."""

    def is_complete(self, entity: str) -> bool:
        """True when the entity was read as a full listing, so a record missing from it
        is deleted there. A delta (CSV delta file, REST read since a watermark) is not
        complete: only records marked deleted are deletes. An entity the source does not
        provide (manifest `absent`) is not complete and reads as empty."""
        ...

    def read(self, entity: str, keys: Collection[str] | None = None) -> Iterator[Record]:
        """The entity's records in source order; with `keys`, only those records.

        A record that cannot be read (an unknown reference, a bad value) is left out and
        reported by `held`; what the source as a whole cannot give raises
        BundleError/ConnectorError naming file, row and column (or URL)."""
        ...

    def watermark(self, entity: str) -> str | None:
        """The newest dateLastModified seen for the entity, for the next delta read."""
        ...

    @property
    def warnings(self) -> list[Problem]: ...


@dataclass(frozen=True, slots=True)
class WriteOp:
    entity: str
    action: Action
    key: str
    fields: Fields | None = None  # None for deletes
    modified: str | None = None  # the record's own dateLastModified, written with it


@dataclass(frozen=True, slots=True)
class WriteResult:
    op: WriteOp
    ok: bool
    error: str | None = None  # never includes a secret or a raw shielded value


# For an atomic connector that can take its ops an entity at a time: entity -> a fresh
# iterable of that entity's ops each time it is called (in plan order), so a whole
# district is written without every op in memory at once.
OpsOf = Callable[[str], Iterable[WriteOp]]
# entity -> the names of the fields its ops carry (None: it has no ops), known before they
# are read (a bundle's header comes before its rows).
CarriedOf = Callable[[str], set[str] | None]


class Connector(Protocol):
    """Optional, found by name: `write_parts(ops_of: OpsOf, carried: CarriedOf) -> None`,
    for an atomic connector (a CSV bundle): lands every op of every entity in one go, or
    raises a PassportError and lands none."""

    def snapshot(
        self,
        entities: Sequence[str],
        *,
        full: bool = True,
        watermarks: Mapping[str, str] | None = None,
    ) -> Snapshot: ...

    def write(self, ops: Sequence[WriteOp]) -> list[WriteResult]: ...

    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class ConnectContext:
    """What a connector gets besides its delivery config."""

    base_dir: str  # the folder relative paths in delivery resolve against
    # The activation's mode. An export target that does not exist yet is an empty
    # application; an import source that does not exist is an error, never "no records".
    mode: str = "import"
    http_client: httpx.Client | None = None  # injected by tests; None: the connector makes one
    # Called with (done, total) on long reads and writes; total may be None.
    progress: Callable[[str, int, int | None], None] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    activation: str = ""  # the activation's name (an application may mark what it made)


# A factory takes the delivery config with every secret reference already resolved.
Factory = Callable[[Mapping[str, Any], ConnectContext], Connector]

# --- how an application describes itself --------------------------------------------

JsonPath = tuple[str | int, ...]
# An application's own semantic checks of its delivery config for a mode: (path inside
# delivery, message) pairs, reported by `validate` at that place.
Check = Callable[[Mapping[str, Any], Mode], list[tuple[JsonPath, str]]]
# Fills settings whose default depends on others, after the schema's own defaults.
Derive = Callable[[dict[str, Any]], None]
# The delivery settings of a starter activation (name, mode) for `passport init`.
Starter = Callable[[str, Mode], dict[str, Any]]
# How an activation's store records look in the application's own shape, and back.
FieldMapFactory = Callable[[Activation], FieldMap]
# The application's own risk flags of a delivery change (base None: a new activation):
# (kind, severity, sentence) triples, shown by `passport diff` with the others.
DeliveryRisks = Callable[[Mapping[str, Any] | None, Mapping[str, Any]], list[tuple[str, str, str]]]


@dataclass(frozen=True)
class Application:
    """One gallery entry. Light: building one imports nothing of its connector."""

    name: str  # what an activation's `application:` names
    title: str
    summary: str
    delivery_schema: Mapping[str, Any]  # JSON Schema of `delivery`, checked by validate
    capabilities: Capabilities  # the one declaration of what it reads and writes
    factory: str  # "module:function" returning a Connector, imported only on connect
    secret_fields: frozenset[str] = frozenset()  # settings that must be secret references
    url_fields: frozenset[str] = frozenset()  # settings that are service URLs (https)
    check: Check | None = None
    derive: Derive | None = None
    starter: Starter | None = field(default=None, compare=False)
    # An application holding OneRoster records keeps the default: the same shape, school
    # ids mapped. One of another shape (Google users, OUs, groups) brings its own map.
    field_map: FieldMapFactory = field(default=OneRosterFields.of, compare=False)
    risks: DeliveryRisks | None = field(default=None, compare=False)

    def modes(self) -> tuple[Mode, ...]:
        can_read, can_write = bool(self.capabilities.reads), bool(self.capabilities.writes)
        found = [Mode.IMPORT] if can_read else []
        found += [Mode.EXPORT] if can_write else []
        found += [Mode.TWO_WAY] if can_read and can_write else []
        return tuple(found)

    def with_defaults(self, delivery: Mapping[str, Any]) -> dict[str, Any]:
        """`delivery` plus the schema's defaults for settings it leaves out."""
        filled = dict(delivery)
        for name, spec in self.delivery_schema.get("properties", {}).items():
            if name not in filled and isinstance(spec, Mapping) and "default" in spec:
                filled[name] = spec["default"]
        if self.derive:
            self.derive(filled)
        return filled

    def factory_function(self) -> Factory:
        module_name, _, function_name = self.factory.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name and module_name.startswith(error.name):
                raise self._unavailable() from None
            raise
        function = getattr(module, function_name, None)
        if not callable(function):
            raise self._unavailable()
        return cast(Factory, function)

    def connect(self, delivery: Mapping[str, Any], context: ConnectContext) -> Connector:
        """Open a connector with `delivery` whose secrets are already resolved."""
        return self.factory_function()(delivery, context)

    def _unavailable(self) -> ConfigError:
        return ConfigError(f"the {self.name} connector is not available in this version")


def load_schema(name: str, package: str = "passport") -> dict[str, Any]:
    """A delivery schema shipped as `schemas/applications/{name}.schema.json` in `package`."""
    text = resources.files(package).joinpath(f"schemas/applications/{name}.schema.json")
    return cast(dict[str, Any], json.loads(text.read_text(encoding="utf-8")))
