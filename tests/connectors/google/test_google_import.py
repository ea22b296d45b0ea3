"""Import from Google through the CLI: 2,000 users in three OU levels become store users by
`ou_rules` (role, school, grade), their Google ids kept as userIds; 150 groups become
classes and their members enrollments; a user in no rule's OU is out of scope, counted."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from google_fixtures import ADMIN, DOMAIN
from google_world import GoogleWorld, counts, quick

from passport.store import open_store

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "servers"))

from google_directory import GoogleServer

SCHOOLS = {"Alder": "sch-001", "Birch": "sch-002", "Cedar": "sch-003", "Dogwood": "sch-004"}
GRADES = ("09", "10", "11", "12")
USERS, GROUPS, STAFF, CONTRACTORS = 2000, 150, 100, 20


def _seed(world: GoogleWorld) -> None:
    """/Students/<school>/Grade N (three levels), /Staff/<school>, /Contractors."""
    data = world.directory
    data.insert_ou({"name": "Contractors", "parentOrgUnitPath": "/"})
    for school in SCHOOLS:
        data.insert_ou({"name": school, "parentOrgUnitPath": "/Students"})
        data.insert_ou({"name": school, "parentOrgUnitPath": "/Staff"})
        for grade in GRADES:
            data.insert_ou(
                {"name": f"Grade {int(grade)}", "parentOrgUnitPath": f"/Students/{school}"}
            )
    names = list(SCHOOLS)
    for n in range(USERS):
        school, grade = names[n % 4], GRADES[(n // 4) % 4]
        data.insert_user(_user(f"s{n:05d}", f"/Students/{school}/Grade {int(grade)}", f"G-{n:05d}"))
    for n in range(STAFF):
        data.insert_user(_user(f"t{n:04d}", f"/Staff/{names[n % 4]}", None))
    for n in range(CONTRACTORS):
        data.insert_user(_user(f"c{n:03d}", "/Contractors", None))
    for g in range(GROUPS):
        email = f"class{g:03d}@{DOMAIN}"
        data.insert_group({"email": email, "name": f"Class {g}"})
        data.insert_member(email, {"email": f"t{g % STAFF:04d}@{DOMAIN}", "role": "OWNER"})
        for m in range(12):
            student = (g * 12 + m) % USERS
            data.insert_member(email, {"email": f"s{student:05d}@{DOMAIN}", "role": "MEMBER"})


def _user(local: str, path: str, join: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "primaryEmail": f"{local}@{DOMAIN}",
        "name": {"givenName": local.title(), "familyName": "Example"},
        "password": "seeded-" + local,
        "orgUnitPath": path,
    }
    if join:
        body["externalIds"] = [{"type": "organization", "value": join}]
    return body


def _rules() -> list[dict[str, str]]:
    rules = [
        {
            "ou": f"/Students/{school}/Grade {int(grade)}",
            "role": "student",
            "school": key,
            "grade": grade,
        }
        for school, key in SCHOOLS.items()
        for grade in GRADES
    ]
    rules += [
        {"ou": f"/Staff/{school}*", "role": "teacher", "school": key}
        for school, key in SCHOOLS.items()
    ]
    return rules


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[GoogleWorld]:
    monkeypatch.chdir(tmp_path)
    quick(monkeypatch)
    with GoogleServer(domain=DOMAIN, admin=ADMIN) as server:
        yield GoogleWorld(tmp_path, server, users=12)  # the SIS brings the schools


def test_import_2000_users_3_ou_levels_and_150_groups(world: GoogleWorld) -> None:
    world.import_sis()
    _seed(world)
    path = world.activate(
        "directory", "import", ou_rules=_rules(), groups_as_classes=True, **_no_export()
    )
    document = yaml.safe_load(path.read_text())
    document["attributes"] = {"users": "all", "classes": "all", "enrollments": "all"}
    path.write_text(yaml.safe_dump(document, sort_keys=False))

    plan = world.plan("directory")
    users = counts(plan, "import", "users")
    assert users["create"] == USERS + STAFF
    assert users["out_of_scope"] == CONTRACTORS
    [outside] = [o for o in plan["out_of_scope"] if o["entity"] == "users"]
    assert outside["reason"] == "its OU matches no ou_rules entry" and outside["count"] == 20
    assert counts(plan, "import", "classes")["create"] == GROUPS
    assert counts(plan, "import", "enrollments")["create"] == GROUPS * 13
    world("apply", "directory", "--yes")

    store = open_store(str(world.passport.store))
    try:
        got = {r.key: r.fields for r in store.scan("users")}
        google = {u["primaryEmail"]: u["id"] for u in world.directory.users.values()}
        student = got["G-00005"]  # n=5: Birch, grade index 1
        assert student["role"] == "student" and student["orgSourcedIds"] == ["sch-002"]
        assert student["grades"] == ["10"]
        assert student["userIds"] == [f"google:{google[f's00005@{DOMAIN}']}"]
        teacher = got[f"google:{google[f't0001@{DOMAIN}']}"]
        assert teacher["role"] == "teacher" and teacher["orgSourcedIds"] == ["sch-002"]
        assert not [k for k, f in got.items() if str(f.get("email", "")).startswith("c0")]
        classes = {r.key: r.fields for r in store.scan("classes")}
        assert classes[f"class001@{DOMAIN}"]["schoolSourcedId"] == "sch-002"  # its teacher's
        roles = {r.fields["role"] for r in store.scan("enrollments")}
        assert roles == {"teacher", "student"}
    finally:
        store.close()
    assert world.plan("directory")["changes"] == []


def _no_export() -> dict[str, None]:
    return dict.fromkeys(
        ("ou", "create_ous", "email", "credentials_out", "suspend_ou", "delete_after")
    )


def test_the_import_under_faults_and_a_quota_reads_the_same(world: GoogleWorld) -> None:
    """20% of calls fail (403 userRateLimitExceeded, 429, 503) and a quota bites: the
    retries read the very listing a clean server gives, so the store ends the same."""
    world.import_sis()
    _seed(world)
    path = world.activate(
        "directory", "import", ou_rules=_rules(), groups_as_classes=True, **_no_export()
    )
    document = yaml.safe_load(path.read_text())
    document["attributes"] = {"users": "all", "classes": "all", "enrollments": "all"}
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    world.server.faults.randomly(0.2, seed=7)
    world.server.quota.per_s = 300
    world("apply", "directory", "--yes")
    assert world.server.faults.random_hits > 20
    world.server.faults.clear()
    world.server.quota.per_s = None
    store = open_store(str(world.passport.store))
    try:
        assert store.count("users") == 12 + USERS + STAFF  # the SIS's and Google's
        assert store.count("classes") >= GROUPS
        assert sum(1 for r in store.scan("enrollments") if "@" in r.key) == GROUPS * 13
    finally:
        store.close()
    assert world.plan("directory")["changes"] == []
