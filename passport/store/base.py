"""The store interface: what every backend (SQLite, PostgreSQL) provides.

The store is the district hub. It keeps:
- records: canonical OneRoster records per entity, keyed by sourcedId, each with the
  digest (`passport.canonical.digest`) of its fields;
- the base, per activation and record: the digest of the value both sides agreed on after
  the last successful sync (and, for two-way, the value itself), plus the record digest
  the store held at that moment. A base row also means "this activation owns the record";
- watermarks per activation and entity (delta reads);
- runs (the history) and locks.

All scans are sorted by key (sourcedId, compared as bytes/ordinal) so that plans can
merge-join them with other sorted streams without holding either side in memory.

`StoredRecord` and `BaseEntry` are the store's own rows (the plan reads them through
structural protocols, `passport.plan.sources`). What other layers keep and show, runs
and locks, is plain data in `passport.model`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

from passport.model import Fields, LockInfo, Run, SourceMark


@dataclass(frozen=True, slots=True)
class StoredRecord:
    key: str
    fields: Fields
    digest: str
    modified: str | None = None


@dataclass(frozen=True, slots=True)
class BaseEntry:
    """What one activation agreed on for one record."""

    key: str
    digest: str  # digest of the agreed (projected, store-space) fields
    store_digest: str | None = None  # StoredRecord.digest at the time of agreement
    fields: Fields | None = None  # the agreed fields, kept where three-way merges need them
    # Filled by `base_scan` only: the store record's digest now, None when it is gone.
    current_store_digest: str | None = None
    # The agreed fields' canonical JSON, when the writer already made it for the digest:
    # written as is instead of encoded again.
    data: bytes | None = None


class StoreTransaction(Protocol):
    """Writes inside one transaction: all of them land, or none do."""

    def put(self, entity: str, key: str, fields: Fields, modified: str | None = None) -> str:
        """Insert or replace a record; returns its new digest."""
        ...

    def delete(self, entity: str, key: str) -> None: ...

    def set_base(self, activation: str, entity: str, entry: BaseEntry) -> None: ...

    def drop_base(self, activation: str, entity: str, key: str) -> None: ...

    def set_watermark(self, activation: str, entity: str, value: str) -> None: ...


class Store(Protocol):
    url: str  # for messages; never includes a password
    migrated: list[int]  # the migrations that opening this store applied

    def close(self) -> None: ...

    # records
    def count(self, entity: str) -> int: ...

    def scan(self, entity: str) -> Iterator[StoredRecord]:
        """Every record of the entity, sorted by key."""
        ...

    def get(self, entity: str, keys: Collection[str]) -> dict[str, StoredRecord]:
        """The records among `keys` that exist (any number of keys; batched inside)."""
        ...

    def digests(self, entity: str, keys: Collection[str]) -> dict[str, str]:
        """The digests of the records among `keys` that exist, without their values."""
        ...

    def owners(self, entity: str, keys: Collection[str]) -> dict[str, list[str]]:
        """For each key some activation's base holds: the activations, sorted."""
        ...

    # base
    def base_scan(self, activation: str, entity: str) -> Iterator[BaseEntry]:
        """The activation's base for the entity, sorted by key, with current_store_digest."""
        ...

    def base_count(self, activation: str, entity: str) -> int: ...

    def base_digests(
        self, activation: str, entity: str
    ) -> Iterator[tuple[str, str, str | None, str | None]]:
        """`base_scan` without the values, as plain tuples, for the hot path of a plan:
        (key, agreed digest, store digest then, store digest now or None), sorted by key."""
        ...

    def base_agreed(self, activation: str, entity: str) -> Iterator[tuple[list[str], list[str]]]:
        """The base's keys and agreed digests in key order, a large chunk per read."""
        ...

    def base_drift(
        self, activation: str, entity: str
    ) -> list[tuple[str, str, str | None, str | None]]:
        """The `base_digests` rows whose store record moved since agreement or is gone."""
        ...

    def base_digests_of(
        self, activation: str, entity: str, keys: Collection[str]
    ) -> list[tuple[str, str, str | None, str | None]]:
        """`base_digests` of the given keys only (those the base holds)."""
        ...

    def watermark(self, activation: str, entity: str) -> str | None: ...

    def stamp(self, entity: str) -> int:
        """The entity's stamp, which every transaction writing its records or base moves on
        by one (0 before any); the store object remembers the value it saw."""
        ...

    def source_digest(self, activation: str, entity: str) -> tuple[str, int, str] | None:
        """What the activation's last apply remembered of the entity's source files:
        (digest, the entity's stamp then, counts as JSON), or None."""
        ...

    def remember_sources(self, activation: str, marks: Sequence[SourceMark]) -> list[str]:
        """Remember each mark with the entity's stamp while that is the stamp this store
        object saw last (`stamp`, then its own commits); drop older marks otherwise.
        Returns the entities remembered."""
        ...

    def transaction(self) -> AbstractContextManager[StoreTransaction]: ...

    # runs (the history)
    def start_run(self, run: Run) -> None: ...

    def finish_run(self, run: Run) -> None:
        """Replace the run's row (status, counts, errors, finish time)."""
        ...

    def runs(self, activation: str | None = None, limit: int = 20) -> list[Run]:
        """Newest first."""
        ...

    def run(self, run_id: str) -> Run | None:
        """A run by id, or by a unique prefix of its id."""
        ...

    def plan_key(self) -> bytes:
        """The key that seals saved plans made against this store (made on first use)."""
        ...

    # locks
    def acquire_lock(self, activation: str, operation: str, timeout_s: float = 0.0) -> LockInfo:
        """Take the activation's lock, waiting up to timeout_s; LockError names the holder."""
        ...

    def release_lock(self, lock: LockInfo) -> None: ...

    def locks(self) -> list[LockInfo]: ...

    def force_unlock(self, activation: str, lock_id: str) -> LockInfo:
        """Release a lock by id (passport unlock); StoreError/LockError if no such lock."""
        ...

    def entities_digest(self, entities: Sequence[str]) -> str:
        """A digest of all records of the entities (used by `store copy` to verify)."""
        ...

    # what the store holds (for `store copy`)
    def entities(self) -> list[str]:
        """Every entity with records or base rows, sorted."""
        ...

    def activations(self) -> list[str]:
        """Every activation with base rows, watermarks or runs, sorted."""
        ...

    def watermarks(self, activation: str) -> dict[str, str]:
        """The activation's watermark per entity."""
        ...
