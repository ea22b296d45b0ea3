"""Every unresolved secret reference of every activation is named in one run, each at its
file:line:col and setting, before anything is connected."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from district_files import district
from passport_cli import Passport

REST = """\
version: 1
name: {name}
application: oneroster-rest
mode: {mode}
delivery:
  service_url: {url}
  auth_url: {url}/token
  client_id: ${{env:{prefix}_CLIENT_ID}}
  client_secret: ${{env:{prefix}_CLIENT_SECRET}}
  version: "1.2"
  write: true
schools:
  auto: same-id
attributes:
  users: [role, givenName, familyName, email]
"""
SHIELD = "privacy_shield: {enabled: true, level: 2, key: '${file:keys/shield.key}'}\n"
UNSET = ("CANVAS_CLIENT_ID", "CANVAS_CLIENT_SECRET", "PORTAL_CLIENT_ID", "PORTAL_CLIENT_SECRET")


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A port on loopback that records whether anything connected to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    yield server
    server.close()


def connected(server: socket.socket) -> bool:
    try:
        conn, _ = server.accept()
    except BlockingIOError:
        return False
    conn.close()
    return True


def two_rest_activations(configs: Path, url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in UNSET:
        monkeypatch.delenv(name, raising=False)
    canvas = REST.format(name="canvas", mode="two-way", url=url, prefix="CANVAS")
    (configs / "canvas.yaml").write_text(canvas, encoding="utf-8")
    portal = REST.format(name="portal", mode="export", url=url, prefix="PORTAL") + SHIELD
    (configs / "portal.yaml").write_text(portal, encoding="utf-8")


def test_plan_names_every_missing_secret_of_every_activation(
    passport: Passport, listener: socket.socket, monkeypatch: pytest.MonkeyPatch
) -> None:
    configs = district(passport.root)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/ims/oneroster"
    two_rest_activations(configs, url, monkeypatch)
    result = passport("plan", code=1)
    errors = result.stderr
    canvas, portal = configs / "canvas.yaml", configs / "portal.yaml"
    for expected in (
        f"{canvas}:8:14: delivery.client_id: ${{env:CANVAS_CLIENT_ID}}: the environment "
        "variable CANVAS_CLIENT_ID is not set",
        f"{canvas}:9:18: delivery.client_secret: ${{env:CANVAS_CLIENT_SECRET}}: the "
        "environment variable CANVAS_CLIENT_SECRET is not set",
        f"{portal}:8:14: delivery.client_id: ${{env:PORTAL_CLIENT_ID}}",
        f"{portal}:9:18: delivery.client_secret: ${{env:PORTAL_CLIENT_SECRET}}",
        f"{portal}:16:48: privacy_shield.key: ${{file:keys/shield.key}}: no such file",
    ):
        assert expected in errors, errors
    assert "export CANVAS_CLIENT_ID, CANVAS_CLIENT_SECRET where passport runs" in errors
    assert "export PORTAL_CLIENT_ID, PORTAL_CLIENT_SECRET where passport runs" in errors
    assert "create the files named above" in errors
    assert errors.count("nothing was connected") == 2
    assert not connected(listener)
    assert "passport plan for activation sis" in result.stdout  # the others still plan
    assert "2 failed" in result.stdout


def test_apply_names_every_missing_secret_at_once(
    passport: Passport, listener: socket.socket, monkeypatch: pytest.MonkeyPatch
) -> None:
    configs = district(passport.root)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/ims/oneroster"
    two_rest_activations(configs, url, monkeypatch)
    monkeypatch.setenv("PORTAL_CLIENT_ID", "set")
    result = passport("apply", "portal", "--yes", code=1)
    found = re.findall(r"^\S+portal\.yaml:\d+:\d+: (\S+):", result.stderr, re.MULTILINE)
    assert found == ["delivery.client_secret", "privacy_shield.key"]
    assert "2 secret references do not resolve; nothing was connected" in result.stderr
    assert not connected(listener)
