"""The small interface every application (connector) implements.

A connector reads the application's side as a `Snapshot` and writes changes as `WriteOp`s.
It never imports another connector, the store, or the plan. Only connectors speak HTTP,
and they take an injected `httpx.Client` so tests can point them at a local server.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from passport.errors import Problem
from passport.model import Action, Fields, Record


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
    """The application's side for one plan: re-readable, read in entity order."""

    def is_complete(self, entity: str) -> bool:
        """True when the entity was read as a full listing, so a record missing from it
        is deleted there. A delta (CSV delta file, REST read since a watermark) is not
        complete: only records marked deleted are deletes. An entity the source does not
        provide (manifest `absent`) is not complete and reads as empty."""
        ...

    def read(self, entity: str, keys: Collection[str] | None = None) -> Iterator[Record]:
        """The entity's records in source order; with `keys`, only those records.

        Raises BundleError/ConnectorError naming file, row and column (or URL) for
        what cannot be read, including references to unknown records."""
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


@dataclass(frozen=True, slots=True)
class WriteResult:
    op: WriteOp
    ok: bool
    error: str | None = None  # never includes a secret or a raw shielded value


class Connector(Protocol):
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
    http_client: Any = None  # an httpx.Client, injected by tests; None: make one
    # Called with (done, total) on long reads and writes; total may be None.
    progress: Callable[[str, int, int | None], None] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


# A factory takes the delivery config with every secret reference already resolved.
Factory = Callable[[Mapping[str, Any], ConnectContext], Connector]
