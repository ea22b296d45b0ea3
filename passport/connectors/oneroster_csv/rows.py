"""CSV rows of one file -> canonical Records, checked as they stream.

Per row only what must happen happens: pick the key (and skip it early when reading a
subset), check the cells that have a kind (dates, booleans, references) against caches
and key sets, and build the fields from the non-empty cells. The loop itself is generated
for the file's header (`loop.py`); the methods here handle the cells that are wrong.

A row that fails a check (an unknown reference, an unparsable value, a missing required
value) is *held*: it is not yielded, and a `Held` names its key, the reason and the place.
A problem with the file itself (bytes that are not UTF-8, CSV that cannot be parsed) stops
the file and is collected in `Problems`, so that every file's problems show at once.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import IO

from passport.connectors.oneroster_csv.header import Layout
from passport.connectors.oneroster_csv.loop import STATUSES, compile_loop
from passport.connectors.oneroster_csv.problems import Problems
from passport.connectors.oneroster_csv.source import Source
from passport.connectors.oneroster_csv.values import (
    DateReader,
    Modified,
    boolean_error,
    date_error,
    split_multi,
    year_error,
)
from passport.model import Held, Record
from passport.oneroster import NOUNS, SPECS, is_pii

Fold = Mapping[str, Mapping[str, str | list[str]]]  # user key -> fields from roles.csv
_NOT_FIELDS = frozenset({"sourcedId", "status", "dateLastModified", "password"})
_PASSWORD = "the password column has values; passport never reads passwords"
_REF_HINT = "the record it names must be in the bundle, or the file declared absent"
_CACHE = 50_000
# Text cells where a NUL byte is refused (it ends a C string in many receiving systems).
TEXTS = frozenset(
    {
        "sourcedId",
        "name",
        "title",
        "givenName",
        "familyName",
        "middleName",
        "preferredGivenName",
        "preferredMiddleName",
        "preferredFamilyName",
        "username",
        "email",
    }
)
# (start, end) date columns: the end may not come before the start.
SPANS = (("startDate", "endDate"), ("beginDate", "endDate"))
NO_ROLE = "the user has no row in roles.csv (OneRoster 1.2 gives every user a role)"
# Files whose rows belong to a user (userSourcedId): a held row holds its user.
OWNED = frozenset({"roles", "userProfiles"})


@dataclass
class Ref:
    """A reference column checked against the target's keys (None: not checked)."""

    index: int
    column: str
    target: str
    keys: Collection[str] | None
    multi: bool
    deferred: bool = False  # to the file itself: checked against its keys at the end


@dataclass
class Checks:
    """Everything a file's rows are checked against."""

    refs: list[Ref] = field(default_factory=list)
    fold: Fold | None = None  # 1.2: users' role and orgSourcedIds from roles.csv
    modified: Modified = field(default_factory=Modified)
    # Keys held before the file is read (a user whose roles.csv row is held), with why.
    preheld: Mapping[str, Held] = field(default_factory=dict)
    dates: DateReader = field(default_factory=lambda: DateReader(None))
    roles_required: bool = False  # 1.2 bulk: a user with no row in roles.csv is held


