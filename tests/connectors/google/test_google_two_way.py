"""Two-way with Google: the store learns what Google decided. The final primaryEmail comes
back into users.email and the Google id into userIds (Google's fields are the app's by
authority, not by the conflict policy); a rename in Google follows; the store's own
changes still flow out."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from google_fixtures import ADMIN, DOMAIN
from google_world import GoogleWorld, quick

from passport.store import open_store

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "servers"))

from google_directory import GoogleServer

RULES = [
    {"ou": "/Students/*", "role": "student", "school": "sch-001"},
    {"ou": "/Staff/*", "role": "teacher", "school": "sch-001"},
]


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[GoogleWorld]:
    monkeypatch.chdir(tmp_path)
    quick(monkeypatch)
    with GoogleServer(domain=DOMAIN, admin=ADMIN) as server:
        yield GoogleWorld(tmp_path, server, users=40)


def _store_users(world: GoogleWorld) -> dict[str, dict[str, object]]:
    store = open_store(str(world.passport.store))
    try:
        return {r.key: dict(r.fields) for r in store.scan("users")}
    finally:
        store.close()


def test_two_way_pulls_back_google_addresses_and_ids(world: GoogleWorld) -> None:
    world.import_sis()
    world.activate(mode="two-way", ou_rules=RULES, conflicts=None)
    first = world.plan()
    assert {c["action"] for c in first["changes"]} == {"create"}
    world("apply", "google", "--yes")

    back = world.plan()
    imports = [c for c in back["changes"] if c["direction"] == "import"]
    assert len(imports) == 40 and {c["action"] for c in imports} == {"update"}
    assert {tuple(c["changed_fields"]) for c in imports} == {("email", "userIds")}, imports[:2]
    assert back["conflicts"] == [] and not [
        c for c in back["changes"] if c["direction"] == "export"
    ]
    world("apply", "google", "--yes")
    assert world.plan()["changes"] == []

    joined = world.joined()
    stored = _store_users(world)
    for key, fields in stored.items():
        account = joined[key]
        assert fields["email"] == account["primaryEmail"]
        ids = fields["userIds"]
        assert f"google:{account['id']}" in ids and f"SIS:{key}" in ids  # the SIS id kept

    # An admin renames one in Google: the new address comes back, the old stays an alias.
    key = sorted(joined)[3]
    old = joined[key]["primaryEmail"]
    new = f"renamed.{key}@{DOMAIN}"
    world.directory.update_user(joined[key]["id"], {"primaryEmail": new}, replace=False)
    plan = world.plan()
    [change] = plan["changes"]
    assert (change["direction"], change["key"], change["changed_fields"]) == (
        "import",
        key,
        ["email"],
    )
    world("apply", "google", "--yes")
    assert _store_users(world)[key]["email"] == new
    assert old in world.joined()[key]["aliases"]
    assert world.plan()["changes"] == []


def test_two_way_suspends_an_account_whose_user_left_the_store(world: GoogleWorld) -> None:
    from district_files import edit_csv

    world.import_sis()
    world.activate(mode="two-way", ou_rules=RULES, conflicts=None)
    world("apply", "google", "--yes")
    world("apply", "google", "--yes")  # the addresses come back
    leaving = "stu-0000003"
    users = world.root / "sis-bundle" / "users.csv"
    edit_csv(users, lambda rows: [r for r in rows if r["sourcedId"] != leaving])
    world.import_sis()
    plan = world.plan()
    # (The SIS import put its own addresses back, so Google's come back again: both
    # activations share users.email. The export side is what this test is about.)
    [change] = [c for c in plan["changes"] if c["direction"] == "export"]
    assert (change["direction"], change["action"], change["key"]) == ("export", "update", leaving)
    assert "suspended" in change["reason"]
    assert not [c for c in plan["changes"] if c["action"] == "delete"]
    world("apply", "google", "--yes")
    account = world.joined()[leaving]
    assert account["suspended"] is True and account["orgUnitPath"] == "/Suspended"
    assert world.plan()["changes"] == []
