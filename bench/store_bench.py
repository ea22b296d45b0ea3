"""Store throughput: put + set_base in batched transactions, then sorted scans.

    .venv/bin/python bench/store_bench.py [--records 1000000] [--tx 100000] [--path FILE]

Records look like OneRoster users (12 fields). By default keys arrive in random order
(the worst case for B-trees); `--order sorted` gives them in key order, as an apply of a
key-sorted plan does. The time to make the record dicts is measured apart and subtracted.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from passport.model import Fields
from passport.store import BaseEntry, Store, open_store


def user(i: int) -> Fields:
    return {
        "givenName": f"Given{i % 997}",
        "familyName": f"Family{i % 1009}",
        "middleName": "Q",
        "username": f"user{i}",
        "email": f"user{i}@district.example.org",
        "role": "student",
        "identifier": f"{i:09d}",
        "grades": [f"{(i % 12) + 1:02d}"],
        "orgSourcedIds": [f"school-{i % 40}"],
        "enabledUser": "true",
        "phone": f"555-{i % 10000:04d}",
        "agentSourcedIds": [f"parent-{i}"],
    }


def load(store: Store, keys: list[str], tx_size: int) -> float:
    started = time.perf_counter()
    for start in range(0, len(keys), tx_size):
        with store.transaction() as tx:
            for i in range(start, min(start + tx_size, len(keys))):
                key = keys[i]
                digest = tx.put("users", key, user(i))
                tx.set_base("canvas", "users", BaseEntry(key, digest, digest))
    return time.perf_counter() - started


def timed(label: str, count: int, action: Callable[[], int]) -> None:
    started = time.perf_counter()
    seen = action()
    elapsed = time.perf_counter() - started
    assert seen == count, (label, seen, count)
    print(f"{label:<34} {elapsed:7.2f} s  {count / elapsed:>10,.0f} rows/s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--tx", type=int, default=100_000)
    parser.add_argument("--path", type=Path)
    parser.add_argument("--order", choices=["random", "sorted"], default="random")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="passport-bench-")
    path = args.path or Path(folder) / "store.db"
    keys = [f"{random.getrandbits(64):016x}-{i}" for i in range(args.records)]
    if args.order == "sorted":
        keys.sort()
    started = time.perf_counter()
    for i in range(len(keys)):
        user(i)
    making = time.perf_counter() - started
    print(f"{'making the records (not counted)':<34} {making:7.2f} s")

    store = open_store(str(path))
    elapsed = load(store, keys, args.tx) - making
    print(
        f"{'put + set_base (tx ' + format(args.tx, ',') + ')':<34} {elapsed:7.2f} s  "
        f"{args.records / elapsed:>10,.0f} records/s"
    )
    timed("scan (sorted, parsed)", args.records, lambda: sum(1 for _ in store.scan("users")))
    timed(
        "base_scan (joined, sorted)",
        args.records,
        lambda: sum(1 for _ in store.base_scan("canvas", "users")),
    )
    sample = random.sample(keys, min(100_000, len(keys)))
    timed("get (100k random keys)", len(sample), lambda: len(store.get("users", sample)))
    timed("owners (100k random keys)", len(sample), lambda: len(store.owners("users", sample)))
    timed("entities_digest", 1, lambda: len(store.entities_digest(["users"])) // 32)
    store.close()
    size = sum(f.stat().st_size for f in path.parent.glob(path.name + "*"))
    print(f"file size {size / 2**20:,.0f} MiB ({path})")
    if args.path is None:
        for f in path.parent.glob(path.name + "*"):
            os.unlink(f)
        os.rmdir(folder)


if __name__ == "__main__":
    main()
