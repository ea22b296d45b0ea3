"""Google IDM end to end: `passport apply` provisioning N store users into a Google test
server with a quota, through the batch endpoint and one request per user, against the
floor (the same creates sent by a bare loop over the connector's batch writer, no plan,
no store, no base).

    .venv/bin/python bench/google_idm_bench.py --users 20000 --quota 40
    .venv/bin/python bench/google_idm_bench.py --users 2000 --only passport-batch floor

Each scenario gets a fresh server process (tests/servers/google_directory.py, each call of
a batch counted against the quota, as Google counts them) and a fresh SQLite store fed
from the sample district (passport.sample) by a OneRoster CSV import, which is not timed.
Timed: for passport, `passport apply google --yes` (it plans first: lists Google, links,
gives addresses, then creates every account with its initial password written to the
credentials CSV, and records the base and the run); for the floor, the creates alone.
Prints one JSON line per scenario and the ratios. Pacing is on (requests_per_s = quota),
passport's default.

Measured here (2 cores shared with another session's test runs; one run each at 20,000,
which takes ~9 minutes a scenario; the 200 ms rows are the median of 3 runs):

| users  | latency | floor (bare creates) | passport, batch of 100 | passport, 1 request/user (x4) |
|--------|---------|----------------------|------------------------|-------------------------------|
| 20,000 | 0 ms    | 526.1 s (38.0/s)     | 552.0 s (36.2/s)       | 527.3 s (37.9/s)              |
| 2,000  | 200 ms  | not run              | 56.6 s (35.4/s)        | 104.9 s (19.1/s)              |

At 0 ms the quota decides: Google counts every call of a batch, so both ways create ~38
accounts a second and one request per user takes 0.96x the batch's wall time; passport's
whole apply (listing Google, linking, addresses, passwords written once, base and history)
costs 1.05x the bare creates. What batching buys is requests (100x fewer HTTP requests)
and round trips: at 200 ms a request one request per user (4 in flight) takes 1.86x the
batch's wall time (runs: 1.86, 1.73, 1.84), ~19 creates a second against the batch's 35;
at 20,000 users that would be ~17.5 minutes against ~9.5 (not run at that size).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from google_provision import DOMAIN, bare_creates, start_server

from passport.cli import main as passport_main
from passport.connectors.google_workspace import settings as google_settings
from passport.connectors.google_workspace.settings import Tuning
from passport.sample import generate_sample


def cli(*args: str) -> None:
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # the run summaries: not the result
            passport_main(list(args), prog_name="passport", standalone_mode=False)
    except SystemExit as done:
        if done.code not in (0, None):
            raise RuntimeError(f"passport {' '.join(args)} exited {done.code}") from None


def district(folder: Path, users: int) -> tuple[Path, Path]:
    bundle = folder / "sis-bundle"
    generate_sample(bundle, users=users)
    configs = folder / "configs"
    configs.mkdir()
    sis = {
        "version": 1,
        "name": "sis",
        "application": "oneroster-csv",
        "mode": "import",
        "delivery": {"path": str(bundle)},
        "schools": {"auto": "same-id"},
        "attributes": {"orgs": "all", "users": "all"},
    }
    (configs / "sis.yaml").write_text(yaml.safe_dump(sis))
    store = folder / "store.db"
    cli("apply", "sis", "--yes", "--store", str(store), "--configs", str(configs))
    return configs, store


def passport_run(tuning: Tuning, users: int, quota: int, latency_ms: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        configs, store = district(folder, users)
        key_file = configs / "google-key.json"
        process, url = start_server(quota, latency_ms, key_file)
        try:
            google = {
                "version": 1,
                "name": "google",
                "application": "google-workspace",
                "mode": "export",
                "delivery": {
                    "domain": DOMAIN,
                    "service_account_key": "${file:google-key.json}",
                    "admin": f"admin@{DOMAIN}",
                    "api_url": url,
                    "token_url": f"{url}/token",
                    "ou": "/Students/{school.name}",
                    "create_ous": True,
                    "email": "{givenName|ascii|lower}.{familyName|ascii|lower}@{domain}",
                    "credentials_out": "../credentials.csv",
                },
                "schools": {"auto": "same-id"},
                "attributes": {"users": "all"},
            }
            (configs / "google.yaml").write_text(yaml.safe_dump(google))
            google_settings.DEFAULT_TUNING = tuning  # as a program embedding passport may
            started = time.perf_counter()
            cli("apply", "google", "--yes", "--store", str(store), "--configs", str(configs))
            wall = time.perf_counter() - started
            handed = len((folder / "credentials.csv").read_text().splitlines()) - 1
        finally:
            process.terminate()
            process.wait()
    return {"users": users, "wall_s": round(wall, 2), "created": handed}


def floor_run(tuning: Tuning, users: int, quota: int, latency_ms: float) -> dict[str, Any]:
    wall, results, _ = bare_creates(tuning, users, quota, latency_ms, orgUnitPath="/Students")
    return {"users": users, "wall_s": round(wall, 2), "created": sum(r.ok for r in results)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--quota", type=int, default=40)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--only", nargs="*", help="scenario names to run")
    args = parser.parse_args()
    budget = max(600.0, args.users / args.quota * 4)
    common = {"retry_budget_s": budget, "max_attempts": 10_000, "requests_per_s": args.quota}
    batch = Tuning(batch_size=100, **common)  # type: ignore[arg-type]
    single = Tuning(batch_size=1, concurrency=4, **common)  # type: ignore[arg-type]
    scenarios = {
        "floor": lambda: floor_run(batch, args.users, args.quota, args.latency_ms),
        "passport-batch": lambda: passport_run(batch, args.users, args.quota, args.latency_ms),
        "passport-single": lambda: passport_run(single, args.users, args.quota, args.latency_ms),
    }
    walls: dict[str, float] = {}
    for name, run in scenarios.items():
        if args.only and name not in args.only:
            continue
        row = {"scenario": name, **run()}
        row["per_s"] = round(row["users"] / row["wall_s"], 1)
        walls[name] = row["wall_s"]
        print(json.dumps(row), flush=True)
    print(f"quota {args.quota} calls/s, latency {args.latency_ms:g} ms a request")
    if "passport-batch" in walls and "passport-single" in walls:
        ratio = walls["passport-single"] / walls["passport-batch"]
        print(f"one request per user / batch: {ratio:.2f}x the wall time")
    if "floor" in walls and "passport-batch" in walls:
        print(f"passport (batch) / floor: {walls['passport-batch'] / walls['floor']:.2f}x")


if __name__ == "__main__":
    main()
