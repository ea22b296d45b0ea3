"""`${file:}` secrets through the CLI: what a pull request could point them at is refused
before any connection opens, with a clear line, never a hang or an out-of-memory kill."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
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
  client_id: ${{env:FILE_TEST_CLIENT_ID}}
  client_secret: ${{file:{secret}}}
schools:
  auto: same-id
attributes:
  users: all
"""


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[OneRosterServer]:
    monkeypatch.setenv("FILE_TEST_CLIENT_ID", "file-test-id")
    monkeypatch.delenv("PASSPORT_SECRETS_DIR", raising=False)
    with OneRosterServer(RosterData.sample(5), client_id="file-test-id") as s:
        yield s


def activate(passport: Passport, server: OneRosterServer, secret: str) -> None:
    passport.configs.mkdir(exist_ok=True)
    text = ACTIVATION.format(url=server.service_url, token_url=server.token_url, secret=secret)
    (passport.configs / "lms.yaml").write_text(text)


@pytest.mark.parametrize(
    ("target", "said"),
    [
        ("/proc/self/environ", "is under /proc: secrets are never read from /proc, /dev or /sys"),
        ("/dev/zero", "is under /dev: secrets are never read from /proc, /dev or /sys"),
        ("../../etc/passwd", "is outside the folders secrets may be read from"),
    ],
)
def test_a_secret_file_a_pull_request_could_name_is_refused_before_connecting(
    passport: Passport, server: OneRosterServer, target: str, said: str
) -> None:
    activate(passport, server, target)
    failed = passport("plan", "lms", code=1)
    assert f"client_secret: ${{file:{target}}}: " in failed.stderr and said in failed.stderr
    assert "Hint: keep the secret in a file under the activation's folder" in failed.stderr
    assert "Traceback" not in failed.output
    assert not server.requests  # nothing was sent anywhere


def test_a_secret_file_in_the_activations_folder_connects(
    passport: Passport, server: OneRosterServer
) -> None:
    activate(passport, server, "lms.secret")
    (passport.configs / "lms.secret").write_text("demo-secret\n")
    passport("plan", "lms", code=0)
    assert server.clients.issued == 1
