"""Plans as pipelines and reviewers get them: every format, many activations at once, and
every JSON plan passport writes checked against schemas/plan.schema.json."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from district_files import add_lms, district, edit_csv, read_rows
from jsonschema import Draft202012Validator
from passport_cli import BOTH_STORES, Passport

pytestmark = BOTH_STORES  # two-way, export and import plans on SQLite and PostgreSQL

ROOT = Path(__file__).parents[2]
SCHEMA = json.loads((ROOT / "schemas" / "plan.schema.json").read_text(encoding="utf-8"))
VALIDATOR = Draft202012Validator(SCHEMA)

BROKEN = "version: 1\nname: broken\napplication: oneroster-csv\nmode: sideways\n"

TWO_WAY = """\
version: 1
name: lms2
application: oneroster-csv
mode: {mode}
delivery:
  path: {bundle}
  processing: bulk
schools:
  map:
    - app: sch-001
      store: sch-001
attributes:
  orgs: all
  academicSessions: all
  courses: all
  classes: all
  users: [enabledUser, orgSourcedIds, role, username, givenName, familyName, grades]
  enrollments: all
conflicts: stop
"""

ROLLOVER = """\
rollover:
  - kind: no-deletes
    from: 2027-06-15
    until: 2027-08-15
    reason: summer rollover
