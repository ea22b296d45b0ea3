"""CSV row loop benchmark: the generated loop (`exec`, passport's) against plain Python.

    .venv/bin/python bench/csv_loop_bench.py --users 100000 --repeat 7

passport builds each file's row loop as source text for its header and runs it with
`exec` (passport/connectors/oneroster_csv/loop.py). The peer here is the same loop in
plain Python, written for speed (locals, C-level picks with itemgetter, set comparisons
on the common path), with the same errors and warnings; `--check` runs the CSV tests
with it in place of passport's loop.

Writes the sample district at that size (100k users is about 800k rows) once into
bench/out/, then reads every entity in full through CsvSnapshot with each loop in turn,
alternating which goes first, `--repeat` times. Prints each run, the best and the
median per loop, and the ratio of the medians.
"""

from __future__ import annotations

import argparse
import csv
import gc
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Collection, Iterator
from operator import itemgetter
from pathlib import Path
from typing import Any

from passport.connectors.oneroster_csv import loop, rows
from passport.connectors.oneroster_csv.loop import DELETED, STATUSES, Loop
from passport.connectors.oneroster_csv.rows import RowReader
from passport.connectors.oneroster_csv.snapshot import CsvSnapshot
from passport.connectors.oneroster_csv.values import BOOLEANS, split_multi, split_user_ids
from passport.model import Record
from passport.oneroster import ENTITIES
from passport.sample import generate_sample

HERE = Path(__file__).resolve().parent


def plain_loop(r: RowReader) -> Loop:
    """The row loop of `r`'s file as plain Python: per row, the common case is a few set
    lookups and C-level picks (itemgetter) of the columns that have a kind."""
    lay = r.layout
    width, key_i = lay.width, lay.at("sourcedId")
    status_i, modified_i = lay.at("status"), lay.at("dateLastModified")
    delta = lay.mode == "delta"
    kept_names = tuple(name for _, name in r.kept)
    pick_kept = _picker([i for i, _ in r.kept])
    multi = tuple(n for n in kept_names if n in r.multi)
    user_ids = "userIds" in kept_names
    fold = r.checks.fold
    dates, pick_dates = r.dates, _picker(list(r.dates))
    years, pick_years = r.years, _picker(list(r.years))
    booleans, pick_booleans = r.booleans, _picker(list(r.booleans))
    password = r.password
    texts, spans = r.texts, r.spans
    keep_status = status_i >= 0 and not delta
    preheld = r.checks.preheld
    roles_required = fold is not None and r.checks.roles_required
    refs = [
        (n, ref.index, r.seen if ref.deferred else ref.keys, ref.multi)
        for n, ref in enumerate(r.checks.refs)
        if ref.keys is not None or ref.deferred
    ]
    required, pick_required = r.required, _picker(list(r.required))
    dates_ok, years_ok = r.dates_ok, r.years_ok
    dates_ok.add("")  # an empty cell is always fine
    years_ok.add("")
    boolean_cells = _BOOLEAN_CELLS
    new, set_key, set_fields = _new, _set_key, _set_fields
    set_modified, set_deleted = _set_modified, _set_deleted

    def loop(keys: Collection[str] | None) -> Iterator[Record]:
        seen, full = r.seen, keys is None
        modified_ok = r.checks.modified.seen
        flags = r.flags
        row_no = 1
        with r.open_text() as text:
            rows = csv.reader(text)
            try:
                next(rows, None)
                for row in rows:
                    row_no += 1
                    if len(row) != width:
                        fixed = r.fix_width(row, row_no)
                        if fixed is None:
                            continue
                        row = fixed
                    key = row[key_i]
                    if not full and key not in keys:  # type: ignore[operator]
                        continue
                    status = row[status_i] if status_i >= 0 else ""
                    modified = row[modified_i] if modified_i >= 0 else ""
                    deleted = status in DELETED
                    if full:
                        size = len(seen)
                        seen.add(key)
                        if len(seen) == size or not key:
                            r.key_error(key, row_no)
                    if (
                        (status and status not in STATUSES)
                        or (modified and modified not in modified_ok)
                        or (delta and not (status and modified))
                    ):
                        r.check_meta(row, row_no, status, modified)
                        if modified_i >= 0:
                            modified = row[modified_i]
                    if preheld and key in preheld:
                        r.hold_preheld(key)
                        continue
                    if dates and not dates_ok.issuperset(pick_dates(row)):
                        for i in dates:
                            if row[i] not in dates_ok:
                                r.check_date(row, row_no, i)
                    if years and not years_ok.issuperset(pick_years(row)):
                        for i in years:
                            if row[i] not in years_ok:
                                r.check_year(row, row_no, i)
                    if booleans and not boolean_cells.issuperset(pick_booleans(row)):
                        for i in booleans:
                            if row[i] not in boolean_cells:
                                r.boolean(row, row_no, i)
                    for i in texts:
                        if "\x00" in row[i]:
                            r.nul(row, i)
                    for a, b in spans:
                        if row[b] and row[a] and row[b] < row[a]:
                            r.span(row, a, b)
                    if password >= 0 and row[password]:
                        r.warn_password(row_no)
                    if not deleted:
                        for n, i, ref_keys, ref_multi in refs:
                            cell = row[i]
                            if cell and cell not in ref_keys:  # type: ignore[operator]
                                if ref_multi:
                                    r.multi_ref(n, cell, row_no, key)
                                else:
                                    r.ref_error(n, cell, row_no, key)
                        if required and not all(pick_required(row)):
                            r.missing_required(row, row_no)
                        if roles_required and key not in fold:  # type: ignore[operator]
                            r.no_role()
                    if flags:
                        r.hold_row(row, key, row_no)
                        continue
                    fields: dict[str, Any] = {
                        n: c for n, c in zip(kept_names, pick_kept(row), strict=True) if c
                    }
                    if keep_status and status == "active":
                        fields = {"status": status, **fields}
                    for name in multi:
                        value = fields.get(name)
                        if value is not None:
                            items = value.split(",")
                            if "" in items or " " in value:
                                items = split_multi(value)
                            _keep(fields, name, items)
                    if user_ids and "userIds" in fields:
                        _keep(fields, "userIds", split_user_ids(fields["userIds"]))
                    if fold is not None:
                        fields.update(fold.get(key, _EMPTY))
                    record = new(Record)
                    set_key(record, key)
                    set_fields(record, fields)
                    set_modified(record, modified or None)
                    set_deleted(record, deleted)
                    yield record
            except UnicodeDecodeError:
                r.bad_bytes()
            except csv.Error as error:
                r.csv_error(error, rows.line_num)
        r.finish(full)

    return loop


