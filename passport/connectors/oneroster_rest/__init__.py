"""The `oneroster-rest` application: OneRoster 1.1 / 1.2 REST services.

Delivery config: `service_url` (the root, e.g. https://sis.example.edu/ims/oneroster),
`version` ("1.1" at /v1p1 | "1.2" at /rostering/v1p2), `auth` (oauth2 | oauth1),
`auth_url` (the OAuth 2 token endpoint), `client_id`, `client_secret`, `scopes`,
`write` (the service takes PUT and DELETE), `timeout_s`, `page_size`.
See docs/oneroster-rest.md.
"""

from __future__ import annotations

from passport.connectors.oneroster_rest.connector import CAPABILITIES, RestConnector, connect
from passport.connectors.oneroster_rest.settings import DEFAULT_TUNING, RestSettings, Tuning
from passport.connectors.oneroster_rest.snapshot import RestSnapshot

__all__ = [
    "CAPABILITIES",
    "DEFAULT_TUNING",
    "RestConnector",
    "RestSettings",
    "RestSnapshot",
    "Tuning",
    "connect",
]
