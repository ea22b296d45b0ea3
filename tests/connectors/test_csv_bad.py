"""One fixture per bundle that cannot be read: each error names file, row and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from passport.connectors.oneroster_csv.snapshot import CsvSnapshot
from passport.errors import BundleError
from passport.oneroster import ENTITIES

BUNDLES = Path(__file__).resolve().parent.parent / "bundles"

CASES = {
    "bad-missing-column": ["users.csv:1: givenName: missing required column 'givenName'"],
    "bad-date": ["academicSessions.csv:3:6: startDate: '2025-13-01' is not a date (YYYY-MM-DD)"],
    "bad-datetime": ["users.csv:3:3: dateLastModified: 'yesterday' is not an ISO 8601 date-time"],
    "bad-boolean": ["users.csv:3:4: enabledUser: 'yes' is not a boolean (true or false)"],
    "bad-duplicate": ["enrollments.csv:3:1: sourcedId: duplicate sourcedId 'e1'"],
    "bad-unknown-school": ["classes.csv:2:10: schoolSourcedId: unknown org 's9' (not in orgs.csv)"],
    "bad-unknown-course": [
        "classes.csv:2:6: courseSourcedId: unknown course 'c9' (not in courses.csv)"
    ],
    "bad-unknown-session": [
        "classes.csv:2:11: termSourcedIds: "
        "unknown academic session 't7' (not in academicSessions.csv)"
    ],
    "bad-unknown-class": [
        "enrollments.csv:3:4: classSourcedId: unknown class 'k9' (not in classes.csv)"
    ],
    "bad-unknown-user": [
        "enrollments.csv:2:6: userSourcedId: unknown user 'u9' (not in users.csv)"
    ],
    "bad-missing-file": [
        "users.csv: manifest.csv declares users.csv as bulk but the bundle has no users.csv; "
        "the bundle looks truncated"
    ],
    "bad-empty-bulk": [
        "users.csv:2: users.csv is declared bulk but has no rows; "
        "an empty bulk file would delete every user"
    ],
    "bad-ragged": ["enrollments.csv:3: the row has 11 cells but the header has 10 columns"],
    "bad-encoding": [
        "users.csv:3:9: givenName: the cell holds bytes that are not UTF-8: b'Al\\xe9x'"
    ],
    "bad-delta-columns": [
        "enrollments.csv:1: status: missing required column 'status'",
        "enrollments.csv:1: dateLastModified: missing required column 'dateLastModified'",
    ],
}


def read_everything(path: Path) -> None:
    snap = CsvSnapshot(path, ENTITIES)
    try:
        for entity in ENTITIES:
            for _ in snap.read(entity):
                pass
    finally:
        snap.close()


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_bundle(name: str) -> None:
    with pytest.raises(BundleError) as caught:
        read_everything(BUNDLES / name)
    assert [str(p) for p in caught.value.problems] == CASES[name]
    assert caught.value.reason.startswith(f"the OneRoster bundle {BUNDLES / name} cannot be read")


def test_every_bad_fixture_has_a_case() -> None:
    fixtures = {p.name for p in BUNDLES.glob("bad-*")}
    assert fixtures == set(CASES) | {"bad-empty-bundle", "bad-many"}


def test_bundle_without_oneroster_files() -> None:
    with pytest.raises(BundleError, match="has no OneRoster files to read"):
        read_everything(BUNDLES / "bad-empty-bundle")


def test_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(BundleError, match=r"the OneRoster bundle .* is empty"):
        read_everything(tmp_path)


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(BundleError, match="no OneRoster bundle at"):
        read_everything(tmp_path / "nope")


def test_many_problems_stop_with_and_n_more() -> None:
    with pytest.raises(BundleError) as caught:
        read_everything(BUNDLES / "bad-many")
    problems = [str(p) for p in caught.value.problems]
    assert len(problems) == 51
    assert problems[0] == "enrollments.csv:2:9: beginDate: '2025-99-01' is not a date (YYYY-MM-DD)"
    assert problems[-1] == "enrollments.csv: and 10 more"
    assert caught.value.reason.endswith("60 problems (first 50 shown, and 10 more)")


def test_no_records_after_an_error() -> None:
    snap = CsvSnapshot(BUNDLES / "bad-duplicate", ENTITIES)
    seen = []
    with pytest.raises(BundleError):
        for record in snap.read("enrollments"):
            seen.append(record.key)
    assert seen == ["e1"]
