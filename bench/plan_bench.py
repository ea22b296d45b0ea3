"""Plan benchmark: `passport plan` of a district's import, and our diff core against peers.

    .venv/bin/python bench/plan_bench.py --users 100000
    .venv/bin/python bench/plan_bench.py --users 1000000 --peer-rows 100000

For each size it writes "yesterday" and "today" bundles (bench/generate.py: 1% changed,
0.5% added, 0.5% removed), imports yesterday into a fresh SQLite store with
`passport apply`, then times `passport plan` of today in a child process and reports
wall time, peak memory (the child's max RSS) and records read per second.

On the same data in the same run it times the diff core alone on the users table:
passport's (digest per record, sort, streaming merge-join, field diff of the changed
records) against DeepDiff(group_by="sourcedId") and daff, and prints the ratios.
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


def rows_in(bundle: Path) -> int:
    total = 0
    for csv in bundle.glob("*.csv"):
        if csv.name != "manifest.csv":
            with csv.open("rb") as handle:
                total += sum(1 for _ in handle) - 1
    return total


def gib(n: int) -> str:
    return f"{n / 2**30:.2f} GiB"


def bench_plan(users: int, work: Path) -> dict[str, Any]:
    yesterday, today = generate(users, work)
    run_dir = work / f"u{users}-run"
    shutil.rmtree(run_dir, ignore_errors=True)
    (run_dir / "configs").mkdir(parents=True)
    config = run_dir / "configs" / "bench.yaml"
    store = ["--store", str(run_dir / "store.db")]
    config.write_text(CONFIG.format(bundle=yesterday))
    load_wall, load_peak, _ = run_measured([*PASSPORT, "apply", "bench", "--yes", *store], run_dir)
    config.write_text(CONFIG.format(bundle=today))
    cmd = [*PASSPORT, "plan", "bench", "--format", "json", "--detailed-exitcode", *store]
    wall, peak, out = run_measured(cmd, run_dir)
    plan = json.loads(out)
    rows = rows_in(today)
    result = {
        "users": users,
        "rows_today": rows,
        "first_import_s": round(load_wall, 1),
        "first_import_peak": gib(load_peak),
        "plan_s": round(wall, 1),
        "plan_peak": gib(peak),
        "records_per_s": int(rows / wall),
        "changes": {k: plan["summary"][k] for k in ("create", "update", "delete")},
        "store_size": gib((run_dir / "store.db").stat().st_size),
    }
    print(json.dumps(result), flush=True)
    return result


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
    for name, peer in (("deepdiff", deepdiff_peer), ("daff", daff_peer)):
        if name in skip:
            continue
        seconds, _ = timed(lambda peer=peer: peer(left, right))  # type: ignore[misc]
        result[f"{name}_s"] = round(seconds, 2)
        result[f"{name}_ratio"] = round(seconds / records_s, 1)
        result[f"{name}_ratio_digests"] = round(seconds / digests_s, 1)
    print(json.dumps(result), flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, action="append", help="district size (repeatable)")
    parser.add_argument("--work", type=Path, default=HERE / "out", help="where data is written")
    parser.add_argument("--peer-rows", type=int, default=100_000, help="users rows for peers")
    parser.add_argument("--skip", action="append", default=[], help="deepdiff | daff | plan")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    sizes = args.users or [100_000]
    for users in sizes:
        if "plan" not in args.skip:
            bench_plan(users, args.work)
    bench_peers(sizes[0], args.work, args.peer_rows, args.skip)


if __name__ == "__main__":
    main()
