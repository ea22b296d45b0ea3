"""Fixtures of the google-workspace tests: the local Directory API server, a service
account key it trusts, an OAuth client, and sessions of passport's connector against it."""

from __future__ import annotations

import json
import secrets
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from passport.connectors.google_workspace.scopes import READ_SCOPES, WRITE_SCOPES
from passport.connectors.google_workspace.session import Session, open_session
from passport.connectors.google_workspace.settings import Tuning

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "servers"))

from google_directory import GoogleServer

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


@pytest.fixture
def server() -> Iterator[GoogleServer]:
    with GoogleServer(domain=DOMAIN, admin=ADMIN) as running:
        running.add_client(CLIENT_ID, CLIENT_SECRET)
        running.directory.insert_ou({"name": "Students", "parentOrgUnitPath": "/"})
        running.directory.insert_ou({"name": "Staff", "parentOrgUnitPath": "/"})
        yield running


@pytest.fixture
def key(server: GoogleServer) -> dict[str, str]:
    """A service account key whose domain-wide delegation allows every directory scope."""
    return server.add_service_account(SERVICE_ACCOUNT, scopes=frozenset(READ_SCOPES + WRITE_SCOPES))


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


@pytest.fixture
def open_google(server: GoogleServer, key: dict[str, str]) -> Iterator[OpenSession]:
    """open_google(mode="export", tuning=FAST, **delivery overrides) -> Session."""
    opened: list[Session] = []
    clients: list[httpx.Client] = []

    def make(mode: str = "export", tuning: Tuning = FAST, **extra: Any) -> Session:
        client = httpx.Client(timeout=10.0)
        clients.append(client)
        session = open_session(delivery(server, key, **extra), mode, client=client, tuning=tuning)
        opened.append(session)
        return session

    yield make
    for session in opened:
        session.close()
    for client in clients:
        client.close()
