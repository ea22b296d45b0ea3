"""oneroster-rest read benchmark: 100k users over HTTP with 20 ms of latency per page.

    .venv/bin/python bench/rest_bench.py                  # 100k users, pages of 100 and 1000
    .venv/bin/python bench/rest_bench.py --page-size 500 --users 20000 --latency-ms 50

Starts the OneRoster test server (tests/servers/oneroster.py) in its own process with
`--latency-ms` added to every request, then, in the same run and for each page size,
fetches every user twice, each time in a child process (so each has its own peak RSS):

- passport: the connector's full read of `users` (OAuth 2, pages fetched by a bounded pool
  once the total is known, every record normalised to the canonical model and spooled);
- plain: a sequential httpx loop (one token, then GET page after page, `response.json()`,
  count the users) - what a script would do.

Prints records/s and peak memory of both, and the speed-up (target: at least 4x). The
speed-up comes from hiding latency, so it shrinks as pages grow: with pages of 100 (the
OneRoster default limit) 100k users cost 1,000 round trips; with pages of 1000 only 100,
and both clients are then bound by parsing (passport also normalises and spools).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SERVER = ROOT / "tests" / "servers" / "oneroster.py"
CLIENT_ID, CLIENT_SECRET = "bench-client", "bench-secret-not-for-production"


def start_server(
    users: int, latency_ms: float, max_limit: int
) -> tuple[subprocess.Popen[str], str]:
    cmd = [sys.executable, str(SERVER), "--port", "0", "--users", str(users), "--only", "users"]
    cmd += ["--latency-ms", str(latency_ms), "--max-limit", str(max_limit), "--paging", "both"]
    cmd += ["--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET]
    server = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    line = server.stdout.readline()
    if "service_url" not in line:
        server.kill()
        sys.exit(f"the server did not start: {line!r}")
    return server, line.split("service_url ", 1)[1].strip()


def measured_child(mode: str, service_url: str, page_size: int) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", mode, "--url", service_url]
    cmd += ["--page-size", str(page_size)]
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"the {mode} run failed")
    result: dict[str, Any] = json.loads(out)
    result["peak_rss_mib"] = round(usage.ru_maxrss / 1024, 1)
    return result


# --- the two clients, each run in a child -------------------------------------------


def run_passport(service_url: str, page_size: int) -> tuple[int, float]:
    from passport.connectors.base import ConnectContext
    from passport.connectors.oneroster_rest.connector import connect

    delivery = {
        "service_url": service_url,
        "auth_url": service_url.replace("/ims/oneroster", "/oauth/token"),
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "version": "1.2",
        "page_size": page_size,
    }
    started = time.perf_counter()
    connector = connect(delivery, ConnectContext(base_dir="."))
    try:
        count = sum(1 for _ in connector.snapshot(["users"]).read("users"))
    finally:
        connector.close()
    return count, time.perf_counter() - started


def run_plain(service_url: str, page_size: int) -> tuple[int, float]:
    import httpx

    token_url = service_url.replace("/ims/oneroster", "/oauth/token")
    url = f"{service_url}/rostering/v1p2/users"
    started = time.perf_counter()
    count, offset = 0, 0
    with httpx.Client(timeout=30) as client:
        form = {"grant_type": "client_credentials"}
        reply = client.post(token_url, data=form, auth=(CLIENT_ID, CLIENT_SECRET))
        headers = {"Authorization": f"Bearer {reply.json()['access_token']}"}
        while True:
            params = {"limit": page_size, "offset": offset}
            response = client.get(url, params=params, headers=headers)
            response.raise_for_status()
            users = response.json()["users"]
            count += len(users)
            offset += len(users)
            if not users or offset >= int(response.headers["X-Total-Count"]):
                break
    return count, time.perf_counter() - started


def child(mode: str, service_url: str, page_size: int) -> None:
    run = run_passport if mode == "passport" else run_plain
    count, seconds = run(service_url, page_size)
    print(json.dumps({"records": count, "seconds": round(seconds, 3)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--page-size", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--child", choices=("passport", "plain"))
    parser.add_argument("--url")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.url, args.page_size[0])
        return
    server, service_url = start_server(args.users, args.latency_ms, max(100, *args.page_size))
    try:
        measured_child("plain", service_url, 1000)  # warm the server's caches
        results = [
            (
                size,
                measured_child("passport", service_url, size),
                measured_child("plain", service_url, size),
            )
            for size in args.page_size
        ]
    finally:
        server.terminate()
        server.wait()
    print(f"{args.users} users, {args.latency_ms:g} ms of server latency a page")
    for size, ours, plain in results:
        if ours["records"] != plain["records"] or ours["records"] != args.users:
            sys.exit("the two runs read different numbers of users")
        for name, result in (("passport", ours), ("plain httpx loop", plain)):
            rate = result["records"] / result["seconds"]
            print(
                f"  pages of {size:>5}, {name:>16}: {result['seconds']:6.2f} s = "
                f"{rate:>9,.0f} records/s, peak RSS {result['peak_rss_mib']:6.1f} MiB"
            )
        speedup = plain["seconds"] / ours["seconds"]
        print(f"  pages of {size:>5}: passport is {speedup:.1f}x the sequential loop (target 4x)")


if __name__ == "__main__":
    main()
