"""Bounds on what passport reads, each a setting with a sane default.

Every input from outside (an activation file, a secret file, a CSV bundle, a service's
answer) is read under a bound, so a hostile or broken input is a clear error in bounded
time and memory, never a hang or an out-of-memory kill. Each bound is an environment
variable read when it is needed; a size is a number of bytes, optionally with a unit
(`64KiB`, `1MiB`, `4GiB`, `500MB`). docs/activation.md lists them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from passport.errors import PassportError

_UNITS = {
    "": 1,
    "b": 1,
    "k": 1 << 10,
    "kb": 1000,
    "kib": 1 << 10,
    "m": 1 << 20,
    "mb": 1000**2,
    "mib": 1 << 20,
    "g": 1 << 30,
    "gb": 1000**3,
    "gib": 1 << 30,
}
_SIZE = re.compile(r"^\s*(?P<number>\d+(?:\.\d+)?)\s*(?P<unit>[a-z]*)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Setting:
    """One bound: its environment variable, its default and what it bounds."""

    name: str
    default: int
    bounds: str
    size: bool = True  # a size in bytes (units allowed), else a plain number

    def value(self) -> int:
        raw = os.environ.get(self.name, "").strip()
        if not raw:
            return self.default
        parsed = parse_size(raw) if self.size else _number(raw)
        if parsed is None or parsed <= 0:
            example = "a size such as 64KiB, 1MiB or 2GiB" if self.size else "a whole number"
            raise PassportError(
                f"{self.name}={raw[:40]!r} is not a valid limit for {self.bounds}",
                hint=f"set {self.name} to {example}, or unset it for {self.shown(self.default)}",
            )
        return parsed

    def shown(self, value: int) -> str:
        return size_text(value) if self.size else str(value)


def parse_size(text: str) -> int | None:
    match = _SIZE.match(text)
    if not match or match["unit"].lower() not in _UNITS:
        return None
    return int(float(match["number"]) * _UNITS[match["unit"].lower()])


def _number(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def size_text(size: int) -> str:
    """`64 KiB`, `1 MiB`, `2.5 GiB`: a size as a person reads it."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size:,} bytes"


MAX_CONFIG_BYTES = Setting("PASSPORT_MAX_CONFIG_BYTES", 1 << 20, "an activation file")
MAX_SECRET_BYTES = Setting("PASSPORT_MAX_SECRET_BYTES", 64 << 10, "a ${file:} secret")
MAX_RESPONSE_BYTES = Setting(
    "PASSPORT_MAX_RESPONSE_BYTES", 64 << 20, "one answer of a REST service (a page, a token)"
)
MAX_CSV_FILE_BYTES = Setting(
    "PASSPORT_MAX_CSV_FILE_BYTES", 8 << 30, "one file of a CSV bundle (unzipped)"
)
MAX_CSV_BUNDLE_BYTES = Setting(
    "PASSPORT_MAX_CSV_BUNDLE_BYTES", 32 << 30, "a whole CSV bundle (unzipped)"
)
MAX_ZIP_RATIO = Setting(
    "PASSPORT_MAX_ZIP_RATIO", 100, "how many times a zipped file may grow when unzipped", False
)

EVERY = (
    MAX_CONFIG_BYTES,
    MAX_SECRET_BYTES,
    MAX_RESPONSE_BYTES,
    MAX_CSV_FILE_BYTES,
    MAX_CSV_BUNDLE_BYTES,
    MAX_ZIP_RATIO,
)
