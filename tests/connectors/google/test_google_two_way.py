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
from google_world import GoogleWorld, counts, quick

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
    settled = world.plan()
    assert settled["changes"] == []
    for direction in ("import", "export"):  # both sides agree on every account
        assert counts(settled, direction)["unchanged"] == 40

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


def test_memberships_made_in_google_come_back_as_enrollments(world: GoogleWorld) -> None:
    """Two-way with groups per class and groups_as_classes: a member added to a class's
    group in Google becomes the store's enrollment (MEMBER learns); one removed there
    leaves the store."""
    world.import_sis()
    path = world.activate(
        mode="two-way",
        ou_rules=RULES,
        conflicts=None,
        groups_as_classes=True,
        groups={"email": "class-{sourcedId|ascii|lower}@{domain}"},
    )
    text = path.read_text().replace(
        "attributes:\n  users: all\n",
        "attributes:\n  users: all\n  classes: all\n  enrollments: all\n",
    )
    path.write_text(text)
    world("apply", "google", "--yes")
    world("apply", "google", "--yes")  # Google's addresses back into the store
    assert world.plan()["changes"] == []

    data = world.directory
    group = next(iter(data.groups.values()))["email"]
    members = data.listed_members(group, set())
    inside = {m["email"] for m in members}
    joined = {u["primaryEmail"]: k for k, u in world.joined().items()}
    student = next(a for a, k in joined.items() if a not in inside and k.startswith("stu-"))
    data.insert_member(group, {"email": student, "role": "MEMBER"})
    leaving = next(m["email"] for m in members if m["role"] == "MEMBER")
    data.delete_member(group, leaving)

    plan = world.plan()
    moves = {
        (c["direction"], c["action"]): c for c in plan["changes"] if c["entity"] == "enrollments"
    }
    assert set(moves) == {("import", "create"), ("import", "delete")}, plan["changes"]
    made = moves[("import", "create")]["after"]
    cls = next(
        k for k, c in _store_classes(world).items() if group.startswith(f"class-{k.lower()}@")
    )
    assert (made["classSourcedId"], made["userSourcedId"], made["role"]) == (
        cls,
        joined[student],
        "student",
    )
    world("apply", "google", "--yes")
    assert world.plan()["changes"] == []
    enrolled = {(e["classSourcedId"], e["userSourcedId"]) for e in _store_enrollments(world)}
    assert (cls, joined[student]) in enrolled
    assert (cls, joined[leaving]) not in enrolled

    # Made an owner in Google: the store's enrollment teaches.
    data.delete_member(group, student)
    data.insert_member(group, {"email": student, "role": "OWNER"})
    [change] = world.plan()["changes"]
    assert (change["direction"], change["action"], change["changed_fields"]) == (
        "import",
        "update",
        ["role"],
    )
    world("apply", "google", "--yes")
    roles = {
        (e["classSourcedId"], e["userSourcedId"]): e["role"] for e in _store_enrollments(world)
    }
    assert roles[(cls, joined[student])] == "teacher"
    assert world.plan()["changes"] == []


def _store_entity(world: GoogleWorld, entity: str) -> dict[str, dict[str, object]]:
    store = open_store(str(world.passport.store))
    try:
        return {r.key: dict(r.fields) for r in store.scan(entity)}
    finally:
        store.close()


def _store_classes(world: GoogleWorld) -> dict[str, dict[str, object]]:
    return _store_entity(world, "classes")


def _store_enrollments(world: GoogleWorld) -> list[dict[str, object]]:
    return list(_store_entity(world, "enrollments").values())
