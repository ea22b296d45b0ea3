"""Google IDM through the CLI, against the local Directory API server: the store (fed
from a OneRoster bundle) provisions Google accounts with OU rules, email templates with
collisions, initial passwords written once, suspension and delete-after."""

from __future__ import annotations

import csv
import datetime as dt
import os
import stat
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


@pytest.fixture
def world(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store_url: str | None
) -> Iterator[GoogleWorld]:
    monkeypatch.chdir(tmp_path)
    quick(monkeypatch)
    with GoogleServer(domain=DOMAIN, admin=ADMIN) as server:
        yield GoogleWorld(tmp_path, server, store_url=store_url, users=60)


def _students(world: GoogleWorld) -> list[dict[str, str]]:
    return [r for r in read_rows(world.root / "sis-bundle" / "users.csv") if r["role"] == "student"]


def _rename(world: GoogleWorld, names: dict[str, tuple[str, str]]) -> None:
    def change(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        for row in rows:
            if row["sourcedId"] in names:
                row["givenName"], row["familyName"] = names[row["sourcedId"]]
        return rows

    edit_csv(world.root / "sis-bundle" / "users.csv", change)


def _remove(world: GoogleWorld, keys: set[str]) -> None:
    bundle = world.root / "sis-bundle"
    edit_csv(bundle / "users.csv", lambda rows: [r for r in rows if r["sourcedId"] not in keys])
    for name in ("enrollments.csv", "demographics.csv"):
        if (bundle / name).exists():
            edit_csv(
                bundle / name,
                lambda rows: [
                    r for r in rows if r.get("userSourcedId", r.get("sourcedId")) not in keys
                ],
            )


@BOTH_STORES
def test_export_provisions_accounts_by_ou_rules_and_email_templates(
    world: GoogleWorld, store_kind: str
) -> None:
    students = _students(world)
    first, _, third = (s["sourcedId"] for s in students[:3])
    same_grade = [s for s in students if s["grades"] == students[0]["grades"]]
    twin = same_grade[1]["sourcedId"]
    # Two students of one grade with the same name, and one whose name Google cannot take.
    _rename(
        world,
        {first: ("Zoë", "Åberg-Núñez"), twin: ("Zoë", "Åberg-Núñez"), third: ("Ana", "O'Brien")},
    )
    world.import_sis()
    world.activate()

    plan = world.plan()
    users = counts(plan)
    assert users["create"] == 60 and users["held"] == 0
    world("apply", "google", "--yes")
    # The store is the one asked for: no SQLite file when it is PostgreSQL.
    assert world.passport.on_postgresql == (store_kind == "postgresql")
    assert world.passport.store.exists() == (store_kind == "sqlite")

    joined = world.joined()
    assert len(joined) == len(world.directory.users) == 60
    year = dt.date.today().year + (1 if dt.date.today().month >= 7 else 0)
    grade = students[0]["grades"]
    number = 0 if grade == "KG" else int(grade)
    suffix = str(year + 12 - number)[-2:]
    # é -> e, å -> a, the hyphen kept; the twin, later in key order, gets 2.
    assert joined[first]["primaryEmail"] == f"zoe.aberg-nunez{suffix}@{DOMAIN}"
    assert joined[twin]["primaryEmail"] == f"zoe.aberg-nunez{suffix}2@{DOMAIN}"
    assert joined[third]["primaryEmail"].startswith("ana.o'brien")
    school = {r["sourcedId"]: r["name"] for r in read_rows(world.root / "sis-bundle" / "orgs.csv")}
    row = next(s for s in students if s["sourcedId"] == first)
    grade_name = "KG" if grade == "KG" else str(int(grade))
    assert (
        joined[first]["orgUnitPath"]
        == f"/Students/{school[row['orgSourcedIds']]}/Grade {grade_name}"
    )
    assert joined["tch-000001"]["orgUnitPath"].startswith("/Staff/")

    # Initial passwords: once, in a 0600 CSV, and they are the ones Google holds.
    mode = stat.S_IMODE(os.stat(world.credentials).st_mode)
    assert mode == 0o600
    with world.credentials.open(newline="") as handle:
        handed = {r["primaryEmail"]: r["password"] for r in csv.DictReader(handle)}
    assert len(handed) == 60
    passwords = world.directory.passwords
    for email, password in handed.items():
        uid = world.directory.emails[email]
        assert passwords[uid] == password and len(password) == 16
        assert world.directory.users[uid]["changePasswordAtNextLogin"] is True

    again = world.plan()
    assert counts(again)["create"] == counts(again)["update"] == 0
    assert counts(again)["unchanged"] == 60  # every account said, none silently skipped
    assert again["changes"] == []

    # The first Zoë leaves: her twin keeps the address once given (no renumbering).
    _remove(world, {first})
    world.import_sis()
    plan = world.plan()
    suspend = [c for c in plan["changes"] if c["key"] == first]
    assert [c["action"] for c in suspend] == ["update"]
    assert "suspended" in suspend[0]["reason"]
    assert not any(c["key"] == twin for c in plan["changes"])
    world("apply", "google", "--yes")
    gone = world.joined()[first]
    assert gone["suspended"] is True and gone["orgUnitPath"] == "/Suspended"
    assert world.joined()[twin]["primaryEmail"] == f"zoe.aberg-nunez{suffix}2@{DOMAIN}"
    assert counts(world.plan())["update"] == 0  # suspended once, not again

    # delete_after: 89 days on it is still kept; 90 days on, the account it created goes.
    today = dt.date.today()
    early = world.plan("google", "--as-of", (today + dt.timedelta(days=89)).isoformat())
    assert not [c for c in early["changes"] if c["key"] == first]
    late_day = (today + dt.timedelta(days=90)).isoformat()
    late = world.plan("google", "--as-of", late_day)
    assert [c["action"] for c in late["changes"] if c["key"] == first] == ["delete"]
    world("apply", "google", "--yes", "--as-of", late_day)
    assert first not in world.joined() and len(world.directory.users) == 59
    with world.credentials.open(newline="") as handle:
        assert len(list(csv.DictReader(handle))) == 60  # nothing handed out twice


def test_suspensions_count_like_deletes_for_safety(world: GoogleWorld) -> None:
    world.import_sis()
    world.activate()
    world("apply", "google", "--yes")
    leaving = {s["sourcedId"] for s in _students(world)[:20]}
    _remove(world, leaving)
    world.import_sis("--force")
    plan = world.plan()
    assert plan["safety"]["blocked"] is True
    [breach] = plan["safety"]["breaches"]
    assert breach["action"] == "delete" and breach["count"] == 20
    world("apply", "google", "--yes", code=3)
    assert not any(u.get("suspended") for u in world.directory.users.values())


def test_missing_ous_are_held_without_create_ous(world: GoogleWorld) -> None:
    world.import_sis()
    world.activate(create_ous=False)
    plan = world.plan()
    held = plan["held"]
    assert len(held) == 60
    assert all("does not exist in Google" in h["reason"] for h in held)
    assert counts(plan)["create"] == 0


def test_a_re_plan_right_after_apply_plans_no_duplicate(world: GoogleWorld) -> None:
    """A listing lags behind creates (eventual consistency): the base knows what was
    created, and the plan asks for those accounts by address."""
    world.import_sis()
    world.activate()
    world.directory.lag_lists = 5
    world("apply", "google", "--yes")
    plan = world.plan()
    assert counts(plan)["create"] == 0, plan["changes"][:3]
    assert len(world.directory.users) == 60


def test_a_duplicate_on_create_is_reported_never_a_crash(world: GoogleWorld) -> None:
    """Google answers 409 duplicate for one create (the address was taken between plan and
    write): the run reports it and goes on; the next plan has exactly that one left."""
    world.import_sis()
    world.activate()
    world.server.faults.add("duplicate", method="POST", path="/admin/directory/v1/users", times=1)
    result = world("apply", "google", "--yes", code=None)
    said = result.output + result.stderr
    assert result.exit_code != 0 and "Traceback" not in said
    assert "409 duplicate" in said
    assert len(world.directory.users) == 59
    again = world.plan()
    assert counts(again)["create"] == 1 and counts(again)["update"] == 0
    world("apply", "google", "--yes")
    assert len(world.directory.users) == 60 and world.plan()["changes"] == []


@BOTH_STORES
def test_groups_per_class_with_members_teachers_as_owners(world: GoogleWorld) -> None:
    world.import_sis()
    path = world.activate(groups={"email": "class-{sourcedId|ascii|lower}@{domain}"})
    text = path.read_text().replace(
        "attributes:\n  users: all\n",
        "attributes:\n  users: all\n  classes: all\n  enrollments: all\n",
    )
    path.write_text(text)
    bundle = world.root / "sis-bundle"
    classes = read_rows(bundle / "classes.csv")
    enrollments = read_rows(bundle / "enrollments.csv")
    plan = world.plan()
    assert counts(plan, "export", "classes")["create"] == len(classes)
    assert counts(plan, "export", "enrollments")["create"] == len(enrollments)
    world("apply", "google", "--yes")
    assert world.plan()["changes"] == []

    data = world.directory
    one = classes[0]
    group = f"class-{one['sourcedId'].lower()}@{DOMAIN}"
    assert data.group(group)["name"] == one["title"]
    emails = {k: u["primaryEmail"] for k, u in world.joined().items()}
    members = {m["email"]: m["role"] for m in data.listed_members(group, set())}
    expected = {
        emails[e["userSourcedId"]]: "OWNER" if e["role"] == "teacher" else "MEMBER"
        for e in enrollments
        if e["classSourcedId"] == one["sourcedId"]
    }
    assert members == expected and "OWNER" in members.values()

    # A student drops the class: the membership goes, the account stays.
    dropped = next(
        e for e in enrollments if e["classSourcedId"] == one["sourcedId"] and e["role"] == "student"
    )
    edit_csv(
        bundle / "enrollments.csv",
        lambda rows: [r for r in rows if r["sourcedId"] != dropped["sourcedId"]],
    )
    world.import_sis()
    plan = world.plan()
    assert [(c["entity"], c["action"]) for c in plan["changes"]] == [("enrollments", "delete")]
    world("apply", "google", "--yes")
    members = {m["email"] for m in data.listed_members(group, set())}
    assert emails[dropped["userSourcedId"]] not in members
    assert emails[dropped["userSourcedId"]] in world.accounts()


def test_credentials_out_through_a_symlink_is_refused_before_any_account(
    world: GoogleWorld,
) -> None:
    world.import_sis()
    world.activate()
    elsewhere = world.root / "not-theirs.txt"
    elsewhere.write_text("someone else's file\n")
    world.credentials.parent.mkdir(parents=True, exist_ok=True)
    world.credentials.symlink_to(elsewhere)
    result = world("apply", "google", "--yes", code=None)
    said = result.output + result.stderr
    assert result.exit_code != 0 and "Traceback" not in said
    assert "cannot be written" in said
    assert len(world.directory.users) == 0  # no account whose password would be lost
    assert elsewhere.read_text() == "someone else's file\n"


def _with_groups(world: GoogleWorld) -> None:
    path = world.activate(groups={"email": "class-{sourcedId|ascii|lower}@{domain}"})
    text = path.read_text().replace(
        "attributes:\n  users: all\n",
        "attributes:\n  users: all\n  classes: all\n  enrollments: all\n",
    )
    path.write_text(text)


@BOTH_STORES
def test_a_strangers_group_at_a_class_address_is_numbered_never_adopted(
    world: GoogleWorld,
) -> None:
    """A group already at a class's address that does not carry the class's join key is
    someone else's: the class gets the address with 2 appended; a group carrying the
    class's join key (its description) is the class's, wherever it is."""
    world.import_sis()
    _with_groups(world)
    classes = read_rows(world.root / "sis-bundle" / "classes.csv")
    stranger, moved = classes[0]["sourcedId"].lower(), classes[1]["sourcedId"]
    data = world.directory
    data.insert_group({"email": f"class-{stranger}@{DOMAIN}", "name": "Chess club"})
    data.insert_group(
        {
            "email": f"renamed-{moved.lower()}@{DOMAIN}",
            "name": "Kept by the school",
            "description": f"passport-class:{moved}",
        }
    )
    plan = world.plan()
    made = {c["key"]: c for c in plan["changes"] if c["entity"] == "classes"}
    assert made[classes[0]["sourcedId"]]["after"]["email"] == f"class-{stranger}2@{DOMAIN}"
    assert made[moved]["action"] == "link"  # adopted by its join key, renamed to the title
    world("apply", "google", "--yes")
    assert data.group(f"class-{stranger}@{DOMAIN}")["name"] == "Chess club"
    assert data.listed_members(f"class-{stranger}@{DOMAIN}", set()) == []
    assert data.group(f"class-{stranger}2@{DOMAIN}")["name"] == classes[0]["title"]
    assert data.group(f"renamed-{moved.lower()}@{DOMAIN}")["name"] == classes[1]["title"]
    assert not any(g["email"] == f"class-{moved.lower()}@{DOMAIN}" for g in data.groups.values())
    assert world.plan()["changes"] == []

    # Given once, kept: the stranger's group going away moves nothing.
    data.delete_group(f"class-{stranger}@{DOMAIN}")
    assert world.plan()["changes"] == []


def test_password_templates_see_school_name_and_grad_year(world: GoogleWorld) -> None:
    """A password template sees what the email and OU templates see: school.name and
    gradYear too. The passwords Google holds are the ones handed out."""
    world.import_sis()
    template = "{school.name|alnum|lower}-{gradYear}-{sourcedId|last4}"
    path = world.activate(passwords={"policy": "template", "template": template})
    students_only = "filters:\n- {entity: users, field: role, op: equals, value: student}\n"
    path.write_text(path.read_text() + students_only)
    world("apply", "google", "--yes")
    students = _students(world)
    school = {r["sourcedId"]: r["name"] for r in read_rows(world.root / "sis-bundle" / "orgs.csv")}
    today = dt.date.today()
    ends = today.year + (1 if today.month >= 7 else 0)
    with world.credentials.open(newline="") as handle:
        handed = {r["primaryEmail"]: r["password"] for r in csv.DictReader(handle)}
    assert len(handed) == len(students) == len(world.directory.users)
    joined = world.joined()
    for row in students:
        grade = 0 if row["grades"] == "KG" else int(row["grades"])
        name = "".join(c for c in school[row["orgSourcedIds"]] if c.isalnum()).lower()
        expected = f"{name}-{ends + 12 - grade}-{row['sourcedId'][-4:]}"
        email = joined[row["sourcedId"]]["primaryEmail"]
        assert handed[email] == expected
        assert world.directory.passwords[world.directory.emails[email]] == expected
