"""First sync links, never duplicates: 1,000 accounts already in Google (made by another
tool) are matched to store users by externalIds, then by the email template's address;
none is created twice; an account matching two store users is a conflict, held."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from district_files import edit_csv, read_rows
from google_fixtures import ADMIN, DOMAIN
from google_world import GoogleWorld, counts, quick
from passport_cli import BOTH_STORES

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "servers"))

from google_directory import GoogleServer

EMAIL = "{username}@{domain}"


@pytest.fixture
def world(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store_url: str | None
) -> Iterator[GoogleWorld]:
    monkeypatch.chdir(tmp_path)
    quick(monkeypatch)
    with GoogleServer(domain=DOMAIN, admin=ADMIN) as server:
        yield GoogleWorld(tmp_path, server, store_url=store_url, users=1100)


def _existing(world: GoogleWorld, users: list[dict[str, str]]) -> None:
    """Accounts another tool made: even ones carry the sourcedId in externalIds (under an
    older address), odd ones only sit at the address the template gives."""
    for n, user in enumerate(users):
        even = n % 2 == 0
        body = {
            "primaryEmail": f"{'old.' if even else ''}{user['username']}@{DOMAIN}",
            "name": {"givenName": user["givenName"], "familyName": user["familyName"]},
            "password": f"preexisting-{n}",
            "orgUnitPath": "/Students",
        }
        if even:
            body["externalIds"] = [{"type": "organization", "value": user["sourcedId"]}]
        world.directory.insert_user(body)


@BOTH_STORES
def test_first_sync_links_1000_existing_accounts_and_creates_none_twice(
    world: GoogleWorld,
) -> None:
    world.import_sis()
    users = read_rows(world.root / "sis-bundle" / "users.csv")
    existing = users[:1000]
    _existing(world, existing)
    world.activate(email=EMAIL)
    plan = world.plan()
    by_key = {c["key"]: c for c in plan["changes"]}
    for n, user in enumerate(existing):
        change = by_key[user["sourcedId"]]  # each differs at least in its OU
        assert change["action"] == "link", change
        how = "externalIds" if n % 2 == 0 else "email template"
        assert how in change["reason"], change
    assert counts(plan)["link"] == 1000 and counts(plan)["update"] == 0
    text = world("plan", "google").stdout
    assert "1,000 existing records to link (what joins them written)." in text
    creates = [c["key"] for c in plan["changes"] if c["action"] == "create"]
    assert set(creates) == {u["sourcedId"] for u in users[1000:]}
    world("apply", "google", "--yes")
    assert len(world.directory.users) == len(users)  # nothing created twice
    joined = world.joined()
    assert set(joined) == {u["sourcedId"] for u in users}
    for n, user in enumerate(existing):
        kept = f"{'old.' if n % 2 == 0 else ''}{user['username']}@{DOMAIN}"
        assert joined[user["sourcedId"]]["primaryEmail"] == kept  # a link renames nothing
    assert world.plan()["changes"] == []
    lines = world.credentials.read_text().splitlines()
    assert len(lines) == 1 + len(users) - 1000  # passwords only for the accounts it created


def test_an_account_matching_two_store_users_is_a_conflict_never_a_guess(
    world: GoogleWorld,
) -> None:
    users = read_rows(world.root / "sis-bundle" / "users.csv")
    a, b = users[1]["sourcedId"], users[2]["sourcedId"]

    def same_username(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        for row in rows:
            if row["sourcedId"] in (a, b):
                row["username"] = "pat.doe"
        return rows

    edit_csv(world.root / "sis-bundle" / "users.csv", same_username)
    world.import_sis()
    world.directory.insert_user(
        {
            "primaryEmail": f"pat.doe@{DOMAIN}",
            "name": {"givenName": "Pat", "familyName": "Doe"},
            "password": "preexisting-pat",
        }
    )
    world.activate(email=EMAIL)
    plan = world.plan()
    held = {h["key"]: h["reason"] for h in plan["held"]}
    assert set(held) == {a, b}
    assert all("matches 2 store users" in why for why in held.values())
    assert counts(plan)["held"] == 2
    world("apply", "google", "--yes")
    pat = world.accounts()[f"pat.doe@{DOMAIN}"]
    assert not pat.get("externalIds")  # never linked to either
    assert a not in world.joined() and b not in world.joined()
