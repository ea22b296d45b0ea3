"""OneRoster JSON <-> canonical records, and the service's error envelopes, without a server."""

from __future__ import annotations

import orjson
import pytest

from passport.connectors.oneroster_rest import shapes
from passport.connectors.oneroster_rest.problems import Redactor, failure, parse_status
from passport.mapping.fields import OneRosterFields, SchoolIds

BASE = "https://sis.example.edu/ims/oneroster/rostering/v1p2"


def ref(kind: str, key: str) -> dict[str, str]:
    return {"href": f"{BASE}/{kind}s/{key}", "sourcedId": key, "type": kind}


USER_12 = {
    "sourcedId": "u1",
    "status": "active",
    "dateLastModified": "2026-01-02T03:04:05.678Z",
    "enabledUser": "TRUE",
    "username": "ada",
    "userIds": [{"type": "LDAP", "identifier": "ada"}, {"type": "", "identifier": "4711"}],
    "givenName": "Ada",
    "familyName": "Lovelace",
    "preferredFirstName": "Addie",
    "roles": [
        {"roleType": "secondary", "role": "teacher", "org": ref("org", "sch-2")},
        {
            "roleType": "primary",
            "role": "aide",
            "org": ref("org", "sch-1"),
            "beginDate": "2025-08-01",
        },
    ],
    "primaryOrg": ref("org", "sch-1"),
    "agents": [ref("user", "p1")],
    "grades": "09, 10",
    "userProfiles": [{"profileId": "x"}],
    "metadata": {"district.house": "north"},
}
USER_11 = {
    "sourcedId": "u2",
    "status": "tobedeleted",
    "enabledUser": False,
    "role": "student",
    "orgs": [ref("org", "sch-1"), "sch-2"],
    "password": "hunter2",
    "email": "",
}


def test_a_1_2_user_folds_its_roles_and_keeps_its_1_2_fields() -> None:
    rec = shapes.record("users", USER_12)
    assert rec.key == "u1" and rec.modified == "2026-01-02T03:04:05.678Z" and not rec.deleted
    assert rec.fields == {
        "enabledUser": "true",
        "username": "ada",
        "userIds": ["LDAP:ada", "4711"],
        "givenName": "Ada",
        "familyName": "Lovelace",
        "preferredGivenName": "Addie",
        "role": "aide",  # the primary role, wherever it is listed
        "orgSourcedIds": ["sch-2", "sch-1"],  # every org with a role, in order
        "primaryOrgSourcedId": "sch-1",
        "agentSourcedIds": ["p1"],
        "grades": ["09", "10"],
        # every role as read, in order, the secondary one too
        "roles": [
            '{"orgSourcedId":"sch-2","role":"teacher","roleType":"secondary"}',
            '{"beginDate":"2025-08-01","orgSourcedId":"sch-1","role":"aide","roleType":"primary"}',
        ],
        "userProfiles": ['{"sourcedId":"x"}'],
        "metadata.district.house": "north",  # the metadata object, as extension fields
    }


def test_a_1_1_user_reads_role_and_orgs_and_never_a_password() -> None:
    rec = shapes.record("users", USER_11)
    assert rec.deleted
    assert rec.fields == {
        "enabledUser": "false",
        "role": "student",
        "orgSourcedIds": ["sch-1", "sch-2"],
    }


@pytest.mark.parametrize("status", ["tobedeleted", "inactive", "TOBEDELETED"])
def test_deleted_statuses(status: str) -> None:
    assert shapes.record("orgs", {"sourcedId": "o", "status": status}).deleted


def test_a_record_without_sourced_id_is_refused() -> None:
    with pytest.raises(shapes.NoKey):
        shapes.record("classes", {"title": "Algebra"})


def test_references_and_numbers_read_as_strings() -> None:
    raw = {
        "sourcedId": "c1",
        "course": ref("course", "crs"),
        "school": "sch-1",
        "terms": [ref("academicSession", "t1"), {"sourcedId": "t2"}],
        "periods": [1, 2],
        "grades": [],
    }
    assert shapes.record("classes", raw).fields == {
        "courseSourcedId": "crs",
        "schoolSourcedId": "sch-1",
        "termSourcedIds": ["t1", "t2"],
        "periods": ["1", "2"],
    }


