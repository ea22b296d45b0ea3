"""Hostile inputs through the CLI: each is one clear error line, never a hang or a crash."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from district_files import SIS
from passport_cli import Passport
from zip_bombs import bomb_bundle

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "servers"))

from oneroster import OneRosterServer
from roster_data import RosterData

BUNDLES = Path(__file__).resolve().parents[1] / "bundles"

REST = """\
version: 1
name: rest
application: oneroster-rest
mode: import
delivery:
  service_url: {url}
  auth_url: {token_url}
  client_id: ${{env:BOUNDS_CLIENT_ID}}
  client_secret: ${{env:BOUNDS_CLIENT_SECRET}}
schools:
  auto: same-id
attributes:
  orgs: all
"""


def test_a_zip_bomb_stops_the_plan_with_one_line(passport: Passport) -> None:
    bomb = bomb_bundle(passport.root / "sis.zip", BUNDLES / "good-1.1")
    passport.configs.mkdir()
    (passport.configs / "sis.yaml").write_text(SIS.format(bundle=bomb))
    failed = passport("plan", "sis", code=1)
    assert f"Error: {bomb}: users.csv would grow" in failed.stderr
    assert "it looks like a zip bomb, and nothing was read" in failed.stderr
    assert "Hint: check where the bundle came from" in failed.stderr
    assert "Traceback" not in failed.output


def test_a_huge_page_stops_the_plan_with_one_line(
    passport: Passport, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BOUNDS_CLIENT_ID", "bounds-id")
    monkeypatch.setenv("BOUNDS_CLIENT_SECRET", "bounds-secret")
    monkeypatch.setenv("PASSPORT_MAX_RESPONSE_BYTES", "2MiB")
    server = OneRosterServer(
        RosterData.sample(5), client_id="bounds-id", client_secret="bounds-secret"
    )
    with server:
        fault = server.faults.add("huge_chunked", path="/orgs", status=200, size=300 << 20)
        passport.configs.mkdir()
        text = REST.format(url=server.service_url, token_url=server.token_url)
        (passport.configs / "rest.yaml").write_text(text)
        failed = passport("plan", "rest", code=1)
    assert (
        f"Error: the answer from {server.service_url}/rostering/v1p2/orgs is larger than the "
        "2 MiB one answer may be (PASSPORT_MAX_RESPONSE_BYTES)"
    ) in failed.stderr
    assert "Hint: ask for smaller pages (delivery.page_size)" in failed.stderr
    assert fault.sent < 64 << 20
