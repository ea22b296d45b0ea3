"""oneroster-rest auth: OAuth 1.0a signing, OAuth 2 tokens cached, refreshed and retried."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from rest_fixtures import CLIENT_SECRET, FAST, OneRosterServer, open_connector, serve

from passport.connectors.oneroster_rest.auth import OAuth1, OAuth2, base_string
from passport.errors import ConnectorError
from passport.redaction import Redactor


@pytest.fixture
def server() -> Iterator[OneRosterServer]:
    with serve() as s:
        yield s


def count_users(server: OneRosterServer, **settings: object) -> int:
    connector = open_connector(server, **settings)  # type: ignore[arg-type]
    try:
        return sum(1 for _ in connector.snapshot(["users"]).read("users"))
    finally:
        connector.close()


def test_the_signature_base_string_is_rfc_5849s() -> None:
    """RFC 5849 section 3.4.1.1, with its form body parameters passed in by hand."""
    url = httpx.URL("http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b")
    oauth = {
        "oauth_consumer_key": "9djdj82h48djs9d2",
        "oauth_token": "kkk9d7dh3k39sjv7",
        "oauth_signature_method": "HMAC-SHA1",
        "oauth_timestamp": "137131201",
        "oauth_nonce": "7d8f3e4a",
    }
    params = [*url.params.multi_items(), ("c2", ""), ("a3", "2 q"), *oauth.items()]
    assert base_string("POST", url, params) == (
        "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26"
        "b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26"
        "oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D"
        "137131201%26oauth_token%3Dkkk9d7dh3k39sjv7"
    )


def test_every_oauth1_request_is_signed_afresh() -> None:
    signer = OAuth1("key", "secret", clock=lambda: 1_700_000_000)
    first = httpx.Request("GET", "https://h/x/users?filter=dateLastModified%3E%3D%27a%27")
    second = httpx.Request("GET", "https://h/x/users?filter=dateLastModified%3E%3D%27a%27")
    signer.sign(first)
    signer.sign(second)
    assert first.headers["Authorization"].startswith('OAuth oauth_consumer_key="key", oauth_nonce=')
    assert 'oauth_signature_method="HMAC-SHA256"' in first.headers["Authorization"]
    assert first.headers["Authorization"] != second.headers["Authorization"]  # new nonce


def test_signed_requests_with_query_filters_verify(server: OneRosterServer) -> None:
    """A delta read's filter has quotes, colons and >=: all part of the signature."""
    connector = open_connector(server, version="1.1", auth="oauth1")
    try:
        snap = connector.snapshot(
            ["users"], full=False, watermarks={"users": "2025-01-01T00:00:00Z"}
        )
        assert len(list(snap.read("users"))) == 40
    finally:
        connector.close()


def test_a_wrong_oauth1_secret_is_a_clear_error(server: OneRosterServer) -> None:
    with pytest.raises(ConnectorError) as caught:
        count_users(server, version="1.1", auth="oauth1", client_secret="wrong-secret-123")
    assert caught.value.reason == (
        f"401 from {server.service_url}/v1p1/users: unauthorisedrequest "
        "(the OAuth 1 signature does not verify) — check client_id and client_secret"
    )
    assert len(server.calls("GET", "/users")) == 1  # a refused signature is not retried


def test_a_wrong_oauth2_secret_names_the_token_endpoint(server: OneRosterServer) -> None:
    with pytest.raises(ConnectorError) as caught:
        count_users(server, client_secret="wrong-secret-123")
    assert caught.value.reason == (
        f"401 from {server.token_url}: invalid_client (unknown client) "
        "— check client_id and client_secret"
    )


def test_one_token_serves_a_whole_read(server: OneRosterServer) -> None:
    server.max_limit = 5
    assert count_users(server) == 40
    assert server.clients.issued == 1
    assert len(server.calls("GET", "/users")) == 8


def test_a_token_is_refreshed_before_it_expires() -> None:
    with serve(token_lifetime_s=1.0) as server:
        connector = open_connector(server)
        try:
            list(connector.snapshot(["orgs"]).read("orgs"))
            time.sleep(1.0)  # past lifetime - margin (a tenth of a short lifetime)
            list(connector.snapshot(["users"]).read("users"))
        finally:
            connector.close()
        assert server.clients.issued == 2
        assert all(status != 401 for _, _, status in server.requests)


def test_a_token_cached_until_shortly_before_expiry() -> None:
    now = [0.0]
    calls: list[dict[str, str]] = []

    def post(url: str, form: dict[str, str], authorization: str) -> httpx.Response:
        calls.append(form)
        body = {"access_token": f"token-{len(calls)}", "expires_in": 600}
        return httpx.Response(200, json=body)

    auth = OAuth2(
        post, "https://h/token", "id", "secret", ("roster.readonly",),
        redactor=Redactor(), margin_s=60, clock=lambda: now[0],
    )  # fmt: skip
    assert auth.token() == auth.token() == "token-1"
    now[0] = 539.0
    assert auth.token() == "token-1"
    now[0] = 541.0  # within 60 s of expiry
    assert auth.token() == "token-2"
    assert calls[0] == {"grant_type": "client_credentials", "scope": "roster.readonly"}


def test_a_token_expired_mid_run_is_renewed_once(server: OneRosterServer) -> None:
    server.max_limit = 5
    server.faults.add("expire_token", path="/users", after=3)
    assert count_users(server) == 40
    assert server.clients.issued == 2  # one new token, however many pages were in flight
    refused = [s for _, s in server.calls("GET", "/users")].count(401)
    assert 1 <= refused <= FAST.concurrency


def test_a_401_that_persists_is_retried_exactly_once(server: OneRosterServer) -> None:
    server.auth = "oauth1"  # bearer tokens are issued but no longer accepted
    with pytest.raises(ConnectorError) as caught:
        count_users(server)
    assert caught.value.reason.startswith(f"401 from {server.service_url}/rostering/v1p2/users:")
    assert caught.value.reason.endswith("— check client_id and client_secret")
    assert len(server.calls("GET", "/users")) == 2
    assert server.clients.issued == 2


def test_scopes_are_asked_for_and_a_missing_one_is_named() -> None:
    with serve(check_scopes=True) as server:
        scopes = ["https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly"]
        connector = open_connector(server, scopes=scopes)
        try:
            assert sum(1 for _ in connector.snapshot(["users"]).read("users")) == 40
            from passport.connectors.base import WriteOp
            from passport.model import Action

            (result,) = connector.write([WriteOp("users", Action.DELETE, "stu-0000001")])
        finally:
            connector.close()
    assert not result.ok
    assert result.error == (
        f"403 from {server.service_url}/rostering/v1p2/users/stu-0000001: forbidden "
        "(the token has no delete scope) — the credentials lack the scope this needs: check scopes"
    )


def test_fast_tuning_is_what_the_tests_use() -> None:
    assert FAST.backoff_base_s < 0.1 and CLIENT_SECRET.startswith("passport-secret-")
