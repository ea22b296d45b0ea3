"""The `oneroster-rest` application: OneRoster 1.1 / 1.2 REST services.

Delivery config: `service_url` (the root, e.g. https://sis.example.edu/ims/oneroster),
`version` ("1.1" at /v1p1 | "1.2" at /rostering/v1p2), `auth` (oauth2 | oauth1),
`auth_url` (the OAuth 2 token endpoint), `client_id`, `client_secret`, `scopes`,
`write` (the service takes PUT and DELETE), `timeout_s`, `page_size`.
See docs/oneroster-rest.md.

This package exports only its light description, `APPLICATION` (no httpx); the
connector is in `connector`, its settings and tuning in `settings`.
"""

from __future__ import annotations

from passport.connectors.oneroster_rest.application import APPLICATION

__all__ = ["APPLICATION"]
