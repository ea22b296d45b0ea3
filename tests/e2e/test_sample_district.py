"""The main job on the embedded default: SQLite store, CSV bundles, the sample district."""

from __future__ import annotations

import json

from district_files import add_lms, district, edit_csv, read_rows
from passport_cli import BOTH_STORES, Passport

from passport.connectors.oneroster_csv.snapshot import CsvSnapshot
from passport.oneroster import ENTITIES

pytestmark = BOTH_STORES


def plan_json(passport: Passport, name: str = "sis") -> dict:  # type: ignore[type-arg]
    result = passport("plan", name, "--format", "json", code=None)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def changes(plan: dict) -> set[tuple[str, str, str]]:  # type: ignore[type-arg]
    return {(c["action"], c["entity"], c["key"]) for c in plan["changes"]}


def test_import_apply_replan_edit_apply(passport: Passport) -> None:
    configs = district(passport.root)
    bundle = passport.root / "sis-bundle"
    assert passport("validate", str(configs)).exit_code == 0
    first = plan_json(passport)
    assert first["summary"]["create"] > 300 and first["summary"]["delete"] == 0
    passport("plan", "sis", "--detailed-exitcode", code=2)
    applied = passport("apply", "sis", "--yes")
    assert "succeeded" in applied.stdout
    passport("plan", "sis", "--detailed-exitcode", code=0)

    users = read_rows(bundle / "users.csv")
    student = next(u for u in users if u["role"] == "student")
    gone = next(u for u in reversed(users) if u["role"] == "student")
    gone_enrollments = {
        e["sourcedId"]
        for e in read_rows(bundle / "enrollments.csv")
        if e["userSourcedId"] == gone["sourcedId"]
    }

    def edit_users(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        for row in rows:
            if row["sourcedId"] == student["sourcedId"]:
                row["grades"] = "12"
        new = dict(student, sourcedId="new-student-1", username="new.student1")
        return [r for r in rows if r["sourcedId"] != gone["sourcedId"]] + [new]

    edit_csv(bundle / "users.csv", edit_users)
    edit_csv(
        bundle / "enrollments.csv",
        lambda rows: [r for r in rows if r["sourcedId"] not in gone_enrollments],
    )
    edit_csv(
        bundle / "demographics.csv",
        lambda rows: [r for r in rows if r["sourcedId"] != gone["sourcedId"]],
    )
    edit_csv(
        bundle / "courses.csv",
        lambda rows: [
            dict(r, title=r["title"] + " (renamed)") if i == 0 else r for i, r in enumerate(rows)
        ],
    )
    course = read_rows(bundle / "courses.csv")[0]["sourcedId"]

    second = plan_json(passport)
    expected = {
        ("update", "users", student["sourcedId"]),
        ("create", "users", "new-student-1"),
        ("delete", "users", gone["sourcedId"]),
        ("update", "courses", course),
        *{("delete", "enrollments", e) for e in gone_enrollments},
    }
    had_demographics = any(
        c["entity"] == "demographics" and c["key"] == gone["sourcedId"] for c in first["changes"]
    )
    if had_demographics:
        expected.add(("delete", "demographics", gone["sourcedId"]))
    assert changes(second) == expected
    update = next(c for c in second["changes"] if c["key"] == student["sourcedId"])
    assert update["changed_fields"] == ["grades"]
    assert update["after"] == {"grades": ["12"]}

    passport("apply", "sis", "--yes")
    passport("plan", "sis", "--detailed-exitcode", code=0)
    history = passport("history", "sis", "--format", "json")
    runs = json.loads(history.stdout)
    assert [r["status"] for r in runs] == ["succeeded", "succeeded"]
    shown = passport("history", "show", runs[0]["id"])
    assert "users" in shown.stdout and "deleted" in shown.stdout


def test_export_then_read_back_gives_the_same_records(passport: Passport) -> None:
    configs = district(passport.root)
    passport("apply", "sis", "--yes")
    target = passport.root / "lms-bundle"
    add_lms(configs, target)
    first = plan_json(passport, "lms")
    assert {c["action"] for c in first["changes"]} == {"create"}
    passport("apply", "lms", "--yes")
    passport("plan", "lms", "--detailed-exitcode", code=0)

    store = passport.open_store()
    snapshot = CsvSnapshot(target, list(ENTITIES))
    try:
        back = {e: {r.key: dict(r.fields) for r in snapshot.read(e)} for e in ENTITIES}
        stored = {e: {r.key: dict(r.fields) for r in store.scan(e)} for e in ENTITIES}
    finally:
        snapshot.close()
        store.close()
    mapped = {"lms-001": "sch-001", "lms-002": "sch-002"}
    back_orgs = {mapped.get(k, k) for k in back["orgs"]}
    assert back_orgs == {"district", "sch-001", "sch-002"}
    for key, fields in back["users"].items():
        original = stored["users"][key]
        assert {k: v for k, v in fields.items() if k != "orgSourcedIds"} == {
            k: v for k, v in original.items() if k != "orgSourcedIds"
        }
        assert {mapped.get(o, o) for o in fields["orgSourcedIds"]} <= set(original["orgSourcedIds"])
    assert set(back["demographics"]) == set()
    for entity in ("courses", "classes", "enrollments"):
        assert set(back[entity]) <= set(stored[entity])
        for fields in back[entity].values():
            school = fields.get("schoolSourcedId") or fields.get("orgSourcedId")
            assert school in mapped


def test_a_bad_bundle_leaves_the_store_data_unchanged_and_says_so(passport: Passport) -> None:
    district(passport.root)
    bundle = passport.root / "sis-bundle"
    passport("apply", "sis", "--yes")
    data = ("records", "base", "watermarks", "locks")
    before = passport.state(data)
    enrollments = bundle / "enrollments.csv"
    enrollments.write_bytes(enrollments.read_bytes().replace(b"student", b"stud\xe9nt", 1))
    (bundle / "users.csv").write_bytes((bundle / "users.csv").read_bytes() + b"\xff,\n")
    result = passport("apply", "sis", "--yes", code=1)
    # A file that cannot be decoded refuses it; every such file is named in one run.
    assert "enrollments.csv" in result.stderr and "users.csv" in result.stderr
    assert "not UTF-8" in result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert passport.state(data) == before
    # The refused attempt is in the history, with its reason.
    [done, refused] = sorted(passport.open_store().runs("sis"), key=lambda r: r.status[::-1])
    assert (refused.status, done.status) == ("refused", "succeeded")
    assert "cannot be read" in refused.message and "enrollments.csv" in refused.message
    assert not refused.counts


def test_a_bad_row_is_held_and_the_rest_applies(passport: Passport) -> None:
    district(passport.root)
    bundle = passport.root / "sis-bundle"
    passport("apply", "sis", "--yes")
    edit_csv(
        bundle / "enrollments.csv",
        lambda rows: [
            dict(rows[0], userSourcedId="nobody-here"),
            dict(rows[1], role="aide"),
            *rows[2:],
        ],
    )
    plan = passport("plan", "sis", "--format", "json")
    body = json.loads(plan.stdout)
    assert [(h["entity"], h["row"], h["field"]) for h in body["held"]] == [
        ("enrollments", 2, "userSourcedId")
    ]
    assert body["summary"]["update"] == 1 and body["summary"]["delete"] == 0
    passport("apply", "sis", "--yes")
    again = json.loads(passport("plan", "sis", "--format", "json").stdout)
    assert again["summary"]["update"] == 0 and again["summary"]["delete"] == 0
    assert len(again["held"]) == 1  # still held, its store copy still there


def test_a_new_store_is_announced_on_postgresql_only(passport: Passport) -> None:
    district(passport.root)
    first, again = passport("plan", "sis"), passport("plan", "sis")
    said = (
        f"passport: created the store schema at {passport.store_url} (migrations 1, 2, 3 applied)"
    )
    assert (said in first.stderr) is passport.on_postgresql
    assert "created the store schema" not in again.stderr


def _entities(plan: dict, direction: str) -> dict[str, dict]:  # type: ignore[type-arg]
    return {s["entity"]: s for s in plan["summary"]["entities"] if s["direction"] == direction}


def _accounted(summary: dict) -> int:  # type: ignore[type-arg]
    names = ("create", "update", "link", "unchanged", "held", "suppressed", "out_of_scope")
    return sum(summary[n] for n in names)


def test_export_summaries_count_unchanged_records(passport: Passport) -> None:
    """Every store record an export shares is created, updated, unchanged, held or
    suppressed, and the plan says which: after an apply, the re-plan counts as unchanged
    what the first plan created."""
    configs = district(passport.root)
    passport("apply", "sis", "--yes")
    add_lms(configs, passport.root / "lms-bundle")
    first = _entities(plan_json(passport, "lms"), "export")
    passport("apply", "lms", "--yes")
    again = _entities(plan_json(passport, "lms"), "export")
    assert set(again) == set(first)
    for entity, summary in again.items():
        assert summary["unchanged"] == first[entity]["create"] > 0, entity
        assert _accounted(summary) == _accounted(first[entity]), entity

    users = read_rows(passport.root / "sis-bundle" / "users.csv")
    student = next(u for u in users if u["role"] == "student")

    def regrade(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        for row in rows:
            if row["sourcedId"] == student["sourcedId"]:
                row["grades"] = "12" if row["grades"] != "12" else "11"
        return rows

    edit_csv(passport.root / "sis-bundle" / "users.csv", regrade)
    passport("apply", "sis", "--yes")
    edited = _entities(plan_json(passport, "lms"), "export")["users"]
    assert edited["update"] == 1
    assert edited["unchanged"] == again["users"]["unchanged"] - 1
