"""One fixture per bundle that cannot be read: each error names file, row and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from passport.connectors.oneroster_csv.snapshot import CsvSnapshot
from passport.errors import BundleError
from passport.oneroster import ENTITIES

BUNDLES = Path(__file__).resolve().parent.parent / "bundles"

# Bundles whose files cannot be read: refused, every problem with its place.
REFUSED = {
    "bad-missing-column": ["users.csv:1: givenName: missing required column 'givenName'"],
    "bad-missing-file": [
        "users.csv: manifest.csv declares users.csv as bulk but the bundle has no users.csv; "
        "the bundle looks truncated"
    ],
    "bad-encoding": [
        "users.csv:3:9: givenName: the cell holds bytes that are not UTF-8: b'Al\\xe9x'"
    ],
    "bad-delta-columns": [
        "enrollments.csv:1: status: missing required column 'status'",
        "enrollments.csv:1: dateLastModified: missing required column 'dateLastModified'",
    ],
}

# Bundles with rows that fail a check: those rows are held (entity, key, place, reason),
# everything else reads.
HELD = {
    "bad-date": [
        "academicSessions t1 academicSessions.csv:3:6: startDate: "
        "'2025-13-01' is not a date (YYYY-MM-DD)"
    ],
    "bad-datetime": [
        "users u2 users.csv:3:3: dateLastModified: 'yesterday' is not an ISO 8601 date-time"
    ],
    "bad-boolean": ["users u2 users.csv:3:4: enabledUser: 'yes' is not a boolean (true or false)"],
    "bad-duplicate": ["enrollments e1 enrollments.csv:3:1: sourcedId: duplicate sourcedId 'e1'"],
    "bad-unknown-school": [
        "classes k1 classes.csv:2:10: schoolSourcedId: unknown org 's9' (not in orgs.csv)"
    ],
    "bad-unknown-course": [
        "classes k1 classes.csv:2:6: courseSourcedId: unknown course 'c9' (not in courses.csv)"
    ],
    "bad-unknown-session": [
        "classes k1 classes.csv:2:11: termSourcedIds: "
        "unknown academic session 't7' (not in academicSessions.csv)"
    ],
    "bad-unknown-class": [
        "enrollments e2 enrollments.csv:3:4: classSourcedId: "
        "unknown class 'k9' (not in classes.csv)"
    ],
    "bad-unknown-user": [
        "enrollments e1 enrollments.csv:2:6: userSourcedId: unknown user 'u9' (not in users.csv)"
    ],
    "bad-ragged": [
        "enrollments e2 enrollments.csv:3: the row has 11 cells but the header has 10 columns"
    ],
    # A header-only bulk file is read as listing nothing: what refers to it is held.
    "bad-empty-bulk": [
        "enrollments e1 enrollments.csv:2:6: userSourcedId: unknown user 'u1' (not in users.csv)",
        "enrollments e2 enrollments.csv:3:6: userSourcedId: unknown user 'u2' (not in users.csv)",
    ],
}


def read_everything(path: Path) -> CsvSnapshot:
    snap = CsvSnapshot(path, ENTITIES)
    try:
        for entity in ENTITIES:
            for _ in snap.read(entity):
                pass
        snap.raise_problems()
    finally:
        snap.close()
    return snap


def held_lines(snap: CsvSnapshot) -> list[str]:
    lines = []
    for entity in ENTITIES:
        for held in snap.held(entity):
            field = f" {held.field}:" if held.field else ""
            lines.append(f"{held.entity} {held.key} {held.place()}:{field} {held.reason}")
    return lines


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_bundle(name: str) -> None:
    with pytest.raises(BundleError) as caught:
        read_everything(BUNDLES / name)
    assert [str(p) for p in caught.value.problems] == REFUSED[name]
    assert caught.value.reason.startswith(f"the OneRoster bundle {BUNDLES / name} cannot be read")


@pytest.mark.parametrize("name", sorted(HELD))
def test_held_rows(name: str) -> None:
    assert held_lines(read_everything(BUNDLES / name)) == HELD[name]


def test_every_bad_fixture_has_a_case() -> None:
    fixtures = {p.name for p in BUNDLES.glob("bad-*")}
    assert fixtures == set(REFUSED) | set(HELD) | {"bad-empty-bundle", "bad-many"}


def test_bundle_without_oneroster_files() -> None:
    with pytest.raises(BundleError, match="has no OneRoster files to read"):
        read_everything(BUNDLES / "bad-empty-bundle")


def test_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(BundleError, match=r"the OneRoster bundle .* is empty"):
        read_everything(tmp_path)


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(BundleError, match="no OneRoster bundle at"):
        read_everything(tmp_path / "nope")


def test_many_held_rows_are_all_listed() -> None:
    lines = held_lines(read_everything(BUNDLES / "bad-many"))
    assert len(lines) == 60
    assert lines[0] == (
        "enrollments e1 enrollments.csv:2:9: beginDate: '2025-99-01' is not a date (YYYY-MM-DD)"
    )


def test_a_held_row_is_not_read_the_rest_is() -> None:
    snap = CsvSnapshot(BUNDLES / "bad-unknown-user", ENTITIES)
    for entity in ENTITIES[:-1]:
        list(snap.read(entity))
    keys = [record.key for record in snap.read("enrollments")]
    assert keys == ["e2"]
    assert [h.key for h in snap.held("enrollments")] == ["e1"]


def test_a_held_personal_value_is_never_shown(tmp_path: Path) -> None:
    (tmp_path / "demographics.csv").write_text(
        "sourcedId,status,dateLastModified,birthDate\nu1,,,2010-13-04\n"
    )
    snap = CsvSnapshot(tmp_path, ["demographics"])
    list(snap.read("demographics"))
    [held] = snap.held("demographics")
    assert held.reason == "the value is not a date (YYYY-MM-DD)"
    assert "2010-13-04" not in repr(held)
