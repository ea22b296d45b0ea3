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


# Date formats an activation may name (`delivery.date_format`) for a source that does not
# write ISO 8601: the day, month and year in that order, separated by / - or .
DATE_FORMATS = ("M/D/YYYY", "D/M/YYYY", "YYYY-MM-DD")
_SLASHED = re.compile(
    r"(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?\Z"
)
_FORMAT_HINT = (
    "passport reads ISO 8601 (YYYY-MM-DD); if the source writes dates another way, name "
    'its format in the activation, e.g. delivery.date_format: "M/D/YYYY"'
)


class DateReader:
    """Date and date-time cells as ISO 8601: as they are, or, when the activation names
    the source's format (`delivery.date_format`), converted from it. Never a guess: a
    value in neither is refused with the hint to name the format."""

    def __init__(self, date_format: str | None) -> None:
        self.format = date_format if date_format != "YYYY-MM-DD" else None

    def date(self, value: str) -> tuple[str, str, str]:
        """(ISO date, "", "") or (value, why not, hint)."""
        if date_error(value) is None:
            return value, "", ""
        iso = self._convert(value, with_time=False)
        if iso is not None:
            return iso, "", ""
        return value, f"{value!r} is not a date (YYYY-MM-DD)", self._hint(value)

    def datetime(self, value: str) -> tuple[str, str, str]:
        """(ISO date-time, "", "") or (value, why not, hint); the caller checks ISO ones."""
        if parse_datetime(value) is not None:
            return value, "", ""
        iso = self._convert(value, with_time=True)
        if iso is not None:
            return iso, "", ""
        return value, f"{value!r} is not an ISO 8601 date-time", self._hint(value)

    def _hint(self, value: str) -> str:
        return _FORMAT_HINT if _SLASHED.match(value) and self.format is None else ""

    def _convert(self, value: str, *, with_time: bool) -> str | None:
        match = _SLASHED.match(value.strip()) if self.format else None
        if match is None:
            return None
        first, second, year, hour, minute, sec = match.groups()
        if hour and not with_time:
            return None
        month, day = (first, second) if self.format == "M/D/YYYY" else (second, first)
        if len(year) != 4:
            return None
        try:
            day_iso = date(int(year), int(month), int(day)).isoformat()
        except ValueError:
            return None
        if not hour:
            return day_iso
        return f"{day_iso}T{int(hour):02d}:{minute}:{sec or '00'}Z"


def join_multi(field: str, items: list[str]) -> str:
    if field == "userIds":
        return ",".join("{" + item + "}" for item in items)
    return ",".join(items)
