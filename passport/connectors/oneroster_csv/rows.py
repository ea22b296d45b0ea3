"""CSV rows of one file -> canonical Records, checked as they stream.

Per row only what must happen happens: pick the key (and skip it early when reading a
subset), check the cells that have a kind (dates, booleans, references) against caches
and key sets, and build the fields from the non-empty cells. The loop itself is generated
for the file's header (`loop.py`); the methods here handle the cells that are wrong.

Problems are collected; after the first error no more records are yielded, and the file
is still read to the end (counting past the problem limit) so every problem shows at once.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO

from passport.connectors.oneroster_csv.header import Layout
from passport.connectors.oneroster_csv.loop import STATUSES, compile_loop
from passport.connectors.oneroster_csv.problems import Problems
from passport.connectors.oneroster_csv.source import Source
from passport.connectors.oneroster_csv.values import (
    Modified,
    boolean_error,
    date_error,
    split_multi,
    year_error,
)
from passport.model import Record
from passport.oneroster import SPECS

Fold = Mapping[str, Mapping[str, str | list[str]]]  # user key -> fields from roles.csv
_NOT_FIELDS = frozenset({"sourcedId", "status", "dateLastModified", "password"})
_PASSWORD = "the password column has values; passport never reads passwords"
_CACHE = 50_000
NOUNS = {
    "orgs": "org",
    "academicSessions": "academic session",
    "courses": "course",
    "classes": "class",
    "users": "user",
}


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


class RowReader:
    """Reads one file of a bundle; `done(reader, full)` runs after its last row."""

    def __init__(
        self,
        layout: Layout,
        checks: Checks,
        problems: Problems,
        source: Source,
        done: Callable[[RowReader, bool], None],
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
        self.required = _indices(layout, spec.required if spec else ())
        self.password = layout.at("password")
        self.seen: set[str] = set()
        self.dates_ok: set[str] = set()
        self.years_ok: set[str] = set()
        self._missing: dict[int, list[int]] = {}  # column -> [count, first row]
        self._pending: list[tuple[int, str, int]] = []  # forward references to check
        self._loop = compile_loop(self)

    def records(self, keys: Collection[str] | None) -> Iterator[Record]:
        """The file's records; with `keys`, only those records."""
        return self._loop(keys)

    def open_text(self) -> IO[str]:
        return self.source.open_text(self.layout.file)

    # --- the slow paths the loop calls ---------------------------------------------

    def check_date(self, row: list[str], row_no: int, i: int) -> None:
        self._cell(row, row_no, i, date_error, self.dates_ok)

    def check_year(self, row: list[str], row_no: int, i: int) -> None:
        self._cell(row, row_no, i, year_error, self.years_ok)

    def _cell(
        self, row: list[str], row_no: int, i: int, check: Callable[[str], str | None], ok: set[str]
    ) -> None:
        reason = check(row[i])
        if reason:
            self.problems.error(self.layout.file, reason, row_no, i + 1, self.layout.names[i])
        elif len(ok) < _CACHE:
            ok.add(row[i])

    def boolean(self, row: list[str], row_no: int, i: int) -> None:
        lay = self.layout
        lower = row[i].strip().lower()
        if boolean_error(lower):
            self.problems.error(lay.file, boolean_error(row[i]) or "", row_no, i + 1, lay.names[i])
            return
        message = f"boolean {row[i]!r} read as {lower!r}"
        self.problems.warn(lay.file, message, row_no, i + 1, lay.names[i], once="boolean")
        row[i] = lower

    def warn_password(self, row_no: int) -> None:
        self.problems.warn(self.layout.file, _PASSWORD, row_no, once="password")

    def check_meta(self, row_no: int, status: str, modified: str) -> None:
        lay, problems = self.layout, self.problems
        st_col, mod_col = lay.at("status") + 1, lay.at("dateLastModified") + 1
        delta = lay.mode == "delta"
        if status and status not in STATUSES:
            message = f"{status!r} is not a status (active, tobedeleted or inactive)"
            problems.error(lay.file, message, row_no, st_col, "status")
        elif not status and delta:
            problems.error(lay.file, "a delta row needs a status", row_no, st_col, "status")
        if modified:
            reason = self.checks.modified.error(modified)
            if reason:
                problems.error(lay.file, reason, row_no, mod_col, "dateLastModified")
        elif delta:
            message = "a delta row needs a dateLastModified"
            problems.error(lay.file, message, row_no, mod_col, "dateLastModified")

    def fix_width(self, row: list[str], row_no: int) -> list[str] | None:
        """The row cut or refused: blank lines skip, trailing empty cells are tolerated."""
        file, width = self.layout.file, self.layout.width
        if not row:
            self.problems.warn(file, "blank lines are skipped", row_no, once="blank")
            return None
        if len(row) > width and not any(c.strip() for c in row[width:]):
            self.problems.warn(file, "trailing empty cells are ignored", row_no, once="trailing")
            return row[:width]
        message = f"the row has {len(row)} cells but the header has {width} columns"
        self.problems.error(file, message, row_no)
        return None

    def key_error(self, key: str, row_no: int) -> None:
        message = f"duplicate sourcedId {key!r}" if key else "the row has no sourcedId"
        col = self.layout.at("sourcedId") + 1
        self.problems.error(self.layout.file, message, row_no, col, "sourcedId")

    def multi_ref(self, n: int, cell: str, row_no: int) -> None:
        ref = self.checks.refs[n]
        keys = self.seen if ref.deferred else ref.keys
        for item in split_multi(cell):
            if keys is not None and item not in keys:
                self.ref_error(n, item, row_no)

    def ref_error(self, n: int, value: str, row_no: int) -> None:
        ref = self.checks.refs[n]
        if ref.deferred and len(self._pending) < 1_000_000:
            self._pending.append((n, value, row_no))
            return
        self._report_ref(ref, value, row_no)

    def _report_ref(self, ref: Ref, value: str, row_no: int) -> None:
        message = f"unknown {NOUNS[ref.target]} {value!r} (not in {SPECS[ref.target].csv_file})"
        self.problems.error(self.layout.file, message, row_no, ref.index + 1, ref.column)

    def missing_required(self, row: list[str], row_no: int) -> None:
        for i in self.required:
            if not row[i]:
                self._missing.setdefault(i, [0, row_no])[0] += 1

    def bad_bytes(self) -> None:
        """Name the rows (and columns) holding bytes that are not UTF-8."""
        layout, problems = self.layout, self.problems
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
        if not problems:
            problems.error(layout.file, "the file holds bytes that are not UTF-8")

    def csv_error(self, error: csv.Error, row_no: int) -> None:
        message = f"the file cannot be parsed as CSV: {error}"
        self.problems.error(self.layout.file, message, row_no)

    def finish(self, full: bool) -> None:
        for n, value, row_no in self._pending:
            if value not in self.seen:
                self._report_ref(self.checks.refs[n], value, row_no)
        self._pending.clear()
        for i, (count, first) in sorted(self._missing.items()):
            rows = "a row has" if count == 1 else f"{count} rows have"
            message = f"{rows} no value in this required column (first at row {first})"
            self.problems.warn(self.layout.file, message, first, i + 1, self.layout.names[i])
        self._missing.clear()
        self.done(self, full)


def key_scan(rows: Iterable[list[str]], key_i: int) -> set[str]:
    """Just the sourcedIds of a file's rows (to check references against)."""
    return {row[key_i] for row in rows if len(row) > key_i}


def _indices(layout: Layout, names: Iterable[str]) -> tuple[int, ...]:
    return tuple(layout.index[n] for n in sorted(names) if n in layout.index)
