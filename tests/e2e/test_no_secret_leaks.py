"""No credential leaves passport in any encoding, whatever a server repeats back.

Each case makes one OneRoster server repeat the request it got (the Authorization header
as sent and decoded, the query, the form body; raw, URL-encoded, base64, JSON- and
HTML-escaped) in its error answers: at the token endpoint, in API errors, in redirects,
in write errors. Then every output a user, a reviewer or a pipeline gets is searched for
every credential of the run (client id, secret, each token issued, each OAuth 1 signature
made) in every encoding: stdout and stderr of plan (text, JSON, Markdown, HTML), apply and
history, the log, every plan file, the store file and every other file written.
"""

from __future__ import annotations

import json
import logging
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from leaks import leaks
from passport_cli import Passport

from passport.connectors.oneroster_rest import settings
from passport.connectors.oneroster_rest.settings import Tuning

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "servers"))

from oneroster import OneRosterServer
from roster_auth import parse_oauth_header
from roster_data import RosterData

# Characters that every encoding writes differently, so each encoding is really tried.
ID = "leak-id-" + secrets.token_hex(6)
SECRET = "leak-sécret/" + secrets.token_hex(10) + "+&=:%~ \"'<>"
QUICK = Tuning(concurrency=2, write_concurrency=2, retry_budget_s=2, backoff_base_s=0.01)

ACTIVATION = """\
version: 1
name: {name}
application: oneroster-rest
mode: {mode}
delivery:
  service_url: {url}
  auth_url: {token_url}
  client_id: ${{env:LEAK_CLIENT_ID}}
  client_secret: ${{env:LEAK_CLIENT_SECRET}}
  version: "{version}"
  auth: {auth}
  write: {write}
  page_size: 50
schools:
  auto: same-id
attributes:
  orgs: all
  academicSessions: all
  courses: all
  classes: all
  users: all
  enrollments: all
"""


class World:
    """The CLI, an SIS (OneRoster 1.1, OAuth 1) and an LMS (1.2, OAuth 2), and every
    output the test produced."""

    def __init__(self, passport: Passport, sis: OneRosterServer, lms: OneRosterServer) -> None:
        self.passport, self.sis, self.lms = passport, sis, lms
        self.outputs: list[str] = []
        self._activate("sis", "import", sis, "1.1")
        self._activate("lms", "two-way", lms, "1.2")

    def _activate(self, name: str, mode: str, on: OneRosterServer, version: str) -> None:
        text = ACTIVATION.format(
            name=name,
            mode=mode,
            url=on.service_url,
            token_url=on.token_url,
            version=version,
            auth="oauth1" if version == "1.1" else "oauth2",
            write="false" if mode == "import" else "true",
        )
        self.passport.configs.mkdir(parents=True, exist_ok=True)
        (self.passport.configs / f"{name}.yaml").write_text(text, encoding="utf-8")

    def __call__(self, *args: str, code: int | None = None) -> Any:
        result = self.passport(*args, code=code)
        self.outputs += [result.stdout, result.stderr]
        return result

    def every_output(self, name: str) -> None:
        """Plan in each format (and saved), apply, and the history of every run."""
        for fmt in ("text", "json", "markdown", "html"):
            self("plan", name, "--format", fmt)
        self("plan", name, "--out", str(self.passport.root / f"{name}-plan.json"))
        self("apply", name, "--yes")
        self("history")
        runs = json.loads(self("history", "--format", "json", code=0).stdout)
        for run in runs:
            self("history", "show", run["id"])
            self("history", "show", run["id"], "--format", "json")

    def credentials(self) -> list[str]:
        found = [ID, SECRET]
        for server in (self.sis, self.lms):
            found += server.clients.every_token
            for header in server.authorizations:
                signature = parse_oauth_header(header).get("oauth_signature")
                if signature:
                    found.append(signature)
        return found

    def files(self) -> list[str]:
        return [
            path.read_bytes().decode("utf-8", "replace")
            for path in self.passport.root.rglob("*")
            if path.is_file()
        ]


@pytest.fixture
def world(
    passport: Passport, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> Iterator[World]:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("LEAK_CLIENT_ID", ID)
    monkeypatch.setenv("LEAK_CLIENT_SECRET", SECRET)
    monkeypatch.setattr(settings, "DEFAULT_TUNING", QUICK)
    options: dict[str, Any] = {"client_id": ID, "client_secret": SECRET}
    with (
        OneRosterServer(RosterData.sample(12), **options) as sis,
        OneRosterServer(RosterData(), **options) as lms,
    ):
        yield World(passport, sis, lms)


def assert_nothing_leaked(world: World, log: str, expected: str) -> None:
    said = "\n".join(world.outputs)
    assert expected in said, said[-2000:]  # the case did fail the way it meant to
    credentials = world.credentials()
    assert len(credentials) > 2, "the run must have made tokens or signatures"
    found = leaks(credentials, [*world.outputs, log, *world.files()])
    assert not found, f"credentials leaked: {found}"


# (server, fault, its options, what the user is told)
CASES = {
    "token endpoint, JSON error": (
        "lms",
        "echo",
        {"status": 401, "method": "POST", "path": "/oauth/token", "times": None},
        "401 from",
    ),
    "token endpoint, HTML page": (
        "lms",
        "echo_html",
        {"status": 400, "method": "POST", "path": "/oauth/token", "times": None},
        "Request refused",
    ),
    "token endpoint, redirect": (
        "lms",
        "echo_redirect",
        {"status": 302, "method": "POST", "path": "/oauth/token", "times": None},
        "redirects to",
    ),
    "API error with a bearer token": (
        "lms",
        "echo",
        {"status": 403, "path": "/users", "times": None},
        "403 from",
    ),
    "API errors retried (logged)": (
        "lms",
        "echo",
        {"status": 503, "path": "/users", "times": None},
        "503 from",
    ),
    "API redirect with a bearer token": (
        "lms",
        "echo_redirect",
        {"status": 307, "path": "/orgs", "times": None},
        "redirects to",
    ),
    "write errors": (
        "lms",
        "echo",
        {"status": 400, "method": "PUT", "times": None},
        "400 from",
    ),
    "API error with an OAuth 1 signature": (
        "sis",
        "echo",
        {"status": 401, "path": "/users", "times": None},
        "401 from",
    ),
    "API HTML page with an OAuth 1 signature": (
        "sis",
        "echo_html",
        {"status": 500, "path": "/classes", "times": None},
        "Request refused",
    ),
    "API redirect with an OAuth 1 signature": (
        "sis",
        "echo_redirect",
        {"status": 301, "path": "/orgs", "times": None},
        "redirects to",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_no_credential_leaks_from_an_echoing_server(
    world: World, caplog: pytest.LogCaptureFixture, case: str
) -> None:
    name, kind, options, expected = CASES[case]
    if name == "lms":
        world("apply", "sis", "--yes", code=0)  # the LMS then has records to receive
    server = world.sis if name == "sis" else world.lms
    server.faults.add(kind, **options)
    world.every_output(name)
    assert_nothing_leaked(world, caplog.text, expected)
