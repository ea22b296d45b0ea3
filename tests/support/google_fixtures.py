"""What the google-workspace tests share: the district, its admin, an OAuth client, quick
retries, and the delivery settings of a session against the local Directory API server.
(Fixtures live in tests/connectors/google/conftest.py; no test imports a conftest.)"""

from __future__ import annotations

import json
import secrets
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "servers"))

from google_directory import GoogleServer

from passport.connectors.google_workspace.session import Session
from passport.connectors.google_workspace.settings import Tuning

DOMAIN = "district.example"
ADMIN = f"admin@{DOMAIN}"
SERVICE_ACCOUNT = "passport-sync@district-project.iam.gserviceaccount.com"
# Fresh per test session, so a grep for them can only find a leak.
CLIENT_ID = "passport-client-" + secrets.token_hex(6) + ".apps.googleusercontent.com"
CLIENT_SECRET = "GOCSPX-" + secrets.token_hex(12)
# Quick retries, so fault tests take milliseconds; the budget still bounds them.
# No pacing: the tests that need a quota turn it on.
FAST = Tuning(
    retry_budget_s=10.0,
    backoff_base_s=0.01,
    backoff_cap_s=0.2,
    max_attempts=30,
    requests_per_s=None,
)

OpenSession = Callable[..., Session]


def delivery(server: GoogleServer, key: dict[str, str] | None, **extra: Any) -> dict[str, Any]:
    found: dict[str, Any] = {
        "domain": DOMAIN,
        "api_url": server.url,
        "token_url": server.token_url,
        "auth_url": server.auth_url,
        "revoke_url": server.revoke_url,
    }
    if key is not None:
        found.update(service_account_key=json.dumps(key), admin=ADMIN)
    found.update(extra)
    return found
