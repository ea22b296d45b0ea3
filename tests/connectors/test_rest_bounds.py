"""oneroster-rest reads every answer under a bound, and says so clearly when it is passed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rest_fixtures import CLIENT_ID, CLIENT_SECRET, OneRosterServer, open_connector, serve

from passport.errors import ConnectorError, PassportError

LIMIT = 1 << 20


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[OneRosterServer]:
    monkeypatch.setenv("PASSPORT_MAX_RESPONSE_BYTES", "1MiB")
    with serve() as s:
        yield s


def read_users(server: OneRosterServer) -> int:
    connector = open_connector(server)
    try:
        return sum(1 for _ in connector.snapshot(["users"]).read("users"))
    finally:
        connector.close()


@pytest.mark.parametrize("kind", ["huge", "huge_chunked"])
def test_a_page_over_the_limit_is_refused_unread(server: OneRosterServer, kind: str) -> None:
    """A 300 MB page: refused with the URL and the limit, after no more than the limit (plus
    what the sockets buffer) was sent; with a Content-Length, before reading any of it."""
    fault = server.faults.add(kind, path="/users", status=200, size=300 << 20)
    with pytest.raises(ConnectorError) as caught:
        read_users(server)
    url = f"{server.service_url}/rostering/v1p2/users"
    size = " (300 MiB)" if kind == "huge" else ""
    assert caught.value.reason == (
        f"the answer from {url}{size} is larger than the 1 MiB one answer may be "
        "(PASSPORT_MAX_RESPONSE_BYTES)"
    )
    assert caught.value.hint == (
        "ask for smaller pages (delivery.page_size), or raise PASSPORT_MAX_RESPONSE_BYTES"
    )
    assert fault.hits == 1  # not retried
    assert fault.sent < 32 * LIMIT


def test_a_page_within_the_limit_is_read(server: OneRosterServer) -> None:
    assert read_users(server) == 40


def test_a_huge_error_body_is_read_only_in_part(server: OneRosterServer) -> None:
    fault = server.faults.add("huge_chunked", path="/users", status=400, size=300 << 20)
    with pytest.raises(ConnectorError) as caught:
        read_users(server)
    assert caught.value.reason.startswith(f"400 from {server.service_url}/rostering/v1p2/users")
    assert len(caught.value.reason) < 500
    assert fault.sent < 32 * LIMIT


def test_a_long_error_description_is_cut(server: OneRosterServer) -> None:
    server.faults.add("echo", path="/users", status=400)
    with pytest.raises(ConnectorError) as caught:
        read_users(server)
    reason = caught.value.reason
    assert reason.startswith(f"400 from {server.service_url}/rostering/v1p2/users: invalid_data")
    assert "…" in reason and len(reason) < 600
    assert CLIENT_SECRET not in reason and CLIENT_ID not in reason


def test_a_redirect_names_where_it_leads_and_is_not_followed(server: OneRosterServer) -> None:
    fault = server.faults.add("echo_redirect", path="/users", status=302)
    with pytest.raises(ConnectorError) as caught:
        read_users(server)
    reason = caught.value.reason
    assert reason.startswith(f"302 from {server.service_url}/rostering/v1p2/users: invalid_data")
    assert f"… (redirects to {server.url}/moved/" in reason  # the code, cut, then where
    assert "?" not in reason.split("redirects to ", 1)[1].split(")")[0]  # no query shown
    assert reason.endswith(
        "— passport does not follow redirects (they could carry credentials elsewhere): "
        "set service_url and auth_url to the address that answers"
    )
    assert fault.hits == 1 and not server.calls("GET", "/moved")


def test_a_bad_limit_setting_is_a_clear_error(
    server: OneRosterServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PASSPORT_MAX_RESPONSE_BYTES", "lots")
    with pytest.raises(PassportError) as caught:
        read_users(server)
    assert caught.value.reason == (
        "PASSPORT_MAX_RESPONSE_BYTES='lots' is not a valid limit for one answer of a REST "
        "service (a page, a token)"
    )
    assert caught.value.hint == (
        "set PASSPORT_MAX_RESPONSE_BYTES to a size such as 64KiB, 1MiB or 2GiB, "
        "or unset it for 64 MiB"
    )
