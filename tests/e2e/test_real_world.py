"""Real-world bundles (tests/bundles/real-*, built in the image of public SIS exports):
each defect of issue 12, imported through the CLI into a real SQLite store.

A bad row is held with its place and reason, what depends on it is held with it, the
rest is imported, and nothing is left out without a word."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from passport_cli import Passport

BUNDLES = Path(__file__).resolve().parents[1] / "bundles"
ATTRIBUTES = "\n".join(
    f"  {e}: all"
    for e in ("orgs", "academicSessions", "courses", "classes", "users", "enrollments")
)
CONFIG = """\
version: 1
name: sis
application: oneroster-csv
mode: import
delivery:
  path: ../bundle
{delivery}schools:
  auto: same-id
attributes:
{attributes}
safety:
  max_held: {max_held}
"""


def setup(passport: Passport, fixture: str, max_held: str = "50%", delivery: str = "") -> None:
    shutil.copytree(BUNDLES / fixture, passport.root / "bundle")
    passport.configs.mkdir(exist_ok=True)
    text = CONFIG.format(delivery=delivery, attributes=ATTRIBUTES, max_held=max_held)
    (passport.configs / "sis.yaml").write_text(text)


def plan(passport: Passport, code: int = 2) -> dict[str, Any]:
    result = passport("plan", "sis", "--format", "json", "--detailed-exitcode", code=code)
    body: dict[str, Any] = json.loads(result.stdout)
    return body


def counts(body: dict[str, Any], entity: str) -> tuple[int, int, int]:
    """(created, held, out of scope) of one entity."""
    [row] = [s for s in body["summary"]["entities"] if s["entity"] == entity]
    return row["create"], row["held"], row["out_of_scope"]


def held(body: dict[str, Any]) -> list[str]:
    return [f"{h['entity']}/{h['key']}: {h['reason']}" for h in body["held"]]


def test_courses_declared_absent_do_not_drop_classes(passport: Passport) -> None:
    setup(passport, "real-courses-absent")
    body = plan(passport)
    assert counts(body, "classes") == (8, 0, 0)
    assert counts(body, "enrollments") == (40, 0, 0)
    passport("apply", "sis", "--yes")
    assert plan(passport, code=0)["summary"]["create"] == 0


def test_active_enrollments_of_a_deleted_class_are_held_with_a_word(passport: Passport) -> None:
    setup(passport, "real-tobedeleted-class")
    body = plan(passport)
    assert counts(body, "classes") == (7, 0, 0)
    assert counts(body, "enrollments") == (35, 5, 0)
    assert all("marks deleted" in line for line in held(body))
    assert {h["depends_on"]["key"] for h in body["held"]} == {"cls-12"}


def test_an_unknown_parent_org_holds_that_org_and_what_depends_on_it(passport: Passport) -> None:
    setup(passport, "real-unknown-parent", max_held="60%")
    body = plan(passport)
    [org] = [h for h in body["held"] if h["entity"] == "orgs"]
    assert (org["key"], org["file"], org["row"], org["column"]) == ("sch-b", "orgs.csv", 4, 7)
    assert "unknown org 'region-9'" in org["reason"]
    assert counts(body, "orgs") == (2, 1, 0)
    assert counts(body, "courses") == (2, 2, 0)  # Birch's courses depend on Birch
    assert counts(body, "classes") == (4, 4, 0)
    assert counts(body, "users") == (10, 10, 0)
    assert counts(body, "enrollments") == (20, 20, 0)
    depends = {h["key"]: h["depends_on"] for h in body["held"] if h["entity"] == "courses"}
    assert depends == {
        "crs-3": {"entity": "orgs", "key": "sch-b"},
        "crs-4": {"entity": "orgs", "key": "sch-b"},
    }


def test_a_us_date_is_held_with_the_hint_or_read_when_the_format_is_named(
    passport: Passport,
) -> None:
    setup(passport, "real-us-date")
    body = plan(passport)
    user, *enrollments = body["held"]
    assert (user["key"], user["field"], user["row"]) == ("stu-3", "dateLastModified", 8)
    assert 'date_format: "M/D/YYYY"' in user["hint"]
    assert counts(body, "users") == (19, 1, 0)
    assert [e["reason"] for e in enrollments] == ["depends on held user 'stu-3'"] * 2
    config = passport.configs / "sis.yaml"
    config.write_text(
        config.read_text().replace(
            "  path: ../bundle\n", '  path: ../bundle\n  date_format: "M/D/YYYY"\n'
        )
    )
    body = plan(passport)
    assert body["held"] == [] and counts(body, "users") == (20, 0, 0)


def test_blank_manifest_values_of_unread_files_only_warn(passport: Passport) -> None:
    setup(passport, "real-blank-manifest")
    body = plan(passport)
    assert counts(body, "users") == (20, 0, 0)
    assert any("scorescales.csv" in w for w in body["warnings"])


def test_every_broken_file_is_reported_in_one_run(passport: Passport) -> None:
    setup(passport, "real-three-broken-files")
    result = passport("plan", "sis", "--format", "json", code=1)
    errors = json.loads(result.stdout)["errors"]
    places = sorted((e["file"], e["row"], e["field"]) for e in errors)
    assert places == [
        ("classes.csv", 1, "classType"),
        ("manifest.csv", 17, ""),
        ("users.csv", 1, "givenName"),
    ]


def test_header_only_bulk_files_import_into_an_empty_store(passport: Passport) -> None:
    setup(passport, "real-header-only")
    body = plan(passport)
    assert counts(body, "users") == (0, 0, 0) and counts(body, "classes") == (8, 0, 0)
    passport("apply", "sis", "--yes")


def test_header_only_bulk_files_go_through_safety_where_they_would_delete(
    passport: Passport,
) -> None:
    setup(passport, "real-us-date", delivery='  date_format: "M/D/YYYY"\n')
    passport("apply", "sis", "--yes")
    for name in ("users.csv", "enrollments.csv"):
        shutil.copy(BUNDLES / "real-header-only" / name, passport.root / "bundle" / name)
    body = plan(passport, code=3)
    breaches = {(b["entity"], b["action"]) for b in body["safety"]["breaches"]}
    assert ("users", "delete") in breaches and ("enrollments", "delete") in breaches
    passport("apply", "sis", "--yes", code=3)  # refused like any breach
    passport("apply", "sis", "--yes", "--force")
    assert counts(plan(passport, code=0), "users") == (0, 0, 0)


def test_older_column_names_are_read_as_their_current_names(passport: Passport) -> None:
    setup(passport, "real-1.0-columns")
    passport("apply", "sis", "--yes")
    store = passport.open_store()
    try:
        [student] = store.get("users", ["stu-1"]).values()
    finally:
        store.close()
    assert student.fields["userIds"] == ["SIS:S1"]
    assert student.fields["agentSourcedIds"] == ["tch-1"]
    assert student.fields["grades"] == ["05"]
    warnings = plan(passport, code=0)["warnings"]
    assert any("'agents' is the OneRoster 1.0 name of 'agentSourcedIds'" in w for w in warnings)


def test_a_malformed_manifest_says_so(passport: Passport) -> None:
    setup(passport, "real-malformed-manifest")
    result = passport("plan", "sis", code=1)
    assert "manifest.csv:2: the row has 1 cells" in result.stderr
    assert "no OneRoster files to read" not in result.stderr


def test_a_version_that_disagrees_with_the_manifest_is_a_warning(passport: Passport) -> None:
    setup(passport, "real-blank-manifest", delivery='  version: "1.2"\n')
    warnings = plan(passport)["warnings"]
    assert any("delivery.version is 1.2 but manifest.csv says OneRoster 1.1" in w for w in warnings)


def test_nul_bytes_circular_parents_and_reversed_dates_are_held(passport: Passport) -> None:
    setup(passport, "real-trust", max_held="100%")
    body = plan(passport)
    reasons = held(body)
    assert "users/stu-5: the cell holds a NUL byte" in reasons
    assert "academicSessions/t2: endDate 2024-12-31 is before startDate 2025-01-06" in reasons
    assert "enrollments/enr-3: endDate 2024-01-01 is before beginDate 2024-08-20" in reasons
    circle = [line for line in reasons if "go round in a circle" in line]
    assert sorted(line.split(":")[0] for line in circle) == ["orgs/dist", "orgs/sch-a"]
    # Birch's parent is in the circle: it is held with it, and so is all that is Birch's
    assert "orgs/sch-b: depends on held org 'dist'" in reasons


@pytest.mark.parametrize("fixture", ["real-unknown-parent", "real-trust"])
def test_the_default_max_held_blocks_a_mostly_broken_bundle(
    passport: Passport, fixture: str
) -> None:
    setup(passport, fixture, max_held="10%")
    body = plan(passport, code=3)
    assert any(b["action"] == "hold" for b in body["safety"]["breaches"])
    passport("apply", "sis", "--yes", code=3)


TWO_WAY = """\
version: 1
name: lms
application: oneroster-csv
mode: {mode}
delivery:
  path: ../lms
schools:
  auto: same-id
attributes:
{attributes}
safety:
  max_held: 50%
"""


@pytest.mark.parametrize("mode", ["two-way", "export"])
def test_an_unreadable_row_on_the_application_side_is_left_alone(
    passport: Passport, mode: str
) -> None:
    setup(passport, "real-us-date", delivery='  date_format: "M/D/YYYY"\n')
    passport("apply", "sis", "--yes")
    shutil.copytree(BUNDLES / "real-us-date", passport.root / "lms")
    text = TWO_WAY.format(mode=mode, attributes=ATTRIBUTES)
    (passport.configs / "lms.yaml").write_text(text)
    result = passport("plan", "lms", "--format", "json")
    body = json.loads(result.stdout)
    assert [c for c in body["changes"] if c["key"] == "stu-3"] == []  # no delete, no create
    [held] = [h for h in body["held"] if h["key"] == "stu-3"]
    assert held["reason"].startswith("the application's copy cannot be read: ")
