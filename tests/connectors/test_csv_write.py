"""Writing bundles: bulk and delta, 1.1 and 1.2, atomically, and reading them back."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from district_files import add_lms, district
from passport_cli import Passport

from passport.connectors.base import ConnectContext, WriteOp
from passport.connectors.oneroster_csv.connector import CsvConnector, connect
from passport.connectors.oneroster_csv.snapshot import CsvSnapshot
from passport.connectors.oneroster_csv.writer import write_bundle
from passport.errors import BundleError
from passport.model import Action, Record
from passport.oneroster import ENTITIES

BUNDLES = Path(__file__).resolve().parent.parent / "bundles"
NOW = "2025-09-01T00:00:00.000Z"


def read_all(path: Path) -> dict[str, list[Record]]:
    snap = CsvSnapshot(path, ENTITIES)
    try:
        return {e: list(snap.read(e)) for e in ENTITIES if snap.mode(e) != "absent"}
    finally:
        snap.close()


def files(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.iterdir())}


@pytest.mark.parametrize("target", ["out", "out.zip"])
def test_round_trip_11(tmp_path: Path, target: str) -> None:
    records = read_all(BUNDLES / "good-1.1")
    write_bundle(tmp_path / target, records, version="1.1")
    assert read_all(tmp_path / target) == records


def test_round_trip_12(tmp_path: Path) -> None:
    records = read_all(BUNDLES / "good-1.2")
    write_bundle(tmp_path / "out", records, version="1.2")
    assert read_all(tmp_path / "out") == records
    header = (tmp_path / "out" / "users.csv").read_text().splitlines()[0]
    assert "role" not in header.split(",") and "pronouns" in header
    assert (tmp_path / "out" / "roles.csv").read_text().splitlines() == [
        "sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,"
        "orgSourcedId,userProfileSourcedId",
        "r1,active,2025-08-01T12:00:00Z,u1,primary,student,2025-08-20,,s1,",
        "r2,active,2025-08-02T08:30:00Z,u2,secondary,aide,,,d1,",
        "r3,active,2025-08-02T08:30:00Z,u2,primary,teacher,,,s1,",
    ]


def test_values_written_are_the_canonical_fields(tmp_path: Path) -> None:
    user = Record(
        "u1",
        {
            "enabledUser": "true",
            "orgSourcedIds": ["s1", "s2"],
            "role": "student",
            "username": "jdoe",
            "userIds": ["LDAP:jdoe", "SIS:1234"],
            "givenName": "Jamie",
            "familyName": "Doe, Jr.",
        },
    )
    write_bundle(tmp_path / "out", {"users": [user]})
    assert (tmp_path / "out" / "users.csv").read_text().splitlines()[1] == (
        'u1,,,true,"s1,s2",student,jdoe,"{LDAP:jdoe},{SIS:1234}",Jamie,"Doe, Jr.",,,,,,,,'
    )


def test_manifest(tmp_path: Path) -> None:
    write_bundle(tmp_path / "out", {"orgs": [Record("d1", {"name": "D", "type": "district"})]})
    assert (tmp_path / "out" / "manifest.csv").read_text().splitlines() == [
        "propertyName,value",
        "manifest.version,1.0",
        "oneroster.version,1.1",
        "file.academicSessions,absent",
        "file.categories,absent",
        "file.classes,absent",
        "file.classResources,absent",
        "file.courses,absent",
        "file.courseResources,absent",
        "file.demographics,absent",
        "file.enrollments,absent",
        "file.lineItems,absent",
        "file.orgs,bulk",
        "file.resources,absent",
        "file.results,absent",
        "file.users,absent",
        "source.systemName,passport",
        "source.systemCode,passport",
    ]


def connector(path: Path, **delivery: str) -> CsvConnector:
    ctx = ConnectContext(base_dir=str(path.parent), extra={"clock": lambda: NOW})
    return connect({"path": path.name, **delivery}, ctx)


OWN = "2025-08-15T09:00:00Z"  # a record's own dateLastModified, as the store holds it
OPS = [
    WriteOp("orgs", Action.UPDATE, "s1", {"name": "Lincoln HS", "type": "school"}, OWN),
    WriteOp("enrollments", Action.DELETE, "e2"),
    WriteOp(
        "enrollments",
        Action.CREATE,
        "e3",
        {"classSourcedId": "k1", "schoolSourcedId": "s1", "userSourcedId": "u3", "role": "aide"},
    ),
]


def test_bulk_write_applies_ops_to_the_current_bundle(tmp_path: Path) -> None:
    path = tmp_path / "app"
    shutil.copytree(BUNDLES / "good-1.1", path)
    before = read_all(path)
    results = connector(path).write(OPS)
    assert [r.ok for r in results] == [True, True, True]
    after = read_all(path)
    assert after["users"] == before["users"]
    # the record's own date, not the export's time
    assert after["orgs"][1] == Record("s1", {"name": "Lincoln HS", "type": "school"}, OWN)
    assert after["enrollments"][1].modified is None  # none given: none written (bulk)
    assert [e.key for e in after["enrollments"]] == ["e1", "e3"]
    assert after["users"][0].fields["metadata.homeroom"] == "H101"  # extension column kept


def test_delta_write_holds_just_the_ops(tmp_path: Path) -> None:
    path = tmp_path / "app.zip"
    connector(path, processing="delta").write(OPS)
    snap = CsvSnapshot(path, ENTITIES)
    assert snap.mode("orgs") == "delta" and snap.mode("users") == "absent"
    assert list(snap.read("enrollments")) == [
        Record("e2", {}, NOW, deleted=True),
        Record("e3", dict(OPS[2].fields or {}), NOW),
    ]


def test_delta_rows_carry_status_and_date(tmp_path: Path) -> None:
    connector(tmp_path / "app", processing="delta").write(OPS)
    lines = (tmp_path / "app" / "enrollments.csv").read_text().splitlines()
    assert lines[1] == f"e2,tobedeleted,{NOW},,,,,,,"
    assert lines[2] == f"e3,active,{NOW},k1,s1,u3,aide,,,"


def test_a_value_that_cannot_be_written_leaves_the_old_bundle(tmp_path: Path) -> None:
    path = tmp_path / "app"
    shutil.copytree(BUNDLES / "good-1.1", path)
    before = files(path)
    bad = WriteOp("orgs", Action.UPDATE, "s1", {"name": "Lincoln \udc80", "type": "school"})
    with pytest.raises(BundleError, match=r"orgs\.csv: record 's1' has a value that cannot be"):
        connector(path).write([bad])
    assert files(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app"]  # no temp left behind


@pytest.mark.parametrize("target", ["app", "app.zip"])
def test_a_failed_rename_leaves_the_old_bundle(
    tmp_path: Path, target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / target
    write_bundle(path, {"orgs": [Record("d1", {"name": "Old", "type": "district"})]})
    before = read_all(path)

    def fail(*args: object) -> None:
        raise OSError("disk on fire")

    monkeypatch.setattr(os, "replace", fail)
    monkeypatch.setattr(os, "rename", fail)
    with pytest.raises(BundleError, match="disk on fire"):
        connector(path).write(OPS[:1])
    monkeypatch.undo()
    assert read_all(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [target]


def test_fields_that_are_not_columns_are_refused(tmp_path: Path) -> None:
    op = WriteOp("orgs", Action.CREATE, "x", {"name": "X", "type": "school", "colour": "red"})
    with pytest.raises(BundleError, match="fields that are not columns: colour"):
        connector(tmp_path / "app").write([op])
    assert not (tmp_path / "app").exists()


def test_an_empty_folder_is_an_export_target_not_an_import_source(tmp_path: Path) -> None:
    (tmp_path / "lms").mkdir()
    context = ConnectContext(base_dir=str(tmp_path), mode="export", extra={"clock": lambda: NOW})
    export = connect({"path": "lms"}, context)
    snap = export.snapshot(["users"])
    assert list(snap.read("users")) == [] and not snap.is_complete("users")
    user = {
        "enabledUser": "true",
        "orgSourcedIds": ["s1"],
        "role": "student",
        "username": "a",
        "givenName": "Ann",
        "familyName": "Lee",
    }
    export.write([WriteOp("users", Action.CREATE, "u1", user)])
    export.close()
    assert read_all(tmp_path / "lms")["users"] == [Record("u1", user)]
    (tmp_path / "sis").mkdir()
    for mode in ("import", "two-way"):
        source = connect({"path": "sis"}, ConnectContext(base_dir=str(tmp_path), mode=mode))
        with pytest.raises(BundleError, match=r"the OneRoster bundle .* is empty"):
            source.snapshot(["users"])


def test_passport_exports_into_an_empty_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    configs = district(tmp_path, users=20)
    (tmp_path / "lms-bundle").mkdir()  # made ready for the export, e.g. kept in git
    add_lms(configs, tmp_path / "lms-bundle")
    passport = Passport(tmp_path)
    passport("apply", "sis", "--yes")
    passport("apply", "lms", "--yes")
    assert [r.key for r in read_all(tmp_path / "lms-bundle")["orgs"]] == [
        "district",
        "lms-001",
        "lms-002",
    ]
    passport("plan", "lms", "--detailed-exitcode")  # exit 0: nothing left to do
