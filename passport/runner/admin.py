"""The store's housekeeping: migrate, copy, locks, history."""

from __future__ import annotations

from dataclasses import dataclass

from passport.errors import PassportError
from passport.model import LockInfo, Run
from passport.plan.sources import Progress, no_progress
from passport.runner.settings import Settings, opened_store
from passport.store import open_store
from passport.store.copy import Contents, copy_store
from passport.store.locking import is_stale
from passport.store.migrations import MIGRATIONS


@dataclass(frozen=True)
class Migrated:
    url: str
    applied: tuple[int, ...]  # the migrations this run applied
    version: int  # the schema version the store is at now


def migrate_store(settings: Settings) -> Migrated:
    """Create the store's schema, or apply the migrations it lacks."""
    with opened_store(Settings(store_url=settings.store_url)) as store:
        return Migrated(store.url, tuple(store.migrated), len(MIGRATIONS))


@dataclass(frozen=True)
class Copied:
    source: str
    target: str
    contents: Contents  # what both hold, verified equal


def copy_whole_store(source: str, target: str, progress: Progress = no_progress) -> Copied:
    """Copy the store at `source` into the new, empty store at `target`, and verify it."""
    origin = open_store(source, create=False)
    try:
        destination = open_store(target)
        try:
            contents = copy_store(origin, destination, progress)
            return Copied(origin.url, destination.url, contents)
        finally:
            destination.close()
    finally:
        origin.close()


@dataclass(frozen=True)
class HeldLocks:
    locks: tuple[LockInfo, ...]
    stale: frozenset[str]  # ids of locks whose holder is gone (expired, or dead on this host)


def held_locks(settings: Settings) -> HeldLocks:
    with opened_store(settings) as store:
        locks = tuple(store.locks())
    return HeldLocks(locks, frozenset(lock.id for lock in locks if is_stale(lock)))


def unlock(name: str, lock_id: str, settings: Settings) -> LockInfo:
    """Release activation `name`'s lock if its id is `lock_id`; the lock released."""
    with opened_store(settings) as store:
        return store.force_unlock(name, lock_id)


def history(settings: Settings, activation: str | None = None, limit: int = 20) -> list[Run]:
    """Past runs, newest first: every activation's, or one's."""
    with opened_store(settings) as store:
        return store.runs(activation, limit)


def find_run(settings: Settings, run_id: str) -> Run:
    """One run by its id or a unique prefix of it."""
    with opened_store(settings) as store:
        found = store.run(run_id)
    if found is None:
        raise PassportError(f"no run {run_id!r} in the store", "see `passport history`")
    return found
