"""Credentials: a service account's JWT-bearer grant (domain-wide delegation, signed by
google-auth, checked by the server against the key's public half) and a login's refresh
token; the scopes each mode asks for; and what a refused grant tells the admin."""

from __future__ import annotations

import json

import httpx
import pytest
from directory_data import user
from google_auth import JWT_BEARER, Grant
from google_directory import GoogleServer
from google_fixtures import ADMIN, CLIENT_ID, CLIENT_SECRET, FAST, SERVICE_ACCOUNT, delivery

from passport.connectors.google_workspace import directory
from passport.connectors.google_workspace.problems import ApiError
from passport.connectors.google_workspace.scopes import READ_SCOPES, WRITE_SCOPES, scopes_for
from passport.connectors.google_workspace.session import open_session


def _session(server: GoogleServer, key: dict[str, str] | None, mode: str = "export", **extra: str):
    return open_session(delivery(server, key, **extra), mode, client=httpx.Client(), tuning=FAST)


def _token_scopes(server: GoogleServer) -> set[frozenset[str]]:
    return {token.scopes for token in server.auth.tokens.values()}


def test_scopes_per_mode() -> None:
    assert scopes_for("import") == READ_SCOPES
    assert all(scope.endswith(".readonly") for scope in READ_SCOPES)
    assert scopes_for("export") == scopes_for("two-way") == WRITE_SCOPES
    assert not any(scope.endswith(".readonly") for scope in WRITE_SCOPES)
    with pytest.raises(ValueError):
        scopes_for("sideways")


def test_a_service_account_acts_as_the_admin_with_the_modes_scopes(
    server: GoogleServer, key: dict[str, str]
) -> None:
    session = _session(server, key, mode="import")
    assert list(directory.list_users(session.api)) == []
    assert server.auth.grants == {JWT_BEARER: 1}
    [token] = server.auth.tokens.values()
    assert token.subject == ADMIN and token.scopes == frozenset(READ_SCOPES)
    # One token serves every call until it expires.
    list(directory.list_ous(session.api))
    assert server.auth.grants == {JWT_BEARER: 1}


def test_an_import_token_cannot_write(server: GoogleServer, key: dict[str, str]) -> None:
    session = _session(server, key, mode="import")
    [result] = directory.create_users(session.api, [user(1)])
    assert result.status == 403 and result.reason == "insufficientPermissions"
    assert server.directory.users == {}


def test_a_key_the_server_does_not_know_is_refused(
    server: GoogleServer, key: dict[str, str]
) -> None:
    other = GoogleServer().add_service_account(SERVICE_ACCOUNT, scopes=frozenset())
    session = _session(server, {**key, "private_key": other["private_key"]})
    with pytest.raises(ApiError) as error:
        list(directory.list_users(session.api))
    assert "Invalid JWT Signature" in error.value.reason
    assert "domain-wide delegation" in (error.value.hint or "")


def test_delegation_without_the_write_scopes_names_the_admin_console(
    server: GoogleServer,
) -> None:
    read_only = server.add_service_account(
        "reader@x.iam.gserviceaccount.com", scopes=frozenset(READ_SCOPES)
    )
    assert list(directory.list_users(_session(server, read_only, mode="import").api)) == []
    with pytest.raises(ApiError) as error:
        directory.create_users(_session(server, read_only, mode="export").api, [user(1)])
    assert error.value.code == "unauthorized_client"
    assert "Domain-wide delegation" in (error.value.hint or "")


def test_a_subject_that_is_not_an_admin_is_refused(
    server: GoogleServer, key: dict[str, str]
) -> None:
    session = _session(server, key, admin="teacher@district.example")
    with pytest.raises(ApiError) as error:
        list(directory.list_users(session.api))
    assert error.value.code == "invalid_grant" and "Invalid email or User ID" in error.value.reason


def test_a_file_that_is_not_a_key_is_named_without_its_content(server: GoogleServer) -> None:
    secret_looking = '{"client_email": "x@y", "private_key": "-----BEGIN PRIVATE KEY-----\\nAAAA"}'
    with pytest.raises(ApiError) as error:
        _session(server, None, service_account_key=secret_looking, admin=ADMIN)
    assert "AAAA" not in str(error.value) and "not a usable key" in str(error.value)
    with pytest.raises(ApiError) as garbage:
        _session(server, None, service_account_key="not json", admin=ADMIN)
    assert "not a service account key file" in str(garbage.value)


def _grant(server: GoogleServer, scopes: tuple[str, ...]) -> str:
    refresh = "1//test-refresh-" + "r" * 20
    server.auth.refresh_tokens[refresh] = Grant(CLIENT_ID, ADMIN, frozenset(scopes))
    return refresh


def test_a_refresh_token_gives_access_tokens(server: GoogleServer) -> None:
    refresh = _grant(server, WRITE_SCOPES)
    session = _session(
        server, None, refresh_token=refresh, client_id=CLIENT_ID, client_secret=CLIENT_SECRET
    )
    assert all(r.ok for r in directory.create_users(session.api, [user(1)]))
    assert server.auth.grants == {"refresh_token": 1}
    server.auth.expire_all()
    assert len(list(directory.list_users(session.api))) == 1
    assert server.auth.grants == {"refresh_token": 2}


def test_a_revoked_refresh_token_says_log_in_again(server: GoogleServer) -> None:
    refresh = _grant(server, READ_SCOPES)
    server.auth.revoke(refresh)
    session = _session(
        server,
        None,
        "import",
        refresh_token=refresh,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
    )
    with pytest.raises(ApiError) as error:
        list(directory.list_users(session.api))
    assert error.value.code == "invalid_grant"
    assert "passport login google" in (error.value.hint or "")


def test_a_wrong_client_secret_is_invalid_client(server: GoogleServer) -> None:
    refresh = _grant(server, READ_SCOPES)
    session = _session(
        server,
        None,
        "import",
        refresh_token=refresh,
        client_id=CLIENT_ID,
        client_secret="GOCSPX-wrong",
    )
    with pytest.raises(ApiError) as error:
        list(directory.list_users(session.api))
    assert error.value.code == "invalid_client"
    assert "client_id and client_secret" in (error.value.hint or "")


def test_the_token_url_of_the_settings_wins_over_the_keys(
    server: GoogleServer, key: dict[str, str]
) -> None:
    assert key["token_uri"] == "https://oauth2.googleapis.com/token"
    session = _session(server, key, mode="import")
    list(directory.list_users(session.api))
    assert server.calls_to("POST", "/token")


def test_one_credential_kind_at_a_time(server: GoogleServer, key: dict[str, str]) -> None:
    from passport.errors import ConnectorError

    with pytest.raises(ConnectorError, match="both"):
        _session(server, key, refresh_token="x", client_id="c", client_secret="s")
    with pytest.raises(ConnectorError, match="no credentials"):
        _session(server, None)


def test_the_key_json_is_never_in_the_settings_repr(
    server: GoogleServer, key: dict[str, str]
) -> None:
    session = _session(server, key)
    assert key["private_key"][40:80] not in repr(session.settings)
    assert json.dumps(key)[:30] not in repr(session.settings)
