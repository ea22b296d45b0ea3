"""Plan benchmark: a district's import, plan and export, against peers and the floor.

    .venv/bin/python bench/plan_bench.py --users 100000
    .venv/bin/python bench/plan_bench.py --users 1000000 --peer-rows 100000

For each size it writes "yesterday" and "today" bundles (bench/generate.py: 1% changed,
0.5% added, 0.5% removed) and "today" as a delta bundle (only those rows), then, each
`passport` command in a child process measured for wall time and peak memory (max RSS):

- passport: the first import (`apply` of yesterday into a fresh SQLite store: plan and
  apply), the next-day plan (today), the nothing-changed plan (yesterday again: its files
  are skipped as unchanged) and the same with `--full` (every file read), the delta plan,
  and the bulk CSV export of the store (`apply` of an export activation; only up to
  --export-users, since its plan holds every record it sends);
- the floor: bare reads of today's bundle by Python's csv module, pyarrow and polars;
- the ratio of the next-day plan to the columnar (pyarrow) read of the same bundle.

On the same data in the same run it times the diff core alone on the users table:
passport's (digest per record, sort, streaming merge-join, field diff of the changed
records) against DeepDiff(group_by="sourcedId"), daff and a polars join, with ratios.
Every row goes in one table at the end; the JSON lines above it hold the raw numbers.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PASSPORT = [sys.executable, "-m", "passport"]

CONFIG = """\
version: 1
name: bench
application: oneroster-csv
mode: import
delivery:
  path: {bundle}
schools:
  auto: same-id
attributes:
  orgs: all
  academicSessions: all
  courses: all
  classes: all
  users: all
  demographics: all
  enrollments: all
safety:
  max_delete: 10%
  max_update: 50%
"""


def run_measured(cmd: Sequence[str], cwd: Path) -> tuple[float, int, str]:
    """Wall seconds, peak RSS in bytes, and stdout of one child process."""
    out_path, err_path = cwd / "child.out", cwd / "child.err"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        started = time.perf_counter()
        child = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode not in (0, 2):
        sys.exit(f"{' '.join(cmd)} failed:\n{err_path.read_text()}")
    return wall, usage.ru_maxrss * 1024, out_path.read_text()


def generate(users: int, work: Path) -> tuple[Path, Path]:
    yesterday, today = work / f"u{users}-yesterday", work / f"u{users}-today"
    if not (today / "manifest.csv").exists():
        shutil.rmtree(yesterday, ignore_errors=True)
        shutil.rmtree(today, ignore_errors=True)
        gen = [sys.executable, str(HERE / "generate.py")]
        subprocess.run([*gen, "--users", str(users), str(yesterday)], check=True)
        subprocess.run([*gen, "--next-day", str(yesterday), str(today)], check=True)
    return yesterday, today


def generate_delta(users: int, work: Path) -> Path:
    yesterday, _ = generate(users, work)
    delta = work / f"u{users}-delta"
    if not (delta / "manifest.csv").exists():
        shutil.rmtree(delta, ignore_errors=True)
        gen = [sys.executable, str(HERE / "generate.py")]
        subprocess.run([*gen, "--delta", str(yesterday), str(delta)], check=True)
    return delta


def rows_in(bundle: Path) -> int:
    total = 0
    for csv in bundle.glob("*.csv"):
        if csv.name != "manifest.csv":
            with csv.open("rb") as handle:
                total += sum(1 for _ in handle) - 1
    return total


def gib(n: int) -> str:
    return f"{n / 2**30:.2f} GiB"


EXPORT = """\
version: 1
name: export
application: oneroster-csv
mode: export
delivery:
  path: {out}
schools:
  auto: same-id
attributes:
  orgs: all
  academicSessions: all
  courses: all
  classes: all
  users: all
  demographics: all
  enrollments: all
