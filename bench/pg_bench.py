"""Store benchmark: a district's first import and next-day plan on PostgreSQL against SQLite.

    .venv/bin/python bench/pg_bench.py --users 1000000
    .venv/bin/python bench/pg_bench.py --users 100000 --pg-url 'postgresql://me@db/bench'

Same data, same run: bench/generate.py writes "yesterday" and "today" bundles (as
plan_bench.py does, reusing them from --work if they are there). For each store, in a
fresh store: `passport apply` of yesterday (the first import: every record and base row
written), then `passport plan` of today (1% changed, 0.5% added and removed: every record
and base row read, sorted by key), then the plan of yesterday again (nothing changed: its
files are skipped). The table ends with PostgreSQL's times over SQLite's. Each runs as a
child process; the bench reports its wall time and peak memory (max RSS), and the store's
size on disk afterwards (SQLite: the file and its WAL; PostgreSQL: tables, indexes and
TOAST of the store's schema).

Without --pg-url it starts a throwaway PostgreSQL cluster (tests/support/pg_cluster.py)
with durable settings (fsync and synchronous commit on, as SQLite's WAL + NORMAL keeps
commits across a crash) and 1 GiB of shared buffers, and stops it at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "support"))

from plan_bench import CONFIG, PASSPORT, generate, gib, rows_in, run_measured  # noqa: E402

DURABLE = (
    "-c shared_buffers=1GB -c max_wal_size=8GB -c checkpoint_timeout=30min "
    "-c work_mem=64MB -c maintenance_work_mem=256MB -c max_connections=50"
)


def sqlite_size(run_dir: Path) -> int:
    return sum(p.stat().st_size for p in run_dir.glob("store.db*"))


def pg_size(url: str) -> int:
    from passport.store import open_store

    store = open_store(url)
    try:
        row = store._conn.execute(  # type: ignore[attr-defined]
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class AS c "
            "JOIN pg_namespace AS n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind = 'r'",
            (store.schema,),  # type: ignore[attr-defined]
        ).fetchone()
        return int(row[0])
    finally:
        store.close()


def bench_store(kind: str, url: str, yesterday: Path, today: Path, run_dir: Path) -> dict[str, Any]:
    shutil.rmtree(run_dir, ignore_errors=True)
    (run_dir / "configs").mkdir(parents=True)
    config = run_dir / "configs" / "bench.yaml"
    store = ["--store", url]
    config.write_text(CONFIG.format(bundle=yesterday))
    load_wall, load_peak, _ = run_measured([*PASSPORT, "apply", "bench", "--yes", *store], run_dir)
    config.write_text(CONFIG.format(bundle=today))
    cmd = [*PASSPORT, "plan", "bench", "--format", "json", "--detailed-exitcode", *store]
    wall, peak, out = run_measured(cmd, run_dir)
    plan = json.loads(out)
    size = sqlite_size(run_dir) if kind == "sqlite" else pg_size(url)
    config.write_text(CONFIG.format(bundle=yesterday))  # the import again: nothing changed
    same_wall, same_peak, _ = run_measured(cmd, run_dir)
    result = {
        "store": kind,
        "rows_yesterday": rows_in(yesterday),
        "import_s": round(load_wall, 1),
        "import_peak": gib(load_peak),
        "plan_s": round(wall, 1),
        "plan_peak": gib(peak),
        "changes": {k: plan["summary"][k] for k in ("create", "update", "delete")},
        "nothing_changed_s": round(same_wall, 1),
        "nothing_changed_peak": gib(same_peak),
        "store_size": gib(size),
    }
    print(json.dumps(result), flush=True)
    return result


def table(users: int, results: list[dict[str, Any]]) -> str:
    lines = [
        f"{users:,} users ({results[0]['rows_yesterday']:,} records), same data, same run:",
        "",
        "| store | first import | peak | plan of the next day | peak "
        "| nothing-changed plan | store size |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['store']} | {r['import_s']} s | {r['import_peak']} | {r['plan_s']} s "
            f"| {r['plan_peak']} | {r['nothing_changed_s']} s | {r['store_size']} |"
        )
    if len(results) == 2:
        sqlite, pg = results
        ratios = [
            f"{name} {pg[k] / max(sqlite[k], 0.1):.2f}x"
            for name, k in (
                ("first import", "import_s"),
                ("next-day plan", "plan_s"),
                ("nothing-changed plan", "nothing_changed_s"),
            )
        ]
        lines += ["", "PostgreSQL against SQLite: " + ", ".join(ratios)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1_000_000, help="district size")
    parser.add_argument("--work", type=Path, default=HERE / "out", help="where data is written")
    parser.add_argument("--pg-url", help="an existing server (default: a throwaway cluster)")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    yesterday, today = generate(args.users, args.work)
    cluster = None
    pg_url = args.pg_url
    if pg_url is None:
        import pg_cluster

        cluster = pg_cluster.start(DURABLE)
        os.environ.update(cluster.environ())
        pg_url = cluster.url(f"bench_{args.users}")
    try:
        results = [
            bench_store(
                "sqlite",
                str(args.work / f"pg-bench-{args.users}-sqlite" / "store.db"),
                yesterday,
                today,
                args.work / f"pg-bench-{args.users}-sqlite",
            ),
            bench_store(
                "postgresql", pg_url, yesterday, today, args.work / f"pg-bench-{args.users}-pg"
            ),
        ]
    finally:
        if cluster is not None:
            cluster.stop()
    print(table(args.users, results))


if __name__ == "__main__":
    main()
