"""Cell values: checks for dates, datetimes and booleans, and multi-valued cells.

Checks cache the strings they accepted: a district has few distinct dates, so the common
case costs one set lookup a cell.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_YEAR = re.compile(r"\d{4}\Z")
_BRACED = re.compile(r"\{([^}]*)\}")
BOOLEANS = frozenset({"true", "false"})
_CACHE_LIMIT = 100_000


def date_error(value: str) -> str | None:
    """None when `value` is a YYYY-MM-DD date, else why not."""
    if _DATE.match(value):
        try:
            date.fromisoformat(value)
            return None
        except ValueError:
            pass
    return f"{value!r} is not a date (YYYY-MM-DD)"


def year_error(value: str) -> str | None:
    return None if _YEAR.match(value) else f"{value!r} is not a year (YYYY)"


def boolean_error(value: str) -> str | None:
    if value in BOOLEANS:
        return None
    return f"{value!r} is not a boolean (true or false)"


def parse_datetime(value: str) -> datetime | None:
    """An ISO 8601 date-time (or date) as an aware UTC datetime; None when it is not one."""
    if not _DATE.match(value[:10]):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


class Modified:
    """Checks dateLastModified cells and keeps the newest one seen (the watermark)."""

    def __init__(self) -> None:
        self.seen: set[str] = set()
        self.newest: str | None = None
        self._newest_at: datetime | None = None

    def error(self, value: str) -> str | None:
        """None when `value` is a valid date-time (cached), else why not."""
        if value in self.seen:
            return None
        parsed = parse_datetime(value)
        if parsed is None:
            return f"{value!r} is not an ISO 8601 date-time"
        if len(self.seen) > _CACHE_LIMIT:
            self.seen.clear()
        self.seen.add(value)
        if self._newest_at is None or parsed > self._newest_at:
            self._newest_at = parsed
            self.newest = value
        return None


def split_multi(value: str) -> list[str]:
    """A multi-valued cell ("9,10", "9, 10") as its non-empty items."""
    parts = value.split(",")
    if " " in value or "" in parts:
        parts = [p.strip() for p in parts]
        parts = [p for p in parts if p]
    return parts


def split_user_ids(value: str) -> list[str]:
    """`{LDAP:jdoe},{SIS:1234}` -> ["LDAP:jdoe", "SIS:1234"]; unbraced cells split on commas."""
    if value[0] == "{" and value[-1] == "}":
        items = value[1:-1].split("},{")
        if not any("{" in item or "}" in item or not item for item in items):
            return items
    if value.startswith("{"):
        return [item.strip() for item in _BRACED.findall(value) if item.strip()]
    return split_multi(value)


def join_multi(field: str, items: list[str]) -> str:
    if field == "userIds":
        return ",".join("{" + item + "}" for item in items)
    return ",".join(items)
