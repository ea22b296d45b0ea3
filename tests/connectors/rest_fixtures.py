"""Shared pieces of the oneroster-rest tests: the local server, credentials, connectors.

Not a conftest (tests/connectors/conftest.py belongs to the CSV tests): test modules
import what they need and wrap `serve` in their own fixture.
"""

from __future__ import annotations

import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from passport.connectors.base import ConnectContext
from passport.connectors.oneroster_rest.connector import RestConnector, connect
from passport.connectors.oneroster_rest.settings import Tuning

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "servers"))

from oneroster import OneRosterServer
from roster_data import RosterData

__all__ = ["CLIENT_ID", "CLIENT_SECRET", "FAST", "OneRosterServer", "RosterData"]

# Fresh per test session, so a grep for them can only find a leak.
CLIENT_ID = "passport-id-" + secrets.token_hex(6)
CLIENT_SECRET = "passport-secret-" + secrets.token_hex(12)

# Quick retries: the tests inject many faults and must stay fast.
FAST = Tuning(
    concurrency=4,
    write_concurrency=4,
    retry_budget_s=5.0,
    max_attempts=6,
    backoff_base_s=0.01,
    backoff_cap_s=0.1,
)


@contextmanager
def serve(data: RosterData | None = None, **options: Any) -> Iterator[OneRosterServer]:
    options.setdefault("client_id", CLIENT_ID)
    options.setdefault("client_secret", CLIENT_SECRET)
    with OneRosterServer(data if data is not None else RosterData.sample(40), **options) as s:
        yield s


def delivery(server: OneRosterServer, **overrides: Any) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "service_url": server.service_url,
        "auth_url": server.token_url,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "version": "1.2",
        "write": True,
        "timeout_s": 5,
        "page_size": 100,
    }
    settings.update(overrides)
    return settings


def open_connector(
    server: OneRosterServer,
    *,
    tuning: Tuning = FAST,
    client: httpx.Client | None = None,
    **overrides: Any,
) -> RestConnector:
    context = ConnectContext(base_dir=".", http_client=client, extra={"tuning": tuning})
    return connect(delivery(server, **overrides), context)
