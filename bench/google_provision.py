"""google-workspace provisioning benchmark: user creates against a 40 calls/s quota,
through the batch endpoint and one request per user, with and without client pacing.

    .venv/bin/python bench/google_provision.py                       # 2,000 users
    .venv/bin/python bench/google_provision.py --users 20000 --latency-ms 100

Each scenario starts a fresh Google test server (tests/servers/google_directory.py) in
its own process with `--quota` calls a second (each call of a batch counts, as Google
counts them) and `--latency-ms` added to every HTTP request, then creates the users with
passport's connector (service account, JWT bearer) and prints wall time, creates a
second, HTTP requests sent and calls the quota refused.

Measured here (2 cores, 2,000 creates, quota 40/s, each batch call counted):

| scenario        | 0 ms latency        | 100 ms latency      |
|-----------------|---------------------|---------------------|
| batch-100       | 75.8 s, 26/s, 96 req | 72.7 s, 28/s, 80 req |
| batch-100-paced | 51.5 s, 39/s, 50 req | 51.6 s, 39/s, 50 req |
| single-x4       | 88.6 s, 23/s, 2159 req | 51.4 s, 39/s, 2000 req |
| single-x4-paced | 51.5 s, 39/s, 2000 req | 52.5 s, 38/s, 2000 req |

At 300 ms a request (600 creates): batch-100-paced 39.9/s, single-x4-paced 13.2/s.
Since Google counts every call of a batch, the quota bounds both ways to ~40 creates/s;
pacing is what buys 1.5x over hitting the quota, and batching wins when round trips
are slow (3x at 300 ms with 4 workers) and sends 40x fewer requests.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import cast

ROOT = Path(__file__).resolve().parents[1]
SERVER = ROOT / "tests" / "servers" / "google_directory.py"
DOMAIN = "district.example"

from passport.connectors.google_workspace import directory  # noqa: E402
from passport.connectors.google_workspace.http import Result  # noqa: E402
from passport.connectors.google_workspace.session import open_session  # noqa: E402
from passport.connectors.google_workspace.settings import Tuning  # noqa: E402


def start_server(
    quota: int, latency_ms: float, key_file: Path
) -> tuple[subprocess.Popen[str], str]:
    cmd = [sys.executable, str(SERVER), "--port", "0", "--users", "0", "--groups", "0"]
    cmd += ["--quota", str(quota), "--latency-ms", str(latency_ms), "--key-out", str(key_file)]
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    for line in process.stdout:
        if " at http" in line:
            return process, line.split(" at ")[1].split(" ")[0]
    process.kill()
    raise SystemExit("the Google test server did not start")


def bare_creates(
    tuning: Tuning, users: int, quota: int, latency_ms: float, **extra: str
) -> tuple[float, list[Result], int]:
    """Create `users` accounts (each with the `extra` fields) through the connector's batch
    writer against a fresh server: the wall time, one result per account, HTTP requests."""
    with tempfile.TemporaryDirectory() as folder:
        key_file = Path(folder) / "key.json"
        process, url = start_server(quota, latency_ms, key_file)
        try:
            delivery = {
                "domain": DOMAIN,
                "api_url": url,
                "token_url": f"{url}/token",
                "service_account_key": key_file.read_text(),
                "admin": f"admin@{DOMAIN}",
            }
            session = open_session(delivery, "export", tuning=tuning)
            session.api.auth.header()  # the token first: not part of the timing
            records = [
                cast(
                    directory.User,
                    {
                        "primaryEmail": f"user{n:06d}@{DOMAIN}",
                        "name": {"givenName": f"Given{n}", "familyName": f"Family{n}"},
                        "password": f"bench-password-{n}",
                        **extra,
                    },
                )
                for n in range(users)
            ]
            started = time.perf_counter()
            results = directory.create_users(session.api, records)
            wall = time.perf_counter() - started
            sent = session.api.sent
            session.close()
        finally:
            process.terminate()
            process.wait()
    return wall, results, sent


def run(name: str, tuning: Tuning, users: int, quota: int, latency_ms: float) -> dict[str, object]:
    wall, results, sent = bare_creates(tuning, users, quota, latency_ms)
    failed = sum(not r.ok for r in results)
    refused = sum(1 for r in results if r.reason in ("userRateLimitExceeded", "rateLimitExceeded"))
    return {
        "scenario": name,
        "users": users,
        "wall_s": round(wall, 2),
        "creates_per_s": round(users / wall, 1),
        "http_requests": sent,
        "failed": failed,
        "refused_in_the_end": refused,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--quota", type=int, default=40)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--only", nargs="*", help="scenario names to run")
    args = parser.parse_args()
    budget = max(600.0, args.users / args.quota * 4)
    base = Tuning(
        retry_budget_s=budget,
        max_attempts=10_000,
        backoff_base_s=0.5,
        backoff_cap_s=8,
        requests_per_s=None,
    )
    scenarios = {
        "batch-100": Tuning(**{**_fields(base), "batch_size": 100}),
        "batch-100-paced": Tuning(
            **{**_fields(base), "batch_size": 100, "requests_per_s": args.quota}
        ),
        "single-x4": Tuning(**{**_fields(base), "batch_size": 1, "concurrency": 4}),
        "single-x4-paced": Tuning(
            **{**_fields(base), "batch_size": 1, "concurrency": 4, "requests_per_s": args.quota}
        ),
    }
    rows = []
    for name, tuning in scenarios.items():
        if args.only and name not in args.only:
            continue
        row = run(name, tuning, args.users, args.quota, args.latency_ms)
        rows.append(row)
        print(json.dumps(row), flush=True)
    print(f"quota {args.quota} calls/s, latency {args.latency_ms:g} ms a request")


def _fields(tuning: Tuning) -> dict[str, object]:
    return {name: getattr(tuning, name) for name in tuning.__slots__}  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