@pytest.mark.parametrize("version", ["1.1", "1.2"])
@pytest.mark.parametrize("raw", [USER_12, {**USER_11, "status": "active"}])
def test_what_is_written_reads_back_the_same(version: str, raw: dict[str, object]) -> None:
    """A record written as the version holds it reads back the same."""
    rec = shapes.record("users", raw)
    view = OneRosterFields(SchoolIds({}, {}, False), version, rest=True)
    fields = view.fields_to_app("users", rec.key, rec.fields)
    fields = {**fields, "userIds": [i for i in fields.get("userIds") or () if ":" in i]}
    fields = {k: v for k, v in fields.items() if v}
    body = shapes.body("users", rec.key, fields, version=version, base_url=BASE, now="N")
    back = shapes.record("users", orjson.loads(orjson.dumps(body))).fields
    assert view.fields_to_app("users", rec.key, back) == fields
    assert body["status"] == "active" and body["dateLastModified"] == "N"


def test_a_record_keeps_its_own_date_and_never_sends_an_empty_type() -> None:
    rec = shapes.record("users", USER_12)
    body = shapes.body(
        "users", "u1", rec.fields, version="1.2", base_url=BASE, now="N", modified=rec.modified
    )
    assert body["dateLastModified"] == "2026-01-02T03:04:05.678Z"
    assert body["userIds"] == [{"type": "LDAP", "identifier": "ada"}]


def test_1_1_writes_json_booleans_and_1_2_writes_strings() -> None:
    fields = {"classSourcedId": "c", "userSourcedId": "u", "role": "student", "primary": "false"}
    old = shapes.body("enrollments", "e", fields, version="1.1", base_url=BASE, now="N")
    new = shapes.body("enrollments", "e", fields, version="1.2", base_url=BASE, now="N")
    assert old["primary"] is False and new["primary"] == "false"
    assert new["class"] == {"href": f"{BASE}/classes/c", "sourcedId": "c", "type": "class"}


def test_an_update_keeps_what_passport_does_not_own() -> None:
    fields = dict(shapes.record("users", USER_12).fields)
    fields["givenName"] = "Augusta"
    del fields["preferredGivenName"]
    body = shapes.body("users", "u1", fields, version="1.2", base_url=BASE, now="N", raw=USER_12)
    assert body["givenName"] == "Augusta"
    assert "preferredFirstName" not in body  # owned, and now absent
    assert body["metadata"] == {"district.house": "north"}
    # roles are written as they were read: both of them, each with its own type and org
    assert [(r["roleType"], r["role"], r["org"]["sourcedId"]) for r in body["roles"]] == [
        ("secondary", "teacher", "sch-2"),
        ("primary", "aide", "sch-1"),
    ]
    assert body["roles"][1]["beginDate"] == "2025-08-01"
    assert [p["profileId"] for p in body["userProfiles"]] == ["x"]


def envelope(**data: object) -> bytes:
    return orjson.dumps(data)


NESTED = envelope(
    imsx_codeMajor="failure",
    imsx_description="bad token",
    imsx_CodeMinor={
        "imsx_codeMinorField": [
            {
                "imsx_codeMinorFieldName": "TargetEndSystem",
                "imsx_codeMinorFieldValue": "unauthorisedrequest",
            }
        ]
    },
)


@pytest.mark.parametrize(
    ("body", "code", "description"),
    [
        (NESTED, "unauthorisedrequest", "bad token"),
        (envelope(imsx_codeMajor="failure", imsx_codeMinor="forbidden"), "forbidden", None),
        (envelope(statusInfoSet=[{"imsx_codeMinor": "unknownobject"}]), "unknownobject", None),
        (envelope(error="invalid_client", error_description="nope"), "invalid_client", "nope"),
        (b"<html>Bad Gateway</html>", None, None),
        (b"", None, None),
    ],
)
def test_status_envelopes_are_read_leniently(
    body: bytes, code: str | None, description: str | None
) -> None:
    assert parse_status(body) == (code, description)


def test_a_failure_reads_as_status_url_code_and_what_to_check() -> None:
    url = "https://host/ims/oneroster/rostering/v1p2/users?limit=100&offset=0"
    assert failure(401, url, NESTED) == (
        "401 from https://host/ims/oneroster/rostering/v1p2/users: unauthorisedrequest "
        "(bad token) — check client_id and client_secret"
    )
    assert failure(502, "https://h/x", b"<html/>", "Bad Gateway") == (
        "502 from https://h/x: Bad Gateway — the service failed; try again later"
    )


def test_the_redactor_hides_every_credential_it_knows() -> None:
    redact = Redactor()
    redact.add("s3cr3t-value")
    redact.add("abc")  # too short to hide safely; never put in messages anyway
    assert redact("token s3cr3t-value in abc") == "token *** in abc"
