"""Synthetic districts for the benchmarks.

    python bench/generate.py --users 1000000 bench/data/today
    python bench/generate.py --next-day bench/data/today bench/data/tomorrow
    python bench/generate.py --delta bench/data/today bench/data/tomorrow-delta

The first writes the sample district (passport.sample) at any size. The second writes
"the next day" of a bundle: about 1% of records changed, 0.5% added and 0.5% removed
across users, demographics, classes and enrollments, chosen by a hash of each key, so
the same input always gives the same output. Removing a user or a class removes its
enrollments (and a user's demographics) too, so the new bundle stays consistent. The third
writes the same day after as a delta bundle: the changed, added and removed rows alone.
"""

from __future__ import annotations

import argparse
import sys
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

from passport.connectors.oneroster_csv.snapshot import CsvSnapshot
from passport.connectors.oneroster_csv.writer import write_bundle
from passport.model import Record
from passport.oneroster import ENTITIES
from passport.sample import generate_sample

CHANGED, REMOVED, ADDED = range(0, 10), range(10, 15), range(15, 20)  # per mille
CHANGES = {
    "users": ("email", "changed.{}@example.edu"),
    "demographics": ("cityOfBirth", "Newtown {}"),
    "classes": ("location", "Portable {}"),
    "enrollments": ("endDate", "2026-03-{:02d}"),
}
NEXT_MODIFIED = "2025-08-02T00:00:00Z"


def bucket(key: str) -> int:
    return zlib.crc32(key.encode()) % 1000


def gone(key: str) -> bool:
    return bucket(key) in REMOVED


def next_day(entity: str, records: Iterator[Record]) -> Iterator[Record]:
    """The entity's records one day later: some changed, some removed, some added."""
    for record in records:
        if _removed(entity, record):
            continue
        yield _changed(entity, record) if bucket(record.key) in CHANGED else record
        added = _added(entity, record)
        if added is not None:
            yield added


def _removed(entity: str, record: Record) -> bool:
    f = record.fields
    if entity in ("users", "demographics", "classes"):
        return gone(record.key)
    if entity == "enrollments":
        return gone(record.key) or gone(str(f["userSourcedId"])) or gone(str(f["classSourcedId"]))
    return False


def _changed(entity: str, record: Record) -> Record:
    if entity not in CHANGES:
        return record
    field, pattern = CHANGES[entity]
    value = pattern.format(bucket(record.key) % 28 + 1 if entity == "enrollments" else record.key)
    return Record(record.key, {**record.fields, field: value}, NEXT_MODIFIED)


def _added(entity: str, record: Record) -> Record | None:
    """A new record cloned from `record`: new users (with their demographics and
    enrollments) and new enrollments of existing users."""
    fields = dict(record.fields)
    if entity in ("users", "demographics"):
        if bucket(record.key) not in ADDED:
            return None
        if entity == "users":
            fields["username"] = f"{fields.get('username', '')}.new"
        return Record(f"{record.key}-new", fields, NEXT_MODIFIED)
    if entity == "enrollments":
        user = str(fields["userSourcedId"])
        if bucket(user) in ADDED:
            fields["userSourcedId"] = f"{user}-new"
            return Record(f"{record.key}-new", fields, NEXT_MODIFIED)
        if bucket(record.key) in ADDED:
            return Record(f"{record.key}-again", fields, NEXT_MODIFIED)
    return None


def delta_of(entity: str, records: Iterator[Record]) -> Iterator[Record]:
    """What changed in the entity one day later (`next_day`), as a delta: changed and
    added records, and removed ones marked deleted."""
    for record in records:
        if _removed(entity, record):
            yield Record(record.key, record.fields, NEXT_MODIFIED, True)
            continue
        if bucket(record.key) in CHANGED:
            yield _changed(entity, record)
        added = _added(entity, record)
        if added is not None:
            yield added


def write_delta(source: Path, out: Path) -> None:
    """The day after `source` as a delta bundle: only the entities that change, only
    their changed rows (about 1-2% of the bundle's rows)."""
    snap = CsvSnapshot(source, ENTITIES)
    try:
        streams = {entity: delta_of(entity, snap.read(entity)) for entity in CHANGES}
        write_bundle(
            out, streams, version=snap.version, processing="delta", system_name="passport-bench"
        )
    finally:
        snap.close()


def write_next_day(source: Path, out: Path) -> None:
    snap = CsvSnapshot(source, ENTITIES)
    try:
        streams = {
            entity: next_day(entity, snap.read(entity))
            for entity in ENTITIES
            if snap.mode(entity) != "absent"
        }
        write_bundle(out, streams, version=snap.version, system_name="passport-bench")
    finally:
        snap.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=2000, help="users in the district")
    parser.add_argument("--seed", type=int, default=1, help="generator seed")
    parser.add_argument("--schools", type=int, default=4, help="schools in the district")
    parser.add_argument(
        "--next-day", metavar="BUNDLE", type=Path, help="write the day after BUNDLE instead"
    )
    parser.add_argument(
        "--delta", metavar="BUNDLE", type=Path, help="write the day after BUNDLE as a delta"
    )
    parser.add_argument("out", type=Path, help="folder (or .zip) to write")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.delta:
        write_delta(args.delta, args.out)
    elif args.next_day:
        write_next_day(args.next_day, args.out)
    else:
        generate_sample(args.out, users=args.users, seed=args.seed, schools=args.schools)
    print(f"wrote {args.out} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
