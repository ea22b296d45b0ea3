"""Delivery settings: defaults, and https-only outside loopback for every URL."""

from __future__ import annotations

import pytest

from passport.connectors.google_workspace.settings import (
    API_URL,
    TOKEN_URL,
    URL_FIELDS,
    GoogleSettings,
    ServiceAccount,
    UserLogin,
)
from passport.errors import ConnectorError

KEYED = {"domain": "district.example", "service_account_key": "{}", "admin": "a@district.example"}


def test_defaults_are_googles() -> None:
    settings = GoogleSettings.from_delivery(KEYED, "import")
    assert (settings.api_url, settings.token_url) == (API_URL, TOKEN_URL)
    assert settings.customer == "my_customer"
    assert isinstance(settings.auth, ServiceAccount)


@pytest.mark.parametrize("name", URL_FIELDS)
@pytest.mark.parametrize(
    "url",
    ["http://admin.example.com", "http://10.0.0.5:8080", "http://127.0.0.1.example.com", "ftp://x"],
)
def test_plain_http_outside_loopback_is_refused(name: str, url: str) -> None:
    with pytest.raises(ConnectorError, match=rf"delivery\.{name}"):
        GoogleSettings.from_delivery({**KEYED, name: url}, "import")


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8090", "http://127.3.4.5", "http://localhost:1", "http://[::1]:80"]
)
def test_plain_http_on_loopback_is_allowed(url: str) -> None:
    settings = GoogleSettings.from_delivery({**KEYED, "api_url": url + "/"}, "export")
    assert settings.api_url == url


def test_credentials_in_a_url_are_refused() -> None:
    with pytest.raises(ConnectorError, match="credentials"):
        GoogleSettings.from_delivery(
            {**KEYED, "token_url": "https://u:p@oauth2.example/t"}, "import"
        )


def test_a_login_needs_its_client() -> None:
    login = {"domain": "d.example", "refresh_token": "r-token", "client_id": "c"}
    with pytest.raises(ConnectorError, match="client_secret"):
        GoogleSettings.from_delivery(login, "import")
    settings = GoogleSettings.from_delivery({**login, "client_secret": "s"}, "import")
    assert isinstance(settings.auth, UserLogin)
    assert "r-token" not in repr(settings)


def test_a_service_account_needs_its_admin() -> None:
    with pytest.raises(ConnectorError, match=r"delivery\.admin"):
        GoogleSettings.from_delivery({"domain": "d", "service_account_key": "{}"}, "import")
