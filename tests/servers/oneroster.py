"""A OneRoster 1.1 / 1.2 REST server on a real socket, for tests and demos.

    python tests/servers/oneroster.py --port 8080 --data DIR     # a CSV bundle
    python tests/servers/oneroster.py --port 8080 --users 500    # the sample district

It serves 1.1 at /ims/oneroster/v1p1 and 1.2 at /ims/oneroster/rostering/v1p2 from one
data set; checks OAuth 1.0a HMAC-SHA256 signatures and issues and checks OAuth 2 tokens
(POST /oauth/token); pages with a default and a clamped maximum limit, announcing pages
by Link, X-Total-Count, x-count, both, or nothing; filters on dateLastModified; takes PUT
and DELETE; and injects faults (see roster_faults.py).
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections import deque
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from roster_auth import Clients
from roster_data import RosterData
from roster_faults import Faults
from roster_http import Handler

PAGING = ("both", "link", "total", "x-count", "none")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def handle_error(self, request: Any, client_address: Any) -> None:
        return None  # a client that hung up is part of the tests


class OneRosterServer:
    """Start with `with OneRosterServer(...) as server:`; every option may change live."""

    def __init__(
        self,
        data: RosterData | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        client_id: str = "demo-client",
        client_secret: str = "demo-secret",
        auth: str = "any",
        paging: str = "both",
        default_limit: int = 100,
        max_limit: int = 100,
        latency_s: float = 0.0,
        token_lifetime_s: float = 3600.0,
        check_scopes: bool = False,
        disabled: frozenset[str] = frozenset(),
    ) -> None:
        if paging not in PAGING:
            raise ValueError(f"paging must be one of {PAGING}")
        self.data = data if data is not None else RosterData.sample()
        self.clients = Clients({client_id: client_secret}, token_lifetime_s)
        self.faults = Faults()
        self.auth, self.paging = auth, paging
        self.default_limit, self.max_limit = default_limit, max_limit
        self.latency_s = latency_s
        self.check_scopes = check_scopes
        self.disabled = set(disabled)
        self.requests: deque[tuple[str, str, int]] = deque(maxlen=200_000)
        # Every Authorization header received, for tests that look for leaks.
        self.authorizations: deque[str] = deque(maxlen=200_000)
        # (version, entity, object) of every PUT body, to check against the spec's schemas
        self.bodies: deque[tuple[str, str, dict[str, object]]] = deque(maxlen=200_000)
        self.in_flight = self.peak_in_flight = 0
        self._lock = threading.Lock()
        handler = type("BoundHandler", (Handler,), {"app": self})
        self._server = _Server((host, port), handler)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host if isinstance(host, str) else host.decode()}:{port}"

    @property
    def service_url(self) -> str:
        return f"{self.url}/ims/oneroster"

    @property
    def token_url(self) -> str:
        return f"{self.url}/oauth/token"

    def entered(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)

    def left(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def record(self, method: str, target: str, status: int) -> None:
        self.requests.append((method, target, status))

    def calls(self, method: str = "GET", fragment: str = "") -> list[tuple[str, int]]:
        """(path?query, status) of the requests so far with that method and path part."""
        return [(t, s) for m, t, s in list(self.requests) if m == method and fragment in t]

    def start(self) -> OneRosterServer:
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> OneRosterServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--data", type=Path, help="a OneRoster CSV bundle (folder or .zip)")
    parser.add_argument("--users", type=int, default=200, help="sample district size")
    parser.add_argument("--only", nargs="*", help="sample entities to load (default: all)")
    parser.add_argument("--client-id", default="demo-client")
    parser.add_argument("--client-secret", default="demo-secret")
    parser.add_argument("--auth", choices=("any", "oauth1", "oauth2"), default="any")
    parser.add_argument("--paging", choices=PAGING, default="both")
    parser.add_argument("--max-limit", type=int, default=100)
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added to every request")
    parser.add_argument("--fail-rate", type=float, default=0.0, help="random failures, 0..1")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    data = (
        RosterData.from_bundle(args.data) if args.data else RosterData.sample(args.users, args.only)
    )
    server = OneRosterServer(
        data,
        host=args.host,
        port=args.port,
        client_id=args.client_id,
        client_secret=args.client_secret,
        auth=args.auth,
        paging=args.paging,
        max_limit=args.max_limit,
        latency_s=args.latency_ms / 1000,
    )
    if args.fail_rate:
        server.faults.randomly(args.fail_rate, args.seed)
    counts = ", ".join(f"{e} {len(r)}" for e, r in data.records.items() if r)
    print(f"OneRoster test server: service_url {server.service_url}", flush=True)
    print(f"  token URL {server.token_url}; client id {args.client_id}; {counts}", flush=True)
    try:
        server._server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server._server.server_close()


if __name__ == "__main__":
    main()