_CELL = itemgetter(1)  # a (name, cell) pair is kept when the cell is not empty
_EMPTY: dict[str, str | list[str]] = {}


def _keep(fields: dict[str, Any], name: str, items: list[str]) -> None:
    """Put the items in the field's place, or drop the field when there are none."""
    if items:
        fields[name] = items
    else:
        del fields[name]


def _picker(indices: list[int]) -> Callable[[list[str]], tuple[str, ...]]:
    """The cells at `indices` of a row, as a tuple, picked in C."""
    if not indices:
        return lambda row: ()
    if len(indices) == 1:
        only = indices[0]
        return lambda row: (row[only],)
    picked: Callable[[list[str]], tuple[str, ...]] = itemgetter(*indices)
    return picked


_BOOLEAN_CELLS = BOOLEANS | {""}
_new = object.__new__
_set_key, _set_fields = loop._slot("key"), loop._slot("fields")
_set_modified, _set_deleted = loop._slot("modified"), loop._slot("deleted")


LOOPS: dict[str, Callable[[RowReader], Loop]] = {
    "exec": loop.compile_loop,
    "plain": plain_loop,
}


def read_all(bundle: Path) -> tuple[float, int]:
    gc.collect()
    started = time.perf_counter()
    count = 0
    snap = CsvSnapshot(bundle, ENTITIES)
    try:
        for entity in ENTITIES:
            for _ in snap.read(entity):
                count += 1
    finally:
        snap.close()
    return time.perf_counter() - started, count


def measure(users: int, repeat: int) -> None:
    bundle = HERE / "out" / f"loop-{users}"
    if not (bundle / "manifest.csv").exists():
        generate_sample(bundle, users=users)
    times: dict[str, list[float]] = {name: [] for name in LOOPS}
    for run in range(repeat):
        order = list(LOOPS) if run % 2 == 0 else list(reversed(LOOPS))
        for name in order:
            rows.compile_loop = LOOPS[name]  # type: ignore[attr-defined,assignment]
            seconds, count = read_all(bundle)
            times[name].append(seconds)
            print(f"run {run + 1} {name:5} {seconds:6.2f} s  {count} records", file=sys.stderr)
    for name, found in times.items():
        print(f"{name:5} best {min(found):.2f} s  median {statistics.median(found):.2f} s")
    generated, plain = (statistics.median(times[n]) for n in ("exec", "plain"))
    print(f"plain / exec (medians): {plain / generated:.2f}")


_CHECK = """
import sys
import pytest
sys.path.insert(0, {here!r})
import csv_loop_bench
from passport.connectors.oneroster_csv import rows
rows.compile_loop = csv_loop_bench.plain_loop
sys.exit(pytest.main(["-q", "-p", "no:cacheprovider", {tests!r}, "-k", "csv or sample"]))
"""


def check() -> int:
    """The CSV tests (the contract for errors and warnings) with the plain loop."""
    tests = str(HERE.parent / "tests" / "connectors")
    program = _CHECK.format(here=str(HERE), tests=tests)
    return subprocess.run([sys.executable, "-c", program], check=False).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--check", action="store_true", help="run the CSV tests with the peer")
    args = parser.parse_args(argv)
    if args.check:
        return check()
    measure(args.users, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
