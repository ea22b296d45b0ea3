"""Reading OneRoster 1.1 and 1.2 bundles into canonical Records."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from passport.connectors.base import ConnectContext
from passport.connectors.oneroster_csv.connector import connect
from passport.connectors.oneroster_csv.snapshot import CsvSnapshot
from passport.errors import BundleError
from passport.model import Record
from passport.oneroster import ENTITIES

BUNDLES = Path(__file__).resolve().parent.parent / "bundles"

JAMIE_11 = Record(
    "u1",
    {
        "enabledUser": "true",
        "orgSourcedIds": ["s1"],
        "role": "student",
        "username": "jdoe",
        "userIds": ["LDAP:jdoe", "SIS:1234"],
        "givenName": "Jamie",
        "familyName": "Doe",
        "identifier": "1234",
        "email": "jdoe@example.edu",
        "agentSourcedIds": ["u3"],
        "grades": ["9"],
        "metadata.homeroom": "H101",
    },
    "2025-08-01T12:00:00Z",
)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def read_all(path: Path) -> dict[str, list[Record]]:
    snap = CsvSnapshot(path, ENTITIES)
    try:
        return {entity: list(snap.read(entity)) for entity in ENTITIES}
    finally:
        snap.close()


def test_reads_a_11_bundle() -> None:
    records = read_all(BUNDLES / "good-1.1")
    assert [len(records[e]) for e in ENTITIES] == [2, 2, 1, 1, 3, 1, 2]
    assert records["users"][0] == JAMIE_11
    assert records["users"][2].fields["orgSourcedIds"] == ["d1", "s1"]  # quoted "d1,s1"
    assert records["courses"][0].fields["grades"] == ["9", "10"]
    assert records["classes"][0].fields["termSourcedIds"] == ["t1"]
    assert records["enrollments"][1] == Record(
        "e2",
        {
            "classSourcedId": "k1",
            "schoolSourcedId": "s1",
            "userSourcedId": "u2",
            "role": "teacher",
            "primary": "true",
        },
    )
    assert records["orgs"][0] == Record("d1", {"name": "Riverbend District", "type": "district"})


def test_reads_a_12_bundle_folding_roles() -> None:
    snap = CsvSnapshot(BUNDLES / "good-1.2", ENTITIES)
    users = list(snap.read("users"))
    assert snap.version == "1.2"
    assert users[0] == Record(
        "u1",
        {
            "status": "active",
            "enabledUser": "true",
            "orgSourcedIds": ["s1"],
            "role": "student",
            "username": "jdoe",
            "userIds": ["LDAP:jdoe", "SIS:1234"],
            "givenName": "Jamie",
            "familyName": "Doe",
            "identifier": "1234",
            "email": "jdoe@example.edu",
            "grades": ["9"],
            "userMasterIdentifier": "M-1",
            "preferredGivenName": "Jay",
            "primaryOrgSourcedId": "s1",
            "pronouns": "they/them",
            "roles": [
                '{"beginDate":"2025-08-20","dateLastModified":"2025-08-01T12:00:00Z",'
                '"orgSourcedId":"s1","role":"student","roleType":"primary","sourcedId":"r1",'
                '"status":"active"}'
            ],
            "userProfiles": [
                '{"applicationId":"a1","credentialType":"password",'
                '"dateLastModified":"2025-08-01T12:00:00Z","profileType":"app",'
                '"sourcedId":"p1","status":"active","username":"jdoe","vendorId":"v1"}'
            ],
        },
        "2025-08-01T12:00:00Z",
    )
    # the primary role wins over an earlier secondary one; orgs keep file order; every
    # role is kept as it was read
    assert users[1].fields["role"] == "teacher"
    assert users[1].fields["orgSourcedIds"] == ["d1", "s1"]
    assert [json.loads(r)["sourcedId"] for r in users[1].fields["roles"]] == ["r2", "r3"]
    assert snap.warnings == []


def test_reads_a_zip_like_a_folder(tmp_path: Path) -> None:
    archive = tmp_path / "sis.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for file in sorted((BUNDLES / "good-1.1").iterdir()):
            zf.write(file, f"export/{file.name}")  # a zipped folder
    assert read_all(archive) == read_all(BUNDLES / "good-1.1")


def test_multi_valued_cells_drop_spaces_and_empty_items(good11: Path) -> None:
    users = good11 / "users.csv"
    edit(users, ",u3,9,,H101", ',"u3, u2",",9,, 10 ",,H101')
    edit(users, '"{LDAP:jdoe},{SIS:1234}"', '"{LDAP:jdoe}, {SIS:1234}"')
    edit(users, ",{SIS:t1},", ",{},")
    fields = {r.key: r.fields for r in read_all(good11)["users"]}
    assert fields["u1"]["agentSourcedIds"] == ["u3", "u2"]
    assert fields["u1"]["grades"] == ["9", "10"]
    assert fields["u1"]["userIds"] == ["LDAP:jdoe", "SIS:1234"]
    assert "userIds" not in fields["u2"]  # "{}" holds no id


def test_bulk_is_complete_and_absent_reads_empty(good11: Path) -> None:
    manifest = good11 / "manifest.csv"
    manifest.write_text(
        manifest.read_text().replace("file.demographics,bulk", "file.demographics,absent")
    )
    snap = CsvSnapshot(good11, ENTITIES)
    assert snap.is_complete("users")
    assert not snap.is_complete("demographics")
    assert list(snap.read("demographics")) == []
    assert [str(w) for w in snap.warnings] == [
        "demographics.csv: warning: the file is declared absent in manifest.csv and is not read"
    ]


def test_delta_rows_mark_deletes(good11: Path) -> None:
    manifest = good11 / "manifest.csv"
    manifest.write_text(
        manifest.read_text().replace("file.enrollments,bulk", "file.enrollments,delta")
    )
    (good11 / "enrollments.csv").write_text(
        "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role\n"
        "e1,tobedeleted,2025-09-01T00:00:00Z,,,,\n"
        "e7,inactive,2025-09-02T00:00:00Z,k1,s1,u1,student\n"
        "e8,active,2025-09-03T00:00:00.000Z,k5,s1,u8,student\n"  # refers elsewhere: fine
    )
    snap = CsvSnapshot(good11, ["enrollments"])
    rows = list(snap.read("enrollments"))
    assert not snap.is_complete("enrollments")
    assert rows[0] == Record("e1", {}, "2025-09-01T00:00:00Z", deleted=True)
    assert rows[1].deleted and rows[1].fields["classSourcedId"] == "k1"
    assert not rows[2].deleted
    assert snap.watermark("enrollments") == "2025-09-03T00:00:00.000Z"


def test_keys_reads_only_those_records() -> None:
    snap = CsvSnapshot(BUNDLES / "good-1.1", ENTITIES)
    assert [r.key for r in snap.read("users", keys={"u2", "nope"})] == ["u2"]
    assert [r.key for r in snap.read("users")] == ["u1", "u2", "u3"]


def test_references_checked_in_any_read_order() -> None:
    snap = CsvSnapshot(BUNDLES / "bad-unknown-user", ENTITIES)
    list(snap.read("enrollments"))  # users.csv not read yet: its keys are read on demand
    assert [f"{h.place()}: {h.reason}" for h in snap.held("enrollments")] == [
        "enrollments.csv:2:6: unknown user 'u9' (not in users.csv)"
    ]


def test_no_manifest_reads_present_files_as_bulk(good11: Path) -> None:
    (good11 / "manifest.csv").unlink()
    (good11 / "demographics.csv").unlink()
    snap = CsvSnapshot(good11, ENTITIES)
    assert snap.is_complete("users") and not snap.is_complete("demographics")
    assert len(list(snap.read("users"))) == 3
    assert [str(w) for w in snap.warnings] == [
        "manifest.csv: warning: the bundle has no manifest.csv; the files present are read as bulk"
    ]


def test_connect_resolves_path_against_base_dir(tmp_path: Path) -> None:
    shutil.copytree(BUNDLES / "good-1.1", tmp_path / "sis")
    connector = connect({"path": "sis"}, ConnectContext(base_dir=str(tmp_path)))
    snap = connector.snapshot(["orgs"])
    assert [r.key for r in snap.read("orgs")] == ["d1", "s1"]
    connector.close()


def test_missing_export_target_reads_empty_but_missing_import_source_fails(
    tmp_path: Path,
) -> None:
    export = connect({"path": "lms"}, ConnectContext(base_dir=str(tmp_path), mode="export"))
    snap = export.snapshot(["users"])
    assert list(snap.read("users")) == [] and not snap.is_complete("users")
    imported = connect({"path": "lms"}, ConnectContext(base_dir=str(tmp_path), mode="import"))
    with pytest.raises(BundleError, match="no OneRoster bundle at"):
        imported.snapshot(["users"])
