"""A Google Workspace Admin SDK Directory API server on a real socket, for tests and demos.

    python tests/servers/google_directory.py --port 8090 --users 500 --quota 40

Routes, page limits, scopes and field names come from the Directory API discovery
document (google_discovery.py). It serves users, orgunits, groups and members under
/admin/directory/v1, the batch endpoint (/batch/admin/directory_v1 and /batch), the token
endpoint (/token: JWT-bearer, refresh-token and authorization-code grants), the
installed-app authorize endpoint (/o/oauth2/v2/auth, PKCE S256) and /revoke. Faults,
quota and eventual consistency are switched on per test (google_faults.py, google_data.py).
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from collections import deque
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import google_discovery
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google_api import Calls
from google_auth import Auth, ServiceAccountKey
from google_data import Directory
from google_faults import Faults, Quota
from google_http import Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def handle_error(self, request: Any, client_address: Any) -> None:
        return None  # a client that hung up is part of the tests


class GoogleServer:
    """Start with `with GoogleServer(...) as server:`; every option may change live.

    server.directory        the data (users, ous, groups, members; lag_lists, lag_s)
    server.faults           fault rules (add/randomly/clear)
    server.quota.per_s      calls a second before 403 userRateLimitExceeded (.status=429)
    server.auth             OAuth clients, service account keys, consent, issued secrets
    server.admins           super admins a token may act as
    server.batch_counts_calls  each call of a batch counts against the quota (Google's rule)
    """

    def __init__(
        self,
        *,
        domain: str = "district.example",
        admin: str = "admin@district.example",
        host: str = "127.0.0.1",
        port: int = 0,
        latency_s: float = 0.0,
        call_latency_s: float = 0.0,
        token_lifetime_s: float = 3600.0,
    ) -> None:
        self.directory = Directory(domain=domain)
        self.admins = {admin.lower()}
        self.auth = Auth(token_lifetime_s=token_lifetime_s, consent_user=admin.lower())
        self.faults = Faults()
        self.quota = Quota()
        self.batch_counts_calls = True
        self.latency_s = latency_s
        self.call_latency_s = call_latency_s
        self.requests: deque[tuple[str, str, int]] = deque(maxlen=200_000)
        self.part_statuses: deque[int] = deque(maxlen=200_000)
        self.calls = Calls(self)
        handler = type("BoundHandler", (Handler,), {"app": self})
        self._server = _Server((host, port), handler)
        self.auth.token_url = self.token_url
        self._thread: threading.Thread | None = None
        google_discovery.routes()  # read the document now, not on the first request

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host if isinstance(host, str) else host.decode()}:{port}"

    @property
    def token_url(self) -> str:
        return f"{self.url}/token"

    @property
    def auth_url(self) -> str:
        return f"{self.url}/o/oauth2/v2/auth"

    @property
    def revoke_url(self) -> str:
        return f"{self.url}/revoke"

    def record(self, method: str, target: str, status: int) -> None:
        self.requests.append((method, target, status))

    def record_part(self, status: int) -> None:
        self.part_statuses.append(status)

    def calls_to(self, method: str = "GET", fragment: str = "") -> list[tuple[str, int]]:
        """(path?query, status) of the HTTP requests so far with that method and path part."""
        return [(t, s) for m, t, s in list(self.requests) if m == method and fragment in t]

    def add_client(self, client_id: str, client_secret: str) -> None:
        self.auth.clients[client_id] = client_secret

    def add_service_account(
        self, email: str, *, scopes: frozenset[str], key_size: int = 2048
    ) -> dict[str, str]:
        """A new service account key (the JSON Google's console hands out), whose public
        half the token endpoint checks JWTs against, delegated `scopes`."""
        private = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
        pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        key_id = f"{len(self.auth.service_accounts) + 1:040x}"
        client_id = f"1{len(self.auth.service_accounts) + 1:020d}"
        self.auth.service_accounts[email] = ServiceAccountKey(
            email, client_id, key_id, private.public_key(), scopes
        )
        return {
            "type": "service_account",
            "project_id": "passport-test",
            "private_key_id": key_id,
            "private_key": pem,
            "client_email": email,
            "client_id": client_id,
            "auth_uri": self.auth_url,
            "token_uri": "https://oauth2.googleapis.com/token",
            "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
            "universe_domain": "googleapis.com",
        }

    def start(self) -> GoogleServer:
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> GoogleServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def seed(server: GoogleServer, users: int, groups: int = 0) -> None:
    """A small district: /Students/<school>/Grade N and /Staff, users and groups."""
    data = server.directory
    for path in ("/Students", "/Staff", "/Students/Lincoln", "/Students/Adams"):
        parent, _, name = path.rpartition("/")
        data.insert_ou({"name": name, "parentOrgUnitPath": parent or "/"})
    for school in ("Lincoln", "Adams"):
        for grade in (9, 10, 11, 12):
            data.insert_ou({"name": f"Grade {grade}", "parentOrgUnitPath": f"/Students/{school}"})
    for n in range(users):
        school = ("Lincoln", "Adams")[n % 2]
        data.insert_user(
            {
                "primaryEmail": f"student{n:05d}@{data.domain}",
                "name": {"givenName": f"Given{n}", "familyName": f"Family{n}"},
                "password": "seeded-password-" + str(n),
                "orgUnitPath": f"/Students/{school}/Grade {9 + n % 4}",
                "externalIds": [{"type": "organization", "value": f"S-{n:05d}"}],
            }
        )
    for g in range(groups):
        data.insert_group({"email": f"class{g:04d}@{data.domain}", "name": f"Class {g}"})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--domain", default="district.example")
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--groups", type=int, default=10)
    parser.add_argument("--quota", type=int, help="calls a second before 403 userRateLimitExceeded")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added to every request")
    parser.add_argument("--fail-rate", type=float, default=0.0, help="random 403/429/503, 0..1")
    parser.add_argument("--key-out", type=Path, help="write a service account key here")
    args = parser.parse_args(argv)
    server = GoogleServer(
        domain=args.domain,
        admin=f"admin@{args.domain}",
        host=args.host,
        port=args.port,
        latency_s=args.latency_ms / 1000,
    )
    seed(server, args.users, args.groups)
    server.quota.per_s = args.quota
    if args.fail_rate:
        server.faults.randomly(args.fail_rate)
    if args.key_out:
        email = f"passport@{args.domain}.iam.gserviceaccount.com"
        key = server.add_service_account(email, scopes=google_discovery.all_scopes())
        args.key_out.write_text(json.dumps(key))
        args.key_out.chmod(0o600)
        print(f"  service account key in {args.key_out}; admin admin@{args.domain}", flush=True)
    print(
        f"Google Directory test server at {server.url} (token URL {server.token_url})", flush=True
    )
    try:
        server._server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server._server.server_close()


if __name__ == "__main__":
    main()