class RowReader:
    """Reads one file of a bundle; `done(reader, full)` runs after its last row."""

    def __init__(
        self,
        layout: Layout,
        checks: Checks,
        problems: Problems,
        source: Source,
        done: Callable[[RowReader, bool], None],
        required: tuple[str, ...] = (),
    ) -> None:
        self.layout = layout
        self.source = source
        self.done = done
        self.checks = checks
        self.problems = problems
        spec = SPECS.get(layout.entity)
        names = layout.names
        self.kept = [(i, n) for i, n in enumerate(names) if n and n not in _NOT_FIELDS]
        self.multi = spec.multi - {"userIds"} if spec else frozenset()
        self.dates = _indices(layout, spec.dates if spec else {"beginDate", "endDate"})
        self.years = _indices(layout, spec.years if spec else ())
        self.booleans = _indices(layout, spec.booleans if spec else ())
        self.required = _indices(layout, required or (spec.required if spec else ()))
        self.password = layout.at("password")
        self.texts = _indices(layout, TEXTS)
        self.spans = tuple(
            (layout.index[a], layout.index[b])
            for a, b in SPANS
            if a in layout.index and b in layout.index
        )
        self.seen: set[str] = set()
        self.dates_ok: set[str] = set()
        self.years_ok: set[str] = set()
        # The problems of the row being read: (reason, column index, hint). The loop
        # holds the row when there is any.
        self.flags: list[tuple[str, int, str]] = []
        self.held: list[Held] = []
        self.owners: dict[str, str] = {}  # held key -> its user (roles.csv, userProfiles.csv)
        self.owner = layout.at("userSourcedId") if layout.entity in OWNED else -1
        self.duplicates: set[str] = set()
        self.broken = False  # the file itself failed: what it holds is not all read
        self._pending: list[tuple[int, str, int, str]] = []  # forward references to check
        self._loop = compile_loop(self)

    def records(self, keys: Collection[str] | None) -> Iterator[Record]:
        """The file's records; with `keys`, only those records."""
        return self._loop(keys)

    def open_text(self) -> IO[str]:
        return self.source.open_text(self.layout.file)

    # --- holding rows -------------------------------------------------------------

    def flag(self, reason: str, i: int = -1, hint: str = "") -> None:
        """A problem of the row being read, at column index `i` (-1: the whole row)."""
        self.flags.append((reason, i, hint))

    def hold_row(self, row: list[str], key: str, row_no: int) -> None:
        """Hold the row being read for its first problem; forget the others."""
        reason, i, hint = self.flags[0]
        if 0 <= i < len(row) and row[i] and is_pii(self.layout.entity, self.layout.names[i]):
            reason = reason.replace(repr(row[i]), "the value")  # never a raw personal value
        more = len(self.flags) - 1
        if more:
            reason += f" (and {more} more problem{'s' if more > 1 else ''} in the row)"
        self.flags.clear()
        # The first row of a duplicate key was handed on already: the plan takes it back.
        self._hold(key, reason, row_no, i, hint, withdrawn=key in self.duplicates)
        if self.owner >= 0 and len(row) > self.owner:
            self.owners[key] = row[self.owner]

    def hold_preheld(self, key: str) -> None:
        """A row whose key was held before its file was read (see Checks.preheld)."""
        self.held.append(self.checks.preheld[key])

    def _hold(
        self,
        key: str,
        reason: str,
        row_no: int,
        i: int = -1,
        hint: str = "",
        withdrawn: bool = False,
    ) -> None:
        lay = self.layout
        name = lay.names[i] if 0 <= i < len(lay.names) else ""
        held = Held(lay.entity, key, reason, lay.file, row_no, i + 1, name, hint)
        self.held.append(replace(held, withdrawn=True) if withdrawn else held)

    # --- the slow paths the loop calls ---------------------------------------------

    def check_date(self, row: list[str], row_no: int, i: int) -> None:
        value = row[i]
        iso, reason, hint = self.checks.dates.date(value)
        if reason:
            self.flag(reason, i, hint)
        elif iso != value:
            row[i] = iso
        elif len(self.dates_ok) < _CACHE:
            self.dates_ok.add(value)

    def check_year(self, row: list[str], row_no: int, i: int) -> None:
        reason = year_error(row[i])
        if reason:
            self.flag(reason, i)
        elif len(self.years_ok) < _CACHE:
            self.years_ok.add(row[i])

    def boolean(self, row: list[str], row_no: int, i: int) -> None:
        lay = self.layout
        lower = row[i].strip().lower()
        if boolean_error(lower):
            self.flag(boolean_error(row[i]) or "", i)
            return
        message = f"boolean {row[i]!r} read as {lower!r}"
        self.problems.warn(lay.file, message, row_no, i + 1, lay.names[i], once="boolean")
        row[i] = lower

    def no_role(self) -> None:
        self.flag(NO_ROLE, -1, "give the user a row in roles.csv")

    def nul(self, row: list[str], i: int) -> None:
        self.flag("the cell holds a NUL byte", i, "remove the NUL bytes in the source system")

    def span(self, row: list[str], start: int, end: int) -> None:
        if date_error(row[start]) or date_error(row[end]):
            return  # already held for the date itself
        names = self.layout.names
        self.flag(f"{names[end]} {row[end]} is before {names[start]} {row[start]}", end)

    def warn_password(self, row_no: int) -> None:
        self.problems.warn(self.layout.file, _PASSWORD, row_no, once="password")

    def check_meta(self, row: list[str], row_no: int, status: str, modified: str) -> None:
        lay = self.layout
        st_i, mod_i = lay.at("status"), lay.at("dateLastModified")
        delta = lay.mode == "delta"
        if status and status not in STATUSES:
            message = f"{status!r} is not a status (active, tobedeleted or inactive)"
            self.flag(message, st_i)
        elif not status and delta:
            self.flag("a delta row needs a status", st_i)
        if modified:
            iso, reason, hint = self.checks.dates.datetime(modified)
            if reason:
                self.flag(reason, mod_i, hint)
            else:
                wrong = self.checks.modified.error(iso)
                if wrong:
                    self.flag(wrong, mod_i)
                elif iso != modified:
                    row[mod_i] = iso
        elif delta:
            self.flag("a delta row needs a dateLastModified", mod_i)

    def fix_width(self, row: list[str], row_no: int) -> list[str] | None:
        """The row cut, or None: blank lines skip, trailing empty cells are tolerated, a
        row of another width is held."""
        file, width = self.layout.file, self.layout.width
        if not row:
            self.problems.warn(file, "blank lines are skipped", row_no, once="blank")
            return None
        if len(row) > width and not any(c.strip() for c in row[width:]):
            self.problems.warn(file, "trailing empty cells are ignored", row_no, once="trailing")
            return row[:width]
        message = f"the row has {len(row)} cells but the header has {width} columns"
        key_i = self.layout.at("sourcedId")
        key = row[key_i] if 0 <= key_i < len(row) else ""
        self._hold(key, message, row_no, hint="check the quoting of the row in the source")
        return None

    def key_error(self, key: str, row_no: int) -> None:
        message = f"duplicate sourcedId {key!r}" if key else "the row has no sourcedId"
        self.flag(message, self.layout.at("sourcedId"))
        if key:
            self.duplicates.add(key)

    def multi_ref(self, n: int, cell: str, row_no: int, key: str = "") -> None:
        ref = self.checks.refs[n]
        keys = self.seen if ref.deferred else ref.keys
        for item in split_multi(cell):
            if keys is not None and item not in keys:
                self.ref_error(n, item, row_no, key)

    def ref_error(self, n: int, value: str, row_no: int, key: str = "") -> None:
        ref = self.checks.refs[n]
        if ref.deferred and len(self._pending) < 1_000_000:
            self._pending.append((n, value, row_no, key))
            return
        self.flag(_unknown(ref, value), ref.index, _REF_HINT)

    def missing_required(self, row: list[str], row_no: int) -> None:
        for i in self.required:
            if not row[i]:
                self.flag("a required value is missing", i)

    def bad_bytes(self) -> None:
        """Name the rows (and columns) holding bytes that are not UTF-8."""
        layout, problems = self.layout, self.problems
        found = False
        with self.source.open_binary(layout.file) as raw:
            lines = (line.decode("utf-8", "surrogateescape") for line in raw)
            for row_no, row in enumerate(csv.reader(lines), 1):
                for col, cell in enumerate(row, 1):
                    if cell.isascii():
                        continue
                    try:
                        cell.encode("utf-8")
                    except UnicodeEncodeError:
                        bad = cell.encode("utf-8", "surrogateescape")
                        name = layout.names[col - 1] if col <= len(layout.names) else ""
                        message = f"the cell holds bytes that are not UTF-8: {bad!r}"
                        problems.error(layout.file, message, row_no, col, name)
                        found = True
        if not found:
            problems.error(layout.file, "the file holds bytes that are not UTF-8")
        self.broken = True

    def csv_error(self, error: csv.Error, row_no: int) -> None:
        message = f"the file cannot be parsed as CSV: {error}"
        self.problems.error(self.layout.file, message, row_no)
        self.broken = True

    def finish(self, full: bool) -> None:
        """After the last row: forward references, and duplicates held (late: the first
        row of a duplicate key was yielded before the second was seen)."""
        for n, value, row_no, key in self._pending:
            if value not in self.seen:
                ref = self.checks.refs[n]
                self._hold(key, _unknown(ref, value), row_no, ref.index, _REF_HINT, True)
        self._pending.clear()
        self.done(self, full)


def _unknown(ref: Ref, value: str) -> str:
    return f"unknown {NOUNS[ref.target]} {value!r} (not in {SPECS[ref.target].csv_file})"


def key_scan(rows: Iterable[list[str]], key_i: int) -> set[str]:
    """Just the sourcedIds of a file's rows (to check references against)."""
    return {row[key_i] for row in rows if len(row) > key_i}


def _indices(layout: Layout, names: Iterable[str]) -> tuple[int, ...]:
    return tuple(layout.index[n] for n in sorted(names) if n in layout.index)
