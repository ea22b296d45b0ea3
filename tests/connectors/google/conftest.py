"""Fixtures of the google-workspace tests: the local Directory API server, a service
account key it trusts, an OAuth client, and sessions of passport's connector against it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from passport.connectors.google_workspace.scopes import READ_SCOPES, WRITE_SCOPES
from passport.connectors.google_workspace.session import Session, open_session
from passport.connectors.google_workspace.settings import Tuning

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "servers"))

from google_directory import GoogleServer
from google_fixtures import (
    ADMIN,
    CLIENT_ID,
    CLIENT_SECRET,
    DOMAIN,
    FAST,
    SERVICE_ACCOUNT,
    OpenSession,
    delivery,
)


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
