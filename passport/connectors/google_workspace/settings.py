"""The delivery settings of a Google Workspace activation, and the knobs tests may turn.

`api_url`, `token_url`, `auth_url` and `revoke_url` default to Google's and may point at a
local server; each must be https unless its host is a loopback address.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from passport.connectors.google_workspace.scopes import scopes_for
from passport.errors import ConnectorError

API_URL = "https://admin.googleapis.com"
TOKEN_URL = "https://oauth2.googleapis.com/token"
AUTH_URL = "https://accounts.google.com/o/oauth2/v2/auth"
REVOKE_URL = "https://oauth2.googleapis.com/revoke"
URL_FIELDS = ("api_url", "token_url", "auth_url", "revoke_url")
# The Directory API takes at most 1000 calls in one batch request.
MAX_BATCH = 1000


@dataclass(frozen=True, slots=True)
class Tuning:
    """How hard the client works: retries, batching, pacing. Not user config."""

    retry_budget_s: float = 120.0  # total time one request (or batch) may spend retrying
    max_attempts: int = 12
    backoff_base_s: float = 1.0  # Google's advice: 1 s, 2 s, 4 s ... plus jitter
    backoff_cap_s: float = 32.0
    batch_size: int = 100  # calls per batch request; 1 sends each call on its own
    concurrency: int = 4  # single requests in flight when not batching
    # Client-side pacing. Google's default Directory API quota is 2,400 queries a minute
    # per user, 40 a second; pacing to it measured twice the throughput of hitting it and
    # backing off (bench/google_provision.py). None: rely on backoff alone.
    requests_per_s: float | None = 40.0
    page_size: int = 500  # users.list allows 500; groups and members 200
    timeout_s: float = 60.0

    def __post_init__(self) -> None:
        if not 1 <= self.batch_size <= MAX_BATCH:
            raise ValueError(f"batch_size must be 1..{MAX_BATCH}")


DEFAULT_TUNING = Tuning()


@dataclass(frozen=True, slots=True)
class ServiceAccount:
    """A service account key with domain-wide delegation, acting as `admin`."""

    key_json: str = field(repr=False)
    admin: str


@dataclass(frozen=True, slots=True)
class UserLogin:
    """An OAuth client and the refresh token `passport login google` stored."""

    client_id: str
    client_secret: str = field(repr=False)
    refresh_token: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class GoogleSettings:
    domain: str
    auth: ServiceAccount | UserLogin
    mode: str = "import"
    customer: str = "my_customer"
    api_url: str = API_URL
    token_url: str = TOKEN_URL
    auth_url: str = AUTH_URL
    revoke_url: str = REVOKE_URL
    tuning: Tuning = DEFAULT_TUNING

    @property
    def scopes(self) -> tuple[str, ...]:
        return scopes_for(self.mode)

    @classmethod
    def from_delivery(
        cls, delivery: Mapping[str, Any], mode: str, tuning: Tuning = DEFAULT_TUNING
    ) -> GoogleSettings:
        """Settings from a delivery mapping whose secret references are already resolved."""
        urls = {
            name: https_url(name, str(delivery.get(name) or default))
            for name, default in (
                ("api_url", API_URL),
                ("token_url", TOKEN_URL),
                ("auth_url", AUTH_URL),
                ("revoke_url", REVOKE_URL),
            )
        }
        return cls(
            domain=str(_required(delivery, "domain")),
            auth=_auth(delivery),
            mode=mode,
            customer=str(delivery.get("customer") or "my_customer"),
            tuning=tuning,
            **urls,
        )


def _auth(delivery: Mapping[str, Any]) -> ServiceAccount | UserLogin:
    has_key = bool(delivery.get("service_account_key"))
    has_token = bool(delivery.get("refresh_token"))
    if has_key and has_token:
        raise ConnectorError(
            "delivery has both service_account_key and refresh_token",
            "keep one: a service account for pipelines, or a login's refresh token",
        )
    if has_key:
        return ServiceAccount(
            key_json=str(delivery["service_account_key"]), admin=str(_required(delivery, "admin"))
        )
    if has_token:
        return UserLogin(
            client_id=str(_required(delivery, "client_id")),
            client_secret=str(_required(delivery, "client_secret")),
            refresh_token=str(delivery["refresh_token"]),
        )
    raise ConnectorError(
        "delivery has no credentials for google-workspace",
        "set service_account_key and admin, or run `passport login google NAME` and set "
        "refresh_token to the ${file:...} it names",
    )


def _required(delivery: Mapping[str, Any], name: str) -> object:
    value = delivery.get(name)
    if value in (None, ""):
        raise ConnectorError(f"delivery.{name} is required for google-workspace")
    return value


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def https_url(name: str, url: str) -> str:
    """`url` without a trailing slash; refused unless https or on a loopback host."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not host or parts.scheme not in ("https", "http"):
        raise ConnectorError(f"delivery.{name} is not an http(s) URL: {url!r}")
    if parts.scheme != "https" and not is_loopback(host):
        raise ConnectorError(
            f"delivery.{name} must use https: {parts.scheme}://{host}",
            "plain http is allowed only on a loopback address (127.0.0.1, ::1, localhost)",
        )
    if parts.username or parts.password or parts.query:
        raise ConnectorError(f"delivery.{name} may not hold credentials or a query")
    return url.rstrip("/")
