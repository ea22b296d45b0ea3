"""Running digests of what a plan read, so a saved plan can tell when its inputs moved."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from passport.model import Change

_FLUSH_AT = 20_000


class Tally:
    """An order-sensitive digest of small strings; plans feed it in key order.

    Parts are buffered and hashed in large chunks: a plan feeds it millions of rows."""

    def __init__(self) -> None:
        self._hash = hashlib.blake2b(digest_size=16)
        self._rows: list[str] = []

    def lines(self, rows: list[str]) -> None:
        """Add many preformatted rows at once (the hot loops batch their rows)."""
        self._rows.extend(rows)
        self._flush()

    def flat(self, parts: list[str]) -> None:
        """Add rows given flat, their parts one after another (key, digest, key, ...)."""
        self._flush()
        self._hash.update("\x1f".join(parts).encode("utf-8", "surrogateescape"))
        self._hash.update(b"\x1d")

    def columns(self, *columns: list[str]) -> None:
        """Add rows given as columns of equal length (keys, digests)."""
        self._flush()
        for column in columns:
            self._hash.update("\x1f".join(column).encode("utf-8", "surrogateescape"))
            self._hash.update(b"\x1e")
        self._hash.update(b"\x1d")

    def line(self, text: str) -> None:
        """Add one preformatted row (the caller joins its parts with \\x1f)."""
        self._rows.append(text)
        if len(self._rows) >= _FLUSH_AT:
            self._flush()

    def add(self, *parts: str | None) -> None:
        self._rows.append("\x1f".join("\x00" if p is None else p for p in parts))
        if len(self._rows) >= _FLUSH_AT:
            self._flush()

    def add_pairs(self, label: str, pairs: Iterable[tuple[str, str]]) -> None:
        self.add(label)
        self._flush()
        chunk = "\x1e".join(f"{key}\x1f{value}" for key, value in pairs)
        self._hash.update(chunk.encode("utf-8"))
        self._hash.update(b"\x1d")

    def _flush(self) -> None:
        if self._rows:
            self._hash.update("\x1e".join(self._rows).encode("utf-8"))
            self._hash.update(b"\x1d")
            self._rows.clear()

    def hexdigest(self) -> str:
        self._flush()
        return self._hash.hexdigest()


# Change digests add up modulo 2**256: a set of changes has one total in whatever order
# it is summed, so a spilled plan's total is kept run by run as it is written, and naming
# what a run applies (`runs.plan_checksum`) reads none of it back.
TOTAL_MOD = 1 << 256


def change_digest(change: Change) -> int:
    """What names one change in a plan's checksum: direction, action, entity, key and the
    fields it changes (never values)."""
    c = change
    line = f"{c.direction.value}\x1f{c.action.value}\x1f{c.entity}\x1f{c.key}\x1f"
    line += "\x1f".join(c.changed)
    digest = hashlib.blake2b(line.encode("utf-8", "surrogateescape"), digest_size=32).digest()
    return int.from_bytes(digest, "big")


def changes_total(changes: Iterable[Change]) -> int:
    """The order-free total of some changes' digests (`change_digest`)."""
    return sum(map(change_digest, changes)) % TOTAL_MOD
