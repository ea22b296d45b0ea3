"""One open connection to a Google Workspace: settings, redactor, credentials and the API
client, built from a delivery mapping whose secret references are already resolved."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from passport.connectors.google_workspace.credentials import Authorizer, authorizer
from passport.connectors.google_workspace.http import Api
from passport.connectors.google_workspace.problems import Redactor
from passport.connectors.google_workspace.settings import DEFAULT_TUNING, GoogleSettings, Tuning
from passport.connectors.google_workspace.transport import HttpxRequest


@dataclass
class Session:
    settings: GoogleSettings
    api: Api
    auth: Authorizer
    redactor: Redactor
    _own_client: httpx.Client | None = None

    def close(self) -> None:
        self.api.close()
        if self._own_client is not None:
            self._own_client.close()


def open_session(
    delivery: Mapping[str, Any],
    mode: str,
    *,
    client: httpx.Client | None = None,
    tuning: Tuning = DEFAULT_TUNING,
) -> Session:
    """A Session for `delivery`; with no `client`, it makes (and closes) its own."""
    settings = GoogleSettings.from_delivery(delivery, mode, tuning)
    own = None
    if client is None:
        own = client = httpx.Client(
            timeout=tuning.timeout_s,
            limits=httpx.Limits(max_connections=max(4, tuning.concurrency)),
        )
    redactor = Redactor()
    auth = authorizer(settings, HttpxRequest(client, redactor, tuning.timeout_s), redactor)
    api = Api(client, settings.api_url, auth, redactor, tuning)
    return Session(settings, api, auth, redactor, own)
