"""The privacy audit after real applies: it says exactly what the application received,
counted in the bundle it was written, and nothing that was never shared."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from district_files import district, edit_csv, read_rows
from jsonschema import Draft202012Validator
from passport_cli import BOTH_STORES, Passport

ROOT = Path(__file__).parents[2]
SCHEMA = json.loads((ROOT / "schemas" / "privacy.schema.json").read_text())

LMS = """\
version: 1
name: lms
application: oneroster-csv
mode: export
delivery:
  path: {target}
  processing: bulk
schools:
  map:
    - {{app: sch-001, store: sch-001}}
attributes:
  orgs: all
  academicSessions: all
  courses: all
  classes: all
  users: [enabledUser, orgSourcedIds, role, username, givenName, familyName, email, grades]
  enrollments: all
privacy_shield:
  enabled: true
  level: 2
  key: ${{file:shield.key}}
privacy:
  agreement: agreements/lms.yaml
"""

AGREEMENT = """\
version: 1
vendor: Example LMS
signed: 2025-07-01
expires: 2099-06-30
allow:
  - category: organisation
  - category: course-catalogue
  - category: enrollment
  - category: schedule
  - category: identifiers
  - category: name
    treatment: pseudonymised
  - category: contact
    treatment: pseudonymised
"""


def set_up(passport: Passport) -> Path:
    configs = district(passport.root, users=60)
    target = passport.root / "lms-out"
    (configs / "lms.yaml").write_text(LMS.format(target=target))
    (configs / "shield.key").write_text("an-example-shield-key-for-tests\n")
    (configs / "agreements").mkdir()
    (configs / "agreements" / "lms.yaml").write_text(AGREEMENT)
    passport("apply", "sis", "--yes")
    return target


def privacy(passport: Passport, *args: str, code: int = 0) -> Any:
    full = ["privacy", *args, "--configs", str(passport.configs)]
    if args[0] == "audit":
        full += ["--store", passport.store_url]
    result = passport(*full, "--format", "json", code=code)
    document = json.loads(result.stdout)
    Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER).validate(
        document
    )
    return document


def received(bundle: Path) -> Counter[tuple[str, str]]:
    """(entity, field) -> how many records of the written bundle carry a value for it."""
    counts: Counter[tuple[str, str]] = Counter()
    for entity in ("orgs", "academicSessions", "courses", "classes", "users", "enrollments"):
        for row in read_rows(bundle / f"{entity}.csv"):
            for name, value in row.items():
                if value and name not in ("status", "dateLastModified"):
                    counts[(entity, name)] += 1
    return counts


def audited(document: Any) -> Counter[tuple[str, str]]:
    return Counter({(f["entity"], f["field"]): f["records"] for f in document["fields"]})


@BOTH_STORES
def test_the_audit_equals_what_the_application_received(passport: Passport) -> None:
    target = set_up(passport)
    passport("apply", "lms", "--yes")
    audit = privacy(passport, "audit", "--application", "lms")
    assert audit["activation"] == "lms" and len(audit["runs"]) == 1
    assert audited(audit) == received(target)
    assert audited(audit)[("users", "sourcedId")] == len(read_rows(target / "users.csv")) > 10


@BOTH_STORES
def test_a_field_never_shared_never_appears_in_the_audit(passport: Passport) -> None:
    set_up(passport)
    passport("apply", "lms", "--yes")
    audit = privacy(passport, "audit")
    report = privacy(passport, "report", "lms")
    (inventory,) = report["activations"]
    sent = {
        (f["entity"], f["field"]): f["treatment"]
        for f in inventory["fields"]
        if f["treatment"] in ("raw", "generalised", "pseudonymised")
    }
    in_audit = {(f["entity"], f["field"]): f["treatment"] for f in audit["fields"]}
    # Each field the application got is one the report says it gets, in the same form
    # (a field with no value in this district, like subjectCodes, is not sent at all).
    assert in_audit.items() <= sent.items() and len(in_audit) > 30
    assert ("users", "phone") not in in_audit and ("users", "middleName") not in in_audit
    assert not [f for f in audit["fields"] if f["entity"] == "demographics"]
    assert {f["activation"] for f in audit["fields"]} == {"lms"}  # the import sent nothing


def test_the_audit_adds_up_over_runs_and_keeps_to_its_period(passport: Passport) -> None:
    set_up(passport)
    passport("apply", "lms", "--yes")
    first = {r["sourcedId"]: r for r in read_rows(passport.root / "lms-out" / "users.csv")}
    bundle = passport.root / "sis-bundle" / "users.csv"
    edit_csv(bundle, lambda rows: [{**r, "username": r["username"] + "x"} for r in rows])
    passport("apply", "sis", "--yes")
    passport("apply", "lms", "--yes")
    second = read_rows(passport.root / "lms-out" / "users.csv")
    updated = sum(1 for r in second if r != first.get(r["sourcedId"]))
    audit = privacy(passport, "audit", "--application", "lms")
    assert len(audit["runs"]) == 2 and updated > 5
    assert audited(audit)[("users", "username")] == len(first) + updated
    today = date.today()
    later = privacy(passport, "audit", "--since", (today + timedelta(days=1)).isoformat())
    assert later["runs"] == [] and later["fields"] == []
    text = passport(
        "privacy",
        "audit",
        "--until",
        (today - timedelta(days=1)).isoformat(),
        "--store",
        passport.store_url,
    ).stdout
    assert "Nothing was sent in this period." in text


def test_an_expired_agreement_stops_the_export(passport: Passport) -> None:
    set_up(passport)
    agreement = passport.configs / "agreements" / "lms.yaml"
    agreement.write_text(
        AGREEMENT.replace("2025-07-01", "2020-07-01").replace("2099-06-30", "2021-06-30")
    )
    plan = passport("plan", "lms").stdout
    assert "the privacy agreement" in plan and "expired on 2021-06-30: nothing is exported" in plan
    passport("apply", "lms", "--yes")
    assert not (passport.root / "lms-out" / "users.csv").exists()
    audit = privacy(passport, "audit", "--application", "lms")
    assert audit["fields"] == []


def test_plan_refuses_an_activation_beyond_its_agreement(passport: Passport) -> None:
    set_up(passport)
    lms = passport.configs / "lms.yaml"
    lms.write_text(lms.read_text().replace("email, grades]", "email, grades, phone]"))
    result = passport("plan", "lms", code=1)
    assert "lms.yaml: plan failed" in result.stderr
    assert "is not a valid activation (1 error)" in result.stderr
    assert "sends users.phone (contact) raw" in passport("validate", str(lms), code=1).stdout
