"""No token, key, refresh token, client secret or password ever appears in a message,
a log line or an exception, not even when a server echoes back what it was sent."""

from __future__ import annotations

import json
import logging

import httpx
import pytest
from directory_data import user
from google_auth import Grant
from google_directory import GoogleServer
from google_fixtures import ADMIN, CLIENT_ID, CLIENT_SECRET, FAST, delivery

from passport.connectors.google_workspace import directory
from passport.connectors.google_workspace.problems import ApiError, Redactor
from passport.connectors.google_workspace.scopes import WRITE_SCOPES
from passport.connectors.google_workspace.session import open_session

PASSWORD = "Pw-" + "q7Zr" * 4


def _secrets(server: GoogleServer, key: dict[str, str]) -> list[str]:
    lines = [line for line in key["private_key"].splitlines() if "-----" not in line]
    return [*server.auth.every_secret, CLIENT_SECRET, PASSWORD, key["private_key_id"], *lines]


def _assert_clean(texts: list[str], secrets: list[str]) -> None:
    blob = "\n".join(texts)
    leaked = [s for s in secrets if s and s in blob]
    assert leaked == [], f"leaked {len(leaked)} secrets"
    assert "Bearer ya29" not in blob and "eyJ" not in blob


def test_an_echoing_api_server_shows_no_token_or_password(
    server: GoogleServer, key: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server.faults.add("echo", path="/users", method="POST", times=None)
    server.faults.add("backend", path="/users", method="PATCH", times=2)
    session = open_session(delivery(server, key), "export", client=httpx.Client(), tuning=FAST)
    [created] = directory.create_users(session.api, [user(1, password=PASSWORD)])
    assert created.status == 400 and created.message
    assert "Invalid Input" in created.message and "***" in created.message
    server.directory.insert_user(dict(user(2)))
    updates = [(user(2)["primaryEmail"], {"password": PASSWORD})]
    [changed] = directory.update_users(session.api, updates)  # type: ignore[list-item]
    assert changed.ok
    texts = [created.message, repr(created), repr(changed), caplog.text]
    _assert_clean(texts, _secrets(server, key))


def test_an_echoing_token_endpoint_shows_no_assertion_or_refresh_token(
    server: GoogleServer, key: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server.auth.echo = True
    server.admins.clear()  # every grant is refused, and the refusal echoes the form
    session = open_session(delivery(server, key), "export", client=httpx.Client(), tuning=FAST)
    with pytest.raises(ApiError) as jwt_error:
        list(directory.list_users(session.api))
    assert "Invalid email or User ID" in str(jwt_error.value)
    refresh = "1//refresh-" + "k" * 30
    server.auth.refresh_tokens[refresh] = Grant(CLIENT_ID, ADMIN, frozenset(WRITE_SCOPES))
    login = delivery(
        server, None, refresh_token=refresh, client_id=CLIENT_ID, client_secret="GOCSPX-wrong-1"
    )
    with pytest.raises(ApiError) as refresh_error:
        list(directory.list_users(open_session(login, "export", tuning=FAST).api))
    assert "invalid_client" in str(refresh_error.value)
    texts = [str(jwt_error.value), str(refresh_error.value), caplog.text]
    texts += [repr(jwt_error.value.args), repr(refresh_error.value.args)]
    _assert_clean(texts, [*_secrets(server, key), refresh, "GOCSPX-wrong-1"])


def test_the_redactor_masks_known_secrets_and_token_shapes() -> None:
    redact = Redactor()
    redact.add("s3cr3t-value")
    pem = "-----BEGIN PRIVATE KEY-----\nMIIEv\n-----END PRIVATE KEY-----\n"
    text = redact(
        f"a s3cr3t-value b Bearer abc.def c {json.dumps(pem)} "
        "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln"
    )
    assert "s3cr3t" not in text and "abc.def" not in text and "MIIEv" not in text
    assert "eyJ" not in text and text.startswith("a *** b ***")
