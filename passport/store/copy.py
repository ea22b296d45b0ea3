"""Copy a whole store into an empty one (SQLite -> PostgreSQL, or any pair), then verify.

Records, base, watermarks and runs are copied in one transaction of the target: it gets
all of them or nothing. While copying, the source's activations are locked (operation
"copy"), so no apply moves the source under the copy. Afterwards both stores are read
again and compared: record counts and `entities_digest` per entity, base counts and a
digest of every base row per activation and entity, watermarks, and the run history.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import orjson

from passport.errors import StoreError
from passport.model import LockInfo
from passport.store.base import BaseEntry, Store, StoreTransaction

Progress = Callable[[str, int, int | None], None]
ALL_RUNS = 1 << 62


def _quiet(stage: str, done: int, total: int | None) -> None:
    return None


@dataclass
class Contents:
    """What a store holds, as the copy compares it."""

    records: dict[str, int] = field(default_factory=dict)  # entity -> count
    digests: dict[str, str] = field(default_factory=dict)  # entity -> entities_digest
    base: dict[tuple[str, str], tuple[int, str]] = field(default_factory=dict)
    watermarks: dict[str, dict[str, str]] = field(default_factory=dict)
    runs: int = 0
    runs_digest: str = ""

    def differences(self, other: Contents) -> list[str]:
        found = []
        for name in ("records", "digests", "base", "watermarks", "runs", "runs_digest"):
            if getattr(self, name) != getattr(other, name):
                found.append(name)
        return found


def copy_store(source: Store, target: Store, progress: Progress = _quiet) -> Contents:
    """Copy `source` into the empty `target`; the verified contents of both."""
    if source.url == target.url:
        raise StoreError(f"cannot copy the store at {source.url} onto itself")
    if target.entities() or target.activations():
        raise StoreError(
            f"the target store at {target.url} is not empty",
            "copy into a new store: a new SQLite file, or a new ?schema= on PostgreSQL",
        )
    with _locked(source):
        with target.transaction() as tx:
            _copy_records(source, tx, progress)
            _copy_base(source, tx, progress)
            for activation in source.activations():
                for entity, value in source.watermarks(activation).items():
                    tx.set_watermark(activation, entity, value)
            for run in reversed(source.runs(limit=ALL_RUNS)):
                target.start_run(run)
        before = contents(source)
    after = contents(target)
    wrong = before.differences(after)
    if wrong:
        raise StoreError(
            f"the copy at {target.url} does not match {source.url}: {', '.join(wrong)} differ",
            "nothing was changed in the source; remove the target and copy again",
        )
    return after


def contents(store: Store) -> Contents:
    found = Contents()
    entities = store.entities()
    for entity in entities:
        found.records[entity] = store.count(entity)
        found.digests[entity] = store.entities_digest([entity])
    for activation in store.activations():
        for entity in entities:
            count = store.base_count(activation, entity)
            if count:
                found.base[(activation, entity)] = (count, _base_digest(store, activation, entity))
        marks = store.watermarks(activation)
        if marks:
            found.watermarks[activation] = marks
    runs = store.runs(limit=ALL_RUNS)
    found.runs = len(runs)
    hasher = hashlib.blake2b(digest_size=16)
    for run in runs:
        hasher.update(repr(run).encode())
    found.runs_digest = hasher.hexdigest()
    return found


def _copy_records(source: Store, tx: StoreTransaction, progress: Progress) -> None:
    for entity in source.entities():
        total = source.count(entity)
        for done, record in enumerate(source.scan(entity), 1):
            tx.put(entity, record.key, record.fields, record.modified)
            if done % 10_000 == 0 or done == total:
                progress(f"copying {entity}", done, total)


def _copy_base(source: Store, tx: StoreTransaction, progress: Progress) -> None:
    for activation in source.activations():
        for entity in source.entities():
            total = source.base_count(activation, entity)
            for done, entry in enumerate(source.base_scan(activation, entity), 1):
                tx.set_base(
                    activation,
                    entity,
                    BaseEntry(entry.key, entry.digest, entry.store_digest, entry.fields),
                )
                if done % 10_000 == 0 or done == total:
                    progress(f"copying the base of {activation}: {entity}", done, total)


def _base_digest(store: Store, activation: str, entity: str) -> str:
    hasher = hashlib.blake2b(digest_size=16)
    for entry in store.base_scan(activation, entity):
        row = (entry.key, entry.digest, entry.store_digest, entry.fields)
        hasher.update(orjson.dumps(row, option=orjson.OPT_SORT_KEYS))
        hasher.update(b"\n")
    return hasher.hexdigest()


@contextmanager
def _locked(store: Store) -> Iterator[list[LockInfo]]:
    """Every activation of the store locked for the copy (LockError names a holder)."""
    held: list[LockInfo] = []
    try:
        for activation in store.activations():
            held.append(store.acquire_lock(activation, "copy"))
        yield held
    finally:
        for lock in held:
            store.release_lock(lock)
