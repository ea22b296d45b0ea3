"""Running digests of what a plan read, so a saved plan can tell when its inputs moved."""

from __future__ import annotations

import hashlib


class Tally:
    """An order-sensitive digest fed with small strings; plans feed it in key order."""

    def __init__(self) -> None:
        self._hash = hashlib.blake2b(digest_size=16)

    def add(self, *parts: str | None) -> None:
        for part in parts:
            self._hash.update(b"\x00" if part is None else part.encode("utf-8"))
            self._hash.update(b"\x1f")
        self._hash.update(b"\x1e")

    def hexdigest(self) -> str:
        return self._hash.hexdigest()