"""


def valid(document: dict[str, Any]) -> dict[str, Any]:
    errors = sorted(VALIDATOR.iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])
    return document


def plan_json(passport: Passport, *args: str, code: int = 0) -> dict[str, Any]:
    result = passport("plan", *args, "--format", "json", code=code)
    return valid(json.loads(result.stdout))


def drop_enrollments(bundle: Path, share: float) -> None:
    """Remove a share of the enrollments from the SIS bundle (a deletion a plan holds)."""
    rows = read_rows(bundle / "enrollments.csv")
    gone = {r["sourcedId"] for r in rows[: int(len(rows) * share)]}
    edit_csv(
        bundle / "enrollments.csv", lambda rows: [r for r in rows if r["sourcedId"] not in gone]
    )


@pytest.fixture
def imported(passport: Passport) -> Passport:
    """The sample district imported into the store."""
    district(passport.root, users=80)
    passport("apply", "sis", "--yes")
    return passport


# --- the JSON plan against its schema, in every scenario --------------------------------


def test_import_plan_and_saved_file_match_the_schema(passport: Passport) -> None:
    district(passport.root, users=80)
    plan = plan_json(passport, "sis")
    assert plan["mode"] == "import" and plan["summary"]["create"] > 100
    users = [c for c in plan["changes"] if c["entity"] == "users"]
    assert users and all("givenName" in c["sensitive"] for c in users)
    assert all("givenName" not in c["after"] for c in users)
    passport("plan", "sis", "--out", "saved.json")
    valid(json.loads((passport.root / "saved.json").read_text()))


def test_export_plan_matches_the_schema(imported: Passport) -> None:
    add_lms(imported.configs, imported.root / "lms-bundle")
    plan = plan_json(imported, "lms")
    assert plan["mode"] == "export"
    assert {c["direction"] for c in plan["changes"]} == {"export"}


def test_two_way_plan_with_conflicts_matches_the_schema(imported: Passport) -> None:
    target = imported.root / "lms2-bundle"
    config = imported.configs / "lms2.yaml"
    config.write_text(TWO_WAY.format(bundle=target, mode="export"))  # the LMS gets a bundle
    imported("apply", "lms2", "--yes")
    config.write_text(TWO_WAY.format(bundle=target, mode="two-way"))
    imported("apply", "lms2", "--yes")
    imported("plan", "lms2", "--detailed-exitcode", code=0)
    sis = imported.root / "sis-bundle"
    student = next(
        u for u in read_rows(target / "users.csv") if u["role"] == "student" and u["grades"]
    )

    def regrade(grade: str) -> Any:
        def edit(rows: list[dict[str, str]]) -> list[dict[str, str]]:
            return [
                dict(r, grades=grade) if r["sourcedId"] == student["sourcedId"] else r for r in rows
            ]

        return edit

    edit_csv(sis / "users.csv", regrade("11"))
    imported("apply", "sis", "--yes")
    edit_csv(target / "users.csv", regrade("12"))
    plan = plan_json(imported, "lms2", "--detailed-exitcode", code=3)
    [conflict] = plan["conflicts"]
    assert conflict["key"] == student["sourcedId"] and conflict["blocking"] is True
    assert conflict["store"] == {"grades": ["11"]} and conflict["app"] == {"grades": ["12"]}
    assert plan["safety"]["blocked"] is True


def test_safety_breach_matches_the_schema(imported: Passport) -> None:
    drop_enrollments(imported.root / "sis-bundle", 0.5)
    plan = plan_json(imported, "sis", "--detailed-exitcode", code=3)
    [breach] = plan["safety"]["breaches"]
    assert (breach["entity"], breach["action"], breach["limit"]) == ("enrollments", "delete", "10%")


def test_rollover_held_deletes_match_the_schema(imported: Passport) -> None:
    sis = imported.configs / "sis.yaml"
    sis.write_text(sis.read_text() + ROLLOVER)
    drop_enrollments(imported.root / "sis-bundle", 0.05)
    plan = plan_json(imported, "sis", "--as-of", "2027-07-01")
    assert plan["summary"]["delete"] == 0 and plan["suppressed"]
    assert all("summer rollover" in x["reason"] for x in plan["suppressed"])


# --- many activations at once ---------------------------------------------------------


def test_a_folder_plans_each_and_sums_up(imported: Passport) -> None:
    add_lms(imported.configs, imported.root / "lms-bundle")
    result = imported("plan", str(imported.configs), "--detailed-exitcode", code=2)
    out = result.stdout
    assert out.index("activation lms") < out.index("activation sis") < out.index("Summary of")
    assert "Summary of 2 activations:" in out
    assert re.search(r"^  sis +no changes$", out, re.MULTILINE)


def test_one_failure_is_reported_and_the_others_still_run(imported: Passport) -> None:
    add_lms(imported.configs, imported.root / "lms-bundle")
    (imported.configs / "broken.yaml").write_text(BROKEN)
    result = imported("plan", "--detailed-exitcode", code=1)
    assert "broken.yaml: plan failed" in result.stderr and "sideways" in result.stderr
    assert "activation lms" in result.stdout and "activation sis" in result.stdout
    assert re.search(r"^  broken +plan failed \(.*broken.yaml\)$", result.stdout, re.MULTILINE)
    document = plan_json(imported, code=1)
    assert document["summary"]["failed"] == 1 and document["summary"]["activations"] == 3
    errors = document["errors"]  # one per problem, each with its place
    assert all(e["source"].endswith("broken.yaml") for e in errors)
    [mode] = [e for e in errors if "sideways" in e["message"]]
    assert mode["file"].endswith("broken.yaml") and mode["field"] == "mode"
    assert mode["row"] == 4 and mode["column"] > 0
    assert [p["activation"] for p in document["plans"]] == ["lms", "sis"]


@pytest.mark.parametrize(
    ("setup", "expected"),
    [("nothing", 0), ("change", 2), ("blocked", 3), ("blocked+error", 1)],
)
def test_the_exit_code_sums_up_every_activation(
    imported: Passport, setup: str, expected: int
) -> None:
    if setup != "nothing":
        add_lms(imported.configs, imported.root / "lms-bundle")
    if "blocked" in setup:
        drop_enrollments(imported.root / "sis-bundle", 0.5)
    if "error" in setup:
        (imported.configs / "broken.yaml").write_text(BROKEN)
    for fmt in ("text", "json", "markdown", "html"):
        imported("plan", "--detailed-exitcode", "--format", fmt, code=expected)


def test_markdown_and_html_cover_the_set(imported: Passport) -> None:
    add_lms(imported.configs, imported.root / "lms-bundle")
    (imported.configs / "broken.yaml").write_text(BROKEN)
    markdown = imported("plan", "--format", "markdown", code=1).stdout
    assert markdown.startswith("<!-- passport-plan: broken lms sis -->\n")
    assert "**`broken`: plan failed**" in markdown and "| `sis` | | no changes |" in markdown
    assert "<summary><b>lms</b>" in markdown and "```diff" in markdown
    html = imported("plan", "--format", "html", code=1).stdout
    assert html.startswith("<!doctype html>") and "broken: plan failed" in html
    assert html.count('<section class="plan"') == 2


def test_out_saves_one_file_per_activation_in_a_folder(imported: Passport) -> None:
    add_lms(imported.configs, imported.root / "lms-bundle")
    result = imported("plan", "--out", "plans", "--format", "markdown")
    assert "The full plan" not in result.stdout or "`plans`" in result.stdout
    assert "Saved the plan to plans/lms.json" in result.stderr
    saved = sorted(p.name for p in (imported.root / "plans").iterdir())
    assert saved == ["lms.json", "sis.json"]
    for name in saved:
        valid(json.loads((imported.root / "plans" / name).read_text()))
    imported("apply", "plans/lms.json")
    imported("plan", "lms", "--detailed-exitcode", code=0)
    refused = imported("plan", "--out", "one.json", code=1)
    assert "name a folder" in refused.output and "Usage:" not in refused.output
