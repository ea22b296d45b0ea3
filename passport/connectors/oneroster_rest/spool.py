"""The records of one listing as the service sent them, kept on disk in listing order.

A plan reads the application twice (every record for digests, then the few that differ)
and an update is written over the record as read; the spool serves both without holding a
district in memory or asking the service again. One line a record: the sourcedId as a
JSON string, a tab, the record's JSON.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Collection, Iterable, Iterator
from typing import Any

import orjson


class Spool:
    def __init__(self, folder: str) -> None:
        handle, self.path = tempfile.mkstemp(prefix="listing-", suffix=".jsonl", dir=folder)
        self._out = os.fdopen(handle, "wb", buffering=1 << 16)
        self.count = 0

    def add_page(self, keys: Iterable[str], raws: list[Any]) -> None:
        """One page's records (their keys and JSON objects, in order), in one write."""
        dumps = orjson.dumps
        lines = [dumps(k) + b"\t" + dumps(r) + b"\n" for k, r in zip(keys, raws, strict=True)]
        self._out.write(b"".join(lines))
        self.count += len(lines)

    def finish(self) -> None:
        if not self._out.closed:
            self._out.close()

    def scan(self, keys: Collection[str] | None = None) -> Iterator[tuple[str, Any]]:
        """(sourcedId, JSON object) pairs in listing order; with `keys`, only those."""
        self.finish()
        wanted = None if keys is None else {orjson.dumps(k) for k in keys}
        with open(self.path, "rb", buffering=1 << 16) as lines:
            for line in lines:
                quoted, _, raw = line.partition(b"\t")
                if wanted is None or quoted in wanted:
                    yield orjson.loads(quoted), orjson.loads(raw)

    def discard(self) -> None:
        self.finish()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
