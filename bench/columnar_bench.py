"""Columnar reading benchmark: would a pyarrow fast path give the plan its records sooner?

    .venv/bin/python bench/columnar_bench.py BUNDLE [--repeat 3]

BUNDLE is a OneRoster CSV bundle, for example plan_bench.py's `u100000-today`. For every
file of it, in the same run, alternating the order each repeat:

- **passport**: the connector's full read (`CsvSnapshot.read`): every check, every record
  as the plan receives it (a `Record` with its fields, empty cells left out).
- **floor: pyarrow read**: `pyarrow.csv.read_csv`, every column as text, nothing else.
- **pyarrow + records**: the same read, then the plan's records built from the columns
  (`to_pylist` per column, one dict per row without empty cells) and none of the checks:
  the least a columnar fast path must do when the plan goes on record by record.

It prints the median of each per file and in total, and the ratios to passport. Needs the
`bench` extra (`pip install -e '.[bench]'`).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pc

from passport.connectors.oneroster_csv.snapshot import CsvSnapshot
from passport.model import Record
from passport.oneroster import ENTITIES


def ours(bundle: Path, entity: str) -> int:
    snap = CsvSnapshot(bundle, [entity])
    try:
        return sum(1 for _ in snap.read(entity))
    finally:
        snap.close()


def _arrow_table(bundle: Path, entity: str) -> pa.Table:
    path = bundle / f"{entity}.csv"
    with path.open(encoding="utf-8") as head:
        names = head.readline().strip().split(",")
    text = pc.ConvertOptions(column_types=dict.fromkeys(names, pa.string()))
    return pc.read_csv(path, read_options=pc.ReadOptions(block_size=1 << 24), convert_options=text)


def arrow_read(bundle: Path, entity: str) -> int:
    return int(_arrow_table(bundle, entity).num_rows)


def arrow_records(bundle: Path, entity: str) -> int:
    table = _arrow_table(bundle, entity)
    names = table.column_names
    key_at = names.index("sourcedId")
    columns = [column.to_pylist() for column in table.columns]
    count = 0
    for row in zip(*columns, strict=True):
        Record(row[key_at], {n: v for n, v in zip(names, row, strict=True) if v})
        count += 1
    return count


WAYS: dict[str, Callable[[Path, str], int]] = {
    "passport": ours,
    "floor: pyarrow read": arrow_read,
    "pyarrow + records": arrow_records,
}


def timed(way: Callable[[Path, str], int], bundle: Path, entity: str) -> tuple[float, int]:
    gc.collect()
    gc.disable()
    try:
        started = time.perf_counter()
        count = way(bundle, entity)
        return time.perf_counter() - started, count
    finally:
        gc.enable()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bundle", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    entities = [e for e in ENTITIES if (args.bundle / f"{e}.csv").exists()]
    times: dict[tuple[str, str], list[float]] = {}
    for run in range(args.repeat):
        order = list(WAYS) if run % 2 == 0 else list(reversed(WAYS))
        for entity in entities:
            counts = set()
            for name in order:
                seconds, count = timed(WAYS[name], args.bundle, entity)
                times.setdefault((entity, name), []).append(seconds)
                counts.add(count)
            if len(counts) != 1:
                raise SystemExit(f"{entity}: the ways read different row counts {counts}")
    print(f"{'file':18} " + " ".join(f"{name:>22}" for name in WAYS))
    totals = dict.fromkeys(WAYS, 0.0)
    for entity in entities:
        cells = []
        for name in WAYS:
            median = statistics.median(times[(entity, name)])
            totals[name] += median
            cells.append(f"{median:20.3f} s")
        print(f"{entity:18} " + " ".join(cells))
    print(f"{'total':18} " + " ".join(f"{totals[name]:20.3f} s" for name in WAYS))
    base = totals["passport"]
    print("ratio to passport: " + ", ".join(f"{n} {totals[n] / base:.2f}x" for n in WAYS))


if __name__ == "__main__":
    main()
