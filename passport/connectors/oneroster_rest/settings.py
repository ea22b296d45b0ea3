"""The delivery config of a OneRoster REST service, and the knobs tests may turn.

`service_url` is the root (`.../ims/oneroster`); the version adds its own path:
1.1 lives at `{root}/v1p1`, 1.2 rostering at `{root}/rostering/v1p2`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from passport.errors import ConnectorError

VERSION_PATHS = {"1.1": "/v1p1", "1.2": "/rostering/v1p2"}
# OneRoster 1.2 keeps resources in a service of their own; 1.1 beside the rostering ones.
RESOURCE_PATHS = {"1.1": "/v1p1", "1.2": "/resources/v1p2"}
PAGE_SIZE = 100  # the spec's default limit


@dataclass(frozen=True, slots=True)
class Tuning:
    """How hard the client works: concurrency, retries, token refresh. Not user config."""

    concurrency: int = 8  # pages fetched at once when the total is known
    write_concurrency: int = 8  # PUT/DELETE requests in flight
    retry_budget_s: float = 60.0  # total time one request may spend retrying
    max_attempts: int = 8
    backoff_base_s: float = 0.25
    backoff_cap_s: float = 8.0
    token_margin_s: float = 60.0  # refresh a token this long before it expires


# Tests turn these down (monkeypatch) when they run the CLI against a flaky server.
DEFAULT_TUNING = Tuning()


@dataclass(frozen=True, slots=True)
class RestSettings:
    service_url: str
    client_id: str
    client_secret: str
    version: str = "1.2"
    auth: str = "oauth2"
    auth_url: str | None = None
    scopes: tuple[str, ...] = ()
    write: bool = False
    timeout_s: float = 30.0
    page_size: int = PAGE_SIZE

    @property
    def base_url(self) -> str:
        """Where the version's collections live, e.g. https://host/ims/oneroster/v1p1."""
        return self.service_url + VERSION_PATHS[self.version]

    @property
    def resources_url(self) -> str:
        """Where resource links point: the resources service of the version."""
        return self.service_url + RESOURCE_PATHS[self.version]

    @classmethod
    def from_delivery(cls, delivery: Mapping[str, Any]) -> RestSettings:
        version = str(delivery.get("version", "1.2"))
        if version not in VERSION_PATHS:
            raise ConnectorError(f"unsupported OneRoster version {version!r}", "use 1.1 or 1.2")
        auth = str(delivery.get("auth") or ("oauth1" if version == "1.1" else "oauth2"))
        if auth not in ("oauth1", "oauth2"):
            raise ConnectorError(f"unknown auth {auth!r}", "use oauth2 or oauth1")
        auth_url = delivery.get("auth_url")
        if auth == "oauth2" and not auth_url:
            raise ConnectorError("oauth2 needs auth_url (the token endpoint)")
        return cls(
            service_url=_root(str(_required(delivery, "service_url")), version),
            client_id=str(_required(delivery, "client_id")),
            client_secret=str(_required(delivery, "client_secret")),
            version=version,
            auth=auth,
            auth_url=str(auth_url) if auth_url else None,
            scopes=tuple(str(s) for s in delivery.get("scopes") or ()),
            write=bool(delivery.get("write", False)),
            timeout_s=float(delivery.get("timeout_s", 30.0)),
            page_size=int(delivery.get("page_size", PAGE_SIZE)),
        )


def _required(delivery: Mapping[str, Any], name: str) -> object:
    value = delivery.get(name)
    if value in (None, ""):
        raise ConnectorError(f"delivery.{name} is required for oneroster-rest")
    return value


def _root(url: str, version: str) -> str:
    """The root without a trailing slash or the version path a user may have added."""
    root = url.rstrip("/")
    suffix = VERSION_PATHS[version]
    return root[: -len(suffix)] if root.endswith(suffix) else root
