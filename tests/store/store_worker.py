"""A second process for the store tests: holds locks, or writes until it is killed.

python store_worker.py hold URL ACTIVATION SECONDS   take the lock, print its id, hold it
python store_worker.py try URL ACTIVATION SECONDS    as hold, but print "held" if taken
python store_worker.py write URL TX_ROWS             commit transactions, print each index
"""

from __future__ import annotations

import sys

from passport.errors import LockError
from passport.store import BaseEntry, Store, open_store
from passport.store.location import resolve
from passport.store.postgres import PostgresStore
from passport.store.sqlite import SQLiteStore


def hold(url: str, activation: str, *, quiet_if_held: bool) -> None:
    store = open_store(url)
    try:
        lock = store.acquire_lock(activation, "apply")
    except LockError:
        if not quiet_if_held:
            raise
        print("held", flush=True)
        return
    print(lock.id, flush=True)
    sys.stdin.readline()
    store.release_lock(lock)
    store.close()


def write(url: str, tx_rows: int) -> None:
    """Transaction i writes records t{i}-{j}, their base rows and watermark i."""
    location = resolve(url)
    store: Store
    if location.backend == "sqlite":
        assert location.path is not None
        lite = SQLiteStore(location.path, location.url, batch_rows=50)
        lite._conn.execute("PRAGMA cache_size = 8")  # spill uncommitted pages to the WAL
        store = lite
    else:
        store = PostgresStore(location, batch_rows=50)  # many COPY batches per transaction
    i = 0
    while True:
        with store.transaction() as tx:
            for j in range(tx_rows):
                key = f"t{i:05d}-{j:05d}"
                digest = tx.put("users", key, {"tx": str(i), "row": str(j)})
                tx.set_base("canvas", "users", BaseEntry(key, digest, digest))
            tx.set_watermark("canvas", "users", str(i))
        print(i, flush=True)
        i += 1


def main(argv: list[str]) -> None:
    command, *args = argv
    if command in {"hold", "try"}:
        hold(args[0], args[1], quiet_if_held=command == "try")
    elif command == "write":
        write(args[0], int(args[1]))
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main(sys.argv[1:])