"""


def row(name: str, wall: float, peak: int, records: int, **extra: Any) -> dict[str, Any]:
    out = {
        "row": name,
        "s": round(wall, 2),
        "peak": gib(peak),
        "records_per_s": int(records / wall),
    }
    out.update(extra)
    print(json.dumps(out), flush=True)
    return out


def bench_plan(users: int, work: Path, export_users: int) -> list[dict[str, Any]]:
    yesterday, today = generate(users, work)
    delta = generate_delta(users, work)
    run_dir = work / f"u{users}-run"
    shutil.rmtree(run_dir, ignore_errors=True)
    (run_dir / "configs").mkdir(parents=True)
    config = run_dir / "configs" / "bench.yaml"
    store = ["--store", str(run_dir / "store.db")]
    plan = [*PASSPORT, "plan", "bench", "--format", "json", "--detailed-exitcode", *store]
    rows, n = [], rows_in(today)
    tag = f"{users:,} users"

    def plan_row(name: str, bundle: Path, *more: str) -> dict[str, Any]:
        config.write_text(CONFIG.format(bundle=bundle))
        wall, peak, out = run_measured([*plan, *more], run_dir)
        summary = json.loads(out)["summary"]
        changes = {k: summary[k] for k in ("create", "update", "delete")}
        unread = len(json.loads(out).get("unread", []))
        return row(f"{name}, {tag}", wall, peak, rows_in(bundle), changes=changes, unread=unread)

    config.write_text(CONFIG.format(bundle=yesterday))
    wall, peak, _ = run_measured([*PASSPORT, "apply", "bench", "--yes", *store], run_dir)
    size = gib((run_dir / "store.db").stat().st_size)
    rows.append(row(f"first import (plan + apply), {tag}", wall, peak, rows_in(yesterday),
                    store_size=size))  # fmt: skip
    rows.append(plan_row("next-day plan", today))
    rows.append(plan_row("nothing-changed plan", yesterday))
    rows.append(plan_row("nothing-changed plan --full", yesterday, "--full"))
    rows.append(plan_row("delta plan (the next day's rows alone)", delta))
    if users <= export_users:
        out = run_dir / "exported"
        (run_dir / "configs" / "export.yaml").write_text(EXPORT.format(out=out))
        cmd = [*PASSPORT, "apply", "export", "--yes", *store]
        wall, peak, _ = run_measured(cmd, run_dir)
        rows.append(row(f"bulk CSV export (plan + apply), {tag}", wall, peak, rows_in(out)))
    floor = bench_floor(today, tag, n)
    rows += floor
    columnar = next(r for r in floor if r["row"].startswith("pyarrow"))
    next_day = rows[1]
    ratio = round(next_day["s"] / columnar["s"], 1)
    rows.append({"row": f"ratio: next-day plan / pyarrow read, {tag}", "s": None, "ratio": ratio})
    print(json.dumps(rows[-1]), flush=True)
    return rows


# --- the floor: bare reads of the same bundle, each in a child process ----------------

READERS = {
    "csv module": "import csv\n"
    "for f in files:\n"
    "    with open(f, newline='', encoding='utf-8') as h:\n"
    "        for _ in csv.reader(h): pass",
    "pyarrow": "import pyarrow.csv as pc\n"
    "opts = pc.ReadOptions(block_size=1 << 24)\n"
    "for f in files: pc.read_csv(f, read_options=opts)",
    "polars": "import polars as pl\nfor f in files: pl.read_csv(f, infer_schema=False)",
}


def bench_floor(bundle: Path, tag: str, records: int) -> list[dict[str, Any]]:
    files = sorted(str(f) for f in bundle.glob("*.csv") if f.name != "manifest.csv")
    rows = []
    for name, code in READERS.items():
        script = f"files = {files!r}\n{code}\n"
        try:
            wall, peak, _ = run_measured([sys.executable, "-c", script], bundle.parent)
        except SystemExit as missing:  # the reader is not installed
            print(f"{name}: not measured ({str(missing).splitlines()[-1]})", file=sys.stderr)
            continue
        rows.append(row(f"{name} bare read (floor), {tag}", wall, peak, records))
    return rows


# --- the diff core against peers, on the same in-memory tables ------------------------


def load_users(bundle: Path, limit: int) -> list[dict[str, Any]]:
    from passport.connectors.oneroster_csv.snapshot import CsvSnapshot

    snap = CsvSnapshot(bundle, ["orgs", "users"])
    try:
        out = []
        for rec in snap.read("users"):
            out.append({"sourcedId": rec.key, **rec.fields})
            if len(out) >= limit:
                break
        return out
    finally:
        snap.close()


def ours_digests(left: list[dict[str, Any]], right: list[dict[str, Any]]) -> int:
    """As `passport plan` compares a side with the base: a digest per record, sorted,
    merge-joined; full records only for the keys whose digests differ."""
    from passport.canonical import digest
    from passport.plan.changes import field_diff
    from passport.plan.join import merge_join

    def index(rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
        return sorted((r["sourcedId"], digest(r)) for r in rows)

    changed = [k for k, a, b in merge_join(index(left), index(right)) if a != b]
    wanted = set(changed)
    before = {r["sourcedId"]: r for r in left if r["sourcedId"] in wanted}
    after = {r["sourcedId"]: r for r in right if r["sourcedId"] in wanted}
    for key in changed:
        if key in before and key in after:
            field_diff(before[key], after[key])
    return len(changed)


def ours_records(left: list[dict[str, Any]], right: list[dict[str, Any]]) -> int:
    """The same merge-join when both sides are records in memory (what the peers get):
    sorted by key, compared record by record, field diff of the changed ones."""
    from operator import itemgetter

    from passport.plan.changes import field_diff
    from passport.plan.join import merge_join

    key = itemgetter("sourcedId")

    def index(rows: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
        return sorted(zip(map(key, rows), rows, strict=True), key=itemgetter(0))

    changed = 0
    for _, a, b in merge_join(index(left), index(right)):
        if a != b:
            changed += 1
            if a is not None and b is not None:
                field_diff(a, b)
    return changed


def deepdiff_peer(left: list[dict[str, Any]], right: list[dict[str, Any]]) -> int:
    from deepdiff import DeepDiff

    diff = DeepDiff(left, right, group_by="sourcedId")
    return sum(len(v) for v in diff.values())


def daff_peer(left: list[dict[str, Any]], right: list[dict[str, Any]]) -> int:
    import daff

    names = sorted({k for r in left + right for k in r})

    def table(rows: list[dict[str, Any]]) -> list[list[str]]:
        cell = lambda v: ",".join(v) if isinstance(v, list) else (v or "")  # noqa: E731
        return [names] + [[cell(r.get(n)) for n in names] for r in rows]

    flags = daff.CompareFlags()
    flags.addPrimaryKey("sourcedId")
    a, b = daff.PythonTableView(table(left)), daff.PythonTableView(table(right))
    alignment = daff.Coopy.compareTables3(None, a, b, flags).align()
    out: list[list[str]] = []
    daff.TableDiff(alignment, flags).hilite(daff.PythonTableView(out))
    return sum(1 for row in out[1:] if row[0] in ("->", "+++", "---"))


def polars_peer(left_csv: Path, right_csv: Path, rows: int, every: bool) -> Callable[[], int]:
    """A polars full join of the two users tables on sourcedId, counting rows that differ
    (read outside the timing, as the other peers get their tables in memory)."""
    import polars as pl

    left = pl.read_csv(left_csv, infer_schema=False, n_rows=rows)
    right = pl.read_csv(right_csv, infer_schema=False)
    if not every:  # the rows of the same users, as the other peers get them
        right = right.join(left.select("sourcedId"), on="sourcedId", how="semi")
    names = [c for c in left.columns if c != "sourcedId"]

    def diff() -> int:
        joined = left.join(right, on="sourcedId", how="full", suffix="_r", coalesce=True)
        differs = pl.any_horizontal(
            [~pl.col(c).eq_missing(pl.col(f"{c}_r")) for c in names if f"{c}_r" in joined.columns]
        )
        return int(joined.filter(differs).height)

    return diff


def timed(fn: Callable[[], int]) -> tuple[float, int]:
    """Wall time of one diff, with the cyclic GC paused as `passport plan` pauses it
    (runner.bulk_work); every contender runs under the same setting."""
    gc.collect()
    gc.disable()
    try:
        started = time.perf_counter()
        found = fn()
        return time.perf_counter() - started, found
    finally:
        gc.enable()


def bench_peers(users: int, work: Path, rows: int, skip: Sequence[str]) -> dict[str, Any]:
    yesterday, today = generate(users, work)
    left, right = load_users(yesterday, rows), load_users(today, rows)
    keys = {r["sourcedId"] for r in left}
    right = [r for r in right if r["sourcedId"] in keys or len(keys) >= users]
    result: dict[str, Any] = {"rows": len(left)}
    records_s, found = timed(lambda: ours_records(left, right))
    digests_s, found_too = timed(lambda: ours_digests(left, right))
    assert found == found_too, (found, found_too)
    result["passport_s"] = round(records_s, 3)
    result["passport_digests_s"] = round(digests_s, 3)
    result["changes"] = found
    peers: list[tuple[str, Callable[[], int]]] = [
        ("deepdiff", lambda: deepdiff_peer(left, right)),
        ("daff", lambda: daff_peer(left, right)),
    ]
    try:
        every = len(keys) >= users
        users_csv = (yesterday / "users.csv", today / "users.csv")
        peers.append(("polars", polars_peer(*users_csv, rows, every)))
    except ImportError:
        print("polars: not installed, not measured", file=sys.stderr)
    for name, peer in peers:
        if name in skip:
            continue
        try:
            seconds, _ = timed(peer)
        except ImportError:
            print(f"{name}: not installed, not measured", file=sys.stderr)
            continue
        result[f"{name}_s"] = round(seconds, 3)
        result[f"{name}_ratio"] = round(seconds / records_s, 1)
        result[f"{name}_ratio_digests"] = round(seconds / digests_s, 1)
    print(json.dumps(result), flush=True)
    return result


def table(rows: list[dict[str, Any]], peers: dict[str, Any]) -> str:
    """Every measured row in one Markdown table."""
    lines = ["| measure | wall | peak memory | records/s |", "|---|---|---|---|"]
    for r in rows:
        if r.get("ratio") is not None:
            lines.append(f"| {r['row']} | {r['ratio']}x | | |")
            continue
        extra = f" (unread: {r['unread']})" if r.get("unread") else ""
        lines.append(f"| {r['row']}{extra} | {r['s']} s | {r['peak']} | {r['records_per_s']:,} |")
    n = f"{peers['rows']:,} users rows"
    lines.append(f"| diff core, passport (records in memory), {n} | {peers['passport_s']} s | | |")
    lines.append(f"| diff core, passport (digests), {n} | {peers['passport_digests_s']} s | | |")
    for name in ("deepdiff", "daff", "polars"):
        if f"{name}_s" in peers:
            ratio = peers[f"{name}_ratio"]
            lines.append(f"| diff core, {name}, {n} | {peers[f'{name}_s']} s ({ratio}x) | | |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, action="append", help="district size (repeatable)")
    parser.add_argument("--work", type=Path, default=HERE / "out", help="where data is written")
    parser.add_argument("--peer-rows", type=int, default=100_000, help="users rows for peers")
    parser.add_argument(
        "--skip", action="append", default=[], help="deepdiff | daff | polars | plan"
    )
    parser.add_argument(
        "--export-users",
        type=int,
        default=200_000,
        help="export only districts up to this size (its plan holds every record it sends)",
    )
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    sizes = args.users or [100_000]
    rows: list[dict[str, Any]] = []
    for users in sizes:
        if "plan" not in args.skip:
            rows += bench_plan(users, args.work, args.export_users)
    peers = bench_peers(sizes[0], args.work, args.peer_rows, args.skip)
    print(table(rows, peers))


if __name__ == "__main__":
    main()
