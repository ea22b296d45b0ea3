"""The row loop of one file, generated for its header (the way `dataclasses` builds
`__init__`): column indices become constants, checks and field assignments are unrolled,
so a row costs a few bytecodes per cell and no function calls unless a cell is wrong.

Only indices, fixed identifiers and `repr()`s of column names go into the source.

Why `exec` and not plain Python: measured against the same loop written in plain Python
for speed (the peer in bench/csv_loop_bench.py, held to the same CSV tests by its
`--check`), reading the 100k-user sample district (801,278 records) in full, median of 7
alternating runs: generated 1.80 s, plain 2.63 s, so plain takes 1.46x as long. Most of
the gap is building the fields: unrolled, a cell costs one test and one store; any generic
form (comprehension, itemgetter + filter) costs 2.5-3x that per row.

    .venv/bin/python bench/csv_loop_bench.py --users 100000 --repeat 7
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Collection, Iterator
from dataclasses import fields
from typing import TYPE_CHECKING, Any

from passport.connectors.oneroster_csv.values import BOOLEANS, split_multi, split_user_ids
from passport.model import Record

if TYPE_CHECKING:
    from passport.connectors.oneroster_csv.rows import RowReader

Loop = Callable[[Collection[str] | None], Iterator[Record]]
STATUSES = frozenset({"active", "tobedeleted", "inactive"})
DELETED = frozenset({"tobedeleted", "inactive"})


_FAST_RECORD = tuple(f.name for f in fields(Record)) == ("key", "fields", "modified", "deleted")


def _slot(name: str) -> Callable[[Record, object], None]:
    setter: Callable[[Record, object], None] = getattr(Record, name).__set__
    return setter


def compile_loop(reader: RowReader) -> Loop:
    lines = _source(reader)
    namespace: dict[str, Any] = _namespace(reader)
    exec("\n".join(lines), namespace)
    loop: Loop = namespace["loop"]
    return loop


def _namespace(r: RowReader) -> dict[str, Any]:
    ns: dict[str, Any] = {
        "Record": Record,
        "csv_reader": csv.reader,
        "csv_Error": csv.Error,
        "STATUSES": STATUSES,
        "DELETED": DELETED,
        "BOOLEANS": BOOLEANS,
        "split_multi": split_multi,
        "split_user_ids": split_user_ids,
        "new": object.__new__,
        "set_key": _slot("key"),
        "set_fields": _slot("fields"),
        "set_modified": _slot("modified"),
        "set_deleted": _slot("deleted"),
        "r": r,
        "fold": r.checks.fold,
        "preheld": r.checks.preheld,
        "EMPTY": {},
    }
    for n, ref in enumerate(r.checks.refs):
        ns[f"ref{n}"] = r.seen if ref.deferred else ref.keys
    return ns


def _source(r: RowReader) -> list[str]:
    lay = r.layout
    status_i, modified_i = lay.at("status"), lay.at("dateLastModified")
    head = [
        "def loop(keys):",
        "    seen = r.seen; dates_ok = r.dates_ok; years_ok = r.years_ok",
        "    modified_ok = r.checks.modified.seen; full = keys is None",
        f"    delta = {lay.mode == 'delta'}",
        "    flags = r.flags",
        "    row_no = 1",
        "    with r.open_text() as text:",
        "        rows = csv_reader(text)",
        "        try:",
        "            next(rows, None)",
        "            for row in rows:",
    ]
    src = [
        "        row_no += 1",
        f"        if len(row) != {lay.width}:",
        "            row = r.fix_width(row, row_no)",
        "            if row is None:",
        "                continue",
        f"        key = row[{lay.at('sourcedId')}]",
        "        if not full and key not in keys:",
        "            continue",
        f"        status = {f'row[{status_i}]' if status_i >= 0 else repr('')}",
        f"        modified = {f'row[{modified_i}]' if modified_i >= 0 else repr('')}",
        "        deleted = status in DELETED",
        "        if full:",
        "            size = len(seen)",
        "            seen.add(key)",
        "            if len(seen) == size or not key:",
        "                r.key_error(key, row_no)",
        "        if ((status and status not in STATUSES) or (modified and modified not in"
        " modified_ok) or (delta and not (status and modified))):",
        "            r.check_meta(row, row_no, status, modified)",
    ]
    if modified_i >= 0:
        src.append(f"            modified = row[{modified_i}]")
    if r.checks.preheld:
        src += [
            "        if key in preheld:",
            "            r.hold_preheld(key)",
            "            continue",
        ]
    src += _cell_checks(r)
    src += [
        "        if flags:",
        "            r.hold_row(row, key, row_no)",
        "            continue",
        "        fields = {}",
    ]
    src += _fields(r)
    if r.checks.fold is not None:
        src.append("        fields.update(fold.get(key, EMPTY))")
    if _FAST_RECORD:
        # Record is a frozen slots dataclass: setting its slots directly builds the same
        # object at half the cost of its generated __init__.
        src += [
            "        record = new(Record)",
            "        set_key(record, key)",
            "        set_fields(record, fields)",
            "        set_modified(record, modified or None)",
            "        set_deleted(record, deleted)",
            "        yield record",
        ]
    else:
        src.append("        yield Record(key, fields, modified or None, deleted)")
    tail = [
        "        except UnicodeDecodeError:",
        "            r.bad_bytes()",
        "        except csv_Error as error:",
        "            r.csv_error(error, rows.line_num)",
        "    r.finish(full)",
    ]
    return head + ["        " + line for line in src] + tail


def _cell_checks(r: RowReader) -> list[str]:
    check = "        if row[{0}] and row[{0}] not in {1}: r.{2}(row, row_no, {0})"
    src = [check.format(i, "dates_ok", "check_date") for i in r.dates]
    src += [check.format(i, "years_ok", "check_year") for i in r.years]
    src += [check.format(i, "BOOLEANS", "boolean") for i in r.booleans]
    src += [f"        if '\\x00' in row[{i}]: r.nul(row, {i})" for i in r.texts]
    src += [
        f"        if row[{b}] and row[{a}] and row[{b}] < row[{a}]: r.span(row, {a}, {b})"
        for a, b in r.spans
    ]
    if r.password >= 0:
        src.append(f"        if row[{r.password}]: r.warn_password(row_no)")
    body = []
    for n, ref in enumerate(r.checks.refs):
        if ref.keys is None and not ref.deferred:
            continue
        # A multi-valued cell holding one key passes the same test as a single one.
        slow = "multi_ref" if ref.multi else "ref_error"
        cell = f"row[{ref.index}]"
        body.append(
            f"            if {cell} and {cell} not in ref{n}: r.{slow}({n}, {cell}, row_no, key)"
        )
    if r.required:
        test = " or ".join(f"not row[{i}]" for i in r.required)
        body.append(f"            if {test}: r.missing_required(row, row_no)")
    if r.checks.fold is not None and r.checks.roles_required:
        body.append("            if key not in fold: r.no_role()")
    if body:
        src.append("        if not deleted:")
        src += body
    return src


def _fields(r: RowReader) -> list[str]:
    src = []
    # A bulk row's own status, written back as it came (a delta row must have one).
    if r.layout.at("status") >= 0 and r.layout.mode == "bulk":
        src.append("        if status == 'active': fields['status'] = status")
    for i, name in r.kept:
        if name == "userIds":
            value = f"split_user_ids(row[{i}])"
        elif name in r.multi:
            value = f"split_multi(row[{i}])"
        else:
            src.append(f"        if row[{i}]: fields[{name!r}] = row[{i}]")
            continue
        src.append(f"        if row[{i}]:")
        if name in r.multi:  # the plain case inline; spaces and empty items in split_multi
            src.append(f"            items = row[{i}].split(',')")
            src.append(f"            if '' in items or ' ' in row[{i}]: items = {value}")
        else:
            src.append(f"            items = {value}")
        src.append("            if items:")
        src.append(f"                fields[{name!r}] = items")
    return src
