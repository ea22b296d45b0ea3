"""What passport sends a OneRoster 1.2 service, checked against the spec's component
schemas (tests/schemas/oneroster-1.2, see its README), through the CLI against a real
server on loopback: a rich 1.2 bundle imported, then exported over REST.

Also: roles are written exactly as they were read, a record the spec cannot take is held
rather than sent half-made, and listings are asked for 100 at a time, sorted."""

from __future__ import annotations

import json
import secrets
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from passport_cli import Passport

from passport.connectors.oneroster_rest import settings
from passport.connectors.oneroster_rest.settings import Tuning

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "servers"))
from oneroster import OneRosterServer
from roster_data import RosterData

TESTS = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((TESTS / "schemas" / "oneroster-1.2" / "rostering.schema.json").read_text())
COMPONENTS = {
    "orgs": "OrgDType",
    "academicSessions": "AcademicSessionDType",
    "courses": "CourseDType",
    "classes": "ClassDType",
    "users": "UserDType",
    "demographics": "DemographicsDType",
    "enrollments": "EnrollmentDType",
}
ID, SECRET = "spec-id-" + secrets.token_hex(6), "spec-secret-" + secrets.token_hex(12)
ALL = "{orgs: all, academicSessions: all, courses: all, classes: all, users: all, demographics: all, enrollments: all}"  # noqa: E501
IMPORT = """\
version: 1
name: sis
application: oneroster-csv
mode: import
delivery:
  path: ../source
schools:
  auto: same-id
attributes: {all}
"""
EXPORT = """\
version: 1
name: lms
application: oneroster-rest
mode: export
delivery:
  service_url: {url}
  auth_url: {token_url}
  client_id: ${{env:ROSTER_CLIENT_ID}}
  client_secret: ${{env:ROSTER_CLIENT_SECRET}}
  version: "1.2"
  write: true
schools:
  auto: same-id
attributes: {all}
safety:
  max_held: 100%
"""


def validator(entity: str) -> Draft202012Validator:
    schema = {**SCHEMA, "$ref": f"#/$defs/{COMPONENTS[entity]}"}
    return Draft202012Validator(schema, format_checker=FormatChecker())


@pytest.fixture
def lms(passport: Passport, monkeypatch: pytest.MonkeyPatch) -> Iterator[OneRosterServer]:
    monkeypatch.setenv("ROSTER_CLIENT_ID", ID)
    monkeypatch.setenv("ROSTER_CLIENT_SECRET", SECRET)
    monkeypatch.setattr(settings, "DEFAULT_TUNING", Tuning(retry_budget_s=5, backoff_base_s=0.01))
    with OneRosterServer(RosterData(), client_id=ID, client_secret=SECRET) as server:
        shutil.copytree(TESTS / "bundles" / "rich-1.2", passport.root / "source")
        passport.configs.mkdir()
        (passport.configs / "sis.yaml").write_text(IMPORT.format(all=ALL))
        text = EXPORT.format(url=server.service_url, token_url=server.token_url, all=ALL)
        (passport.configs / "lms.yaml").write_text(text)
        yield server


def export(passport: Passport) -> dict[str, Any]:
    passport("apply", "sis", "--yes")
    body: dict[str, Any] = json.loads(passport("plan", "lms", "--format", "json").stdout)
    passport("apply", "lms", "--yes")
    return body


def test_every_payload_passport_sends_matches_the_1_2_schemas(
    passport: Passport, lms: OneRosterServer
) -> None:
    export(passport)
    sent = list(lms.bodies)
    assert {entity for _, entity, _ in sent} == set(COMPONENTS)
    for version, entity, record in sent:
        assert version == "1.2"
        errors = [f"{e.json_path}: {e.message}" for e in validator(entity).iter_errors(record)]
        assert not errors, (entity, record["sourcedId"], errors)


def test_roles_are_written_as_read_and_links_point_at_their_service(
    passport: Passport, lms: OneRosterServer
) -> None:
    export(passport)
    users = {r["sourcedId"]: r for _, e, r in lms.bodies if e == "users"}
    roles = [(r["roleType"], r["role"], r["org"]["sourcedId"]) for r in users["tch-1"]["roles"]]
    assert roles == [
        ("primary", "teacher", "sch-a"),
        ("secondary", "guardian", "sch-a"),  # a second role at the same org
        ("secondary", "siteAdministrator", "sch-b"),
    ]
    first = users["tch-1"]["roles"][0]
    assert (first["beginDate"], first["endDate"], first["userProfile"]) == (
        "2024-08-01",
        "2025-06-30",
        "prof-1",
    )
    assert users["tch-1"]["dateLastModified"] == "2024-07-01T10:00:00Z"  # its own date
    assert users["stu-1"]["metadata"] == {"ext_lunch": "free"}
    [resource] = users["tch-1"]["resources"][:1]
    assert resource["href"] == f"{lms.service_url}/resources/v1p2/resources/res-1"
    assert users["tch-1"]["primaryOrg"]["href"].startswith(f"{lms.service_url}/rostering/v1p2/")
    # and the service then holds what the store holds: nothing left to do
    passport("plan", "lms", "--detailed-exitcode", code=0)


def test_a_record_the_spec_cannot_take_is_held_not_sent(
    passport: Passport, lms: OneRosterServer
) -> None:
    orgs = passport.root / "source" / "orgs.csv"
    orgs.write_text(orgs.read_text().replace("Birch Middle,school,102,", "Birch Middle,school,,"))
    plan = export(passport)
    [held] = [h for h in plan["held"] if h["entity"] == "orgs"]
    assert (held["key"], held["direction"]) == ("sch-b", "export")
    assert "requires identifier" in held["reason"]
    assert "sch-b" not in {r["sourcedId"] for _, e, r in lms.bodies if e == "orgs"}


def test_listings_ask_100_at_a_time_sorted_by_sourced_id(
    passport: Passport, lms: OneRosterServer
) -> None:
    export(passport)
    listed = lms.calls("GET", "/rostering/v1p2/users?")
    assert listed and all("limit=100" in t and "sort=sourcedId" in t for t, _ in listed)
