"""Two-way sync with a OneRoster CSV application, through the CLI, on both stores."""

from __future__ import annotations

import json
import shutil

import pytest
from district_files import district, edit_csv, read_rows
from passport_cli import BOTH_STORES, Passport

pytestmark = BOTH_STORES

LMS = """\
version: 1
name: lms
application: oneroster-csv
mode: two-way
delivery: {{path: {bundle}}}
schools: {{auto: same-id}}
attributes: {{orgs: all, academicSessions: all, courses: all, classes: all, users: all,
  enrollments: all}}
conflicts: {policy}
"""


def moves(passport: Passport) -> set[tuple[str, str, str, str]]:
    plan = json.loads(passport("plan", "lms", "--format", "json").stdout)
    return {(c["direction"], c["action"], c["entity"], c["key"]) for c in plan["changes"]}


def setup(passport: Passport, policy: str = "store-wins") -> None:
    configs = district(passport.root, users=120)
    shutil.copytree(passport.root / "sis-bundle", passport.root / "lms-bundle")
    lms = LMS.format(bundle=passport.root / "lms-bundle", policy=policy)
    (configs / "lms.yaml").write_text(lms)


def test_into_an_empty_store_everything_flows_in(passport: Passport) -> None:
    setup(passport)
    first = moves(passport)
    assert {(d, a) for d, a, _, _ in first} == {("import", "create")}
    assert any(e == "enrollments" for _, _, e, _ in first)
    passport("apply", "lms", "--yes")
    passport("plan", "lms", "--detailed-exitcode", code=0)


def test_both_sides_change_and_converge(passport: Passport) -> None:
    setup(passport)
    passport("apply", "sis", "--yes")
    assert {a for _, a, _, _ in moves(passport)} == {"link"}
    passport("apply", "lms", "--yes")
    passport("plan", "lms", "--detailed-exitcode", code=0)
    lms_users = passport.root / "lms-bundle" / "users.csv"
    sis_users = passport.root / "sis-bundle" / "users.csv"
    teacher = next(u for u in read_rows(lms_users) if u["role"] == "teacher")["sourcedId"]
    student = next(u for u in read_rows(sis_users) if u["role"] == "student")["sourcedId"]
    edit_csv(
        lms_users,
        lambda rows: [dict(r, middleName="Lms") if r["sourcedId"] == teacher else r for r in rows],
    )
    edit_csv(
        sis_users,
        lambda rows: [dict(r, grades="11") if r["sourcedId"] == student else r for r in rows],
    )
    passport("apply", "sis", "--yes")
    assert moves(passport) == {
        ("import", "update", "users", teacher),
        ("export", "update", "users", student),
    }
    passport("apply", "lms", "--yes")
    passport("plan", "lms", "--detailed-exitcode", code=0)
    assert next(u for u in read_rows(lms_users) if u["sourcedId"] == student)["grades"] == "11"
    store = passport.open_store()
    try:
        assert store.get("users", [teacher])[teacher].fields["middleName"] == "Lms"
    finally:
        store.close()


@pytest.mark.parametrize("policy", ["stop"])
def test_a_conflict_under_stop_blocks_apply(passport: Passport, policy: str) -> None:
    setup(passport, policy)
    passport("apply", "sis", "--yes")
    passport("apply", "lms", "--yes")
    user = read_rows(passport.root / "sis-bundle" / "users.csv")[5]["sourcedId"]
    for bundle, value in (("sis-bundle", "Sis"), ("lms-bundle", "Lms")):
        edit_csv(
            passport.root / bundle / "users.csv",
            lambda rows, value=value: [
                dict(r, middleName=value) if r["sourcedId"] == user else r for r in rows
            ],
        )
    passport("apply", "sis", "--yes")
    plan = passport("plan", "lms", "--detailed-exitcode", code=3)
    assert f"users/{user} (field): unresolved" in plan.stdout
    refused = passport("apply", "lms", "--yes", code=3)
    assert f"1 unresolved conflicts (conflicts: stop): users/{user} (middleName)" in refused.stderr
    forced = passport("apply", "lms", "--yes", "--force", code=3)
    assert "--force does not override conflicts" in forced.stderr


def test_authority_settles_a_field_without_the_conflict_policy(passport: Passport) -> None:
    """`authority: {users.email: app, users.middleName: store}` under `conflicts: stop`:
    both sides changed both fields, yet nothing blocks; each field goes the way its
    authority says, and the fields it does not name still stop."""
    setup(passport, "stop")
    passport("apply", "sis", "--yes")
    passport("apply", "lms", "--yes")
    config = passport.root / "configs" / "lms.yaml"
    config.write_text(
        config.read_text() + "authority: {users.email: app, users.middleName: store}\n"
    )
    user = read_rows(passport.root / "sis-bundle" / "users.csv")[5]["sourcedId"]
    for bundle, value in (("sis-bundle", "sis"), ("lms-bundle", "lms")):
        edit_csv(
            passport.root / bundle / "users.csv",
            lambda rows, value=value: [
                dict(r, email=f"{value}@example.edu", middleName=value.title())
                if r["sourcedId"] == user
                else r
                for r in rows
            ],
        )
    passport("apply", "sis", "--yes")
    plan = json.loads(passport("plan", "lms", "--format", "json").stdout)
    assert plan["conflicts"] == []
    moved = {(c["direction"], tuple(c["changed_fields"])) for c in plan["changes"]}
    assert moved == {("import", ("email",)), ("export", ("middleName",))}
    passport("apply", "lms", "--yes")
    passport("plan", "lms", "--detailed-exitcode", code=0)
    store = passport.open_store()
    try:
        fields = store.get("users", [user])[user].fields
        assert (fields["email"], fields["middleName"]) == ("lms@example.edu", "Sis")
    finally:
        store.close()
    rows = read_rows(passport.root / "lms-bundle" / "users.csv")
    row = next(r for r in rows if r["sourcedId"] == user)
    assert (row["email"], row["middleName"]) == ("lms@example.edu", "Sis")
