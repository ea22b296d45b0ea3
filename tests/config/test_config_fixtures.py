"""One fixture per failure case (tests/config/bad-*.yaml), each with its exact problems.

A line is `line:col: path: message` after the file name; every problem of a file is
reported at once, sorted by position.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from passport.config import check_file, load_activation
from passport.errors import ConfigError

HERE = Path(__file__).parent
TODAY = dt.date(2026, 11, 29)
SECRET_HINT = "write a reference like ${env:NAME} or ${file:PATH}"

EXPECTED: dict[str, list[str]] = {
    "bad-binary": ["is not a text file (expected UTF-8 YAML)"],
    "bad-date": [
        "11:15: export_until: '2027-13-01' is not a valid date; write a date as YYYY-MM-DD"
    ],
    "bad-delivery-missing-field": ["5:1: delivery: 'client_id' is required"],
    "bad-delivery-unknown-setting": [
        "7:3: delivery.proccesing: 'proccesing' is not a known setting of oneroster-csv"
        " (did you mean 'processing'?)",
        "8:3: delivery.api_token: 'api_token' is not a known setting of oneroster-csv",
        f"8:14: delivery.api_token: holds a plain-text secret; {SECRET_HINT} instead",
    ],
    "bad-duplicate-key": ["5:1: duplicate key 'mode' (first written on line 4)"],
    "bad-duplicate-school": [
        "10:28: schools.map[1].store: store school 'lincoln-high' is mapped twice"
        " (first on line 9)",
        "11:13: schools.map[2].app: app school '0001' is mapped twice (first on line 9)",
    ],
    "bad-empty": ["is empty: an activation needs version, name, application and mode"],
    "bad-only-comments": ["is empty: an activation needs version, name, application and mode"],
    "bad-filter-field": [
        "12:28: filters[0].field: 'rol' is not a field of users (did you mean 'role'?)",
        "13:49: filters[1].value: in takes a list of values",
        "14:49: filters[2].value: is-empty takes no value",
        "15:5: filters[3]: 'value' is required for equals",
        "16:63: filters[4].value: 'next-week' is not a date; after compares dates (YYYY-MM-DD)",
    ],
    "bad-filter-op": [
        "14:9: filters[0].op: 'like' is not one of 'equals', 'not-equals', 'in', 'contains',"
        " 'starts-with', 'before', 'after', 'is-empty' or 'is-not-empty'"
    ],
    "bad-http-url": [
        "6:16: delivery.service_url: must use https"
        " (http is allowed only for localhost, 127.0.0.0/8 and ::1)"
    ],
    "bad-many-errors": [
        "1:10: version: 2 is not allowed: must be 1",
        "4:7: mode: 'both' is not one of 'import', 'export' or 'two-way'",
        "10:22: attributes.users[1]: 'emial' is not a known attribute of users"
        " (did you mean 'email'?)",
        "11:12: attributes.classes: 'everything' is not allowed: must be 'all';"
        " write `all` or a list of fields",
        "12:3: attributes.user: 'user' is not a known OneRoster entity (did you mean 'users'?)",
        "13:12: conflicts: 'app-win' is not one of 'store-wins', 'app-wins', 'newest' or 'stop'"
        " (did you mean 'app-wins'?)",
        "14:15: export_until: 'soon' is not a valid date; write a date as YYYY-MM-DD",
    ],
    "bad-merge-key": [
        "11:3: attributes: merge keys (<<) are not supported; write the settings out"
    ],
    "bad-missing-required": [
        "1:1: 'application' is required",
        "1:1: 'attributes' is required",
        "1:1: 'mode' is required",
        "1:1: 'schools' is required",
    ],
    "bad-mode": ["4:7: mode: 'sync' is not one of 'import', 'export' or 'two-way'"],
    "bad-multiple-documents": [
        "11:1: a file holds one activation: remove the second document (after ---)"
    ],
    "bad-name-mismatch": [
        "2:7: name: 'canvas' does not match the file name: use name: bad-name-mismatch"
    ],
    "bad-plain-secret": [
        f"9:18: delivery.client_secret: holds a plain-text secret; {SECRET_HINT} instead"
    ],
    "bad-rollover": [
        "14:12: rollover[0].until: the window ends (2027-06-15) before it starts (2027-08-15)",
        "15:5: rollover[1]: 'until' is required",
        "15:12: rollover[1].kind: 'pause' is not one of 'no-deletes' or 'suspend-import'",
    ],
    "bad-safety-percent": [
        "12:15: safety.max_delete: 'ten%' is not valid here;"
        ' write a percent of existing records like "10%" or a count like 50',
        "13:15: safety.max_update: 150% is more than 100%",
        "14:17: safety.min_existing: must be at least 0",
        "16:7: safety.overrides[0]: an override names an entity, a direction, or both",
        "17:16: safety.overrides[1].entity: 'user' is not one of 'orgs', 'academicSessions',"
        " 'courses', 'classes', 'users', 'demographics' or 'enrollments'"
        " (did you mean 'users'?)",
        "17:33: safety.overrides[1].direction: 'both' is not one of 'import' or 'export'",
    ],
    "bad-schools-list": [
        "8:3: schools: expected a mapping, got a list;"
        " schools is a mapping: list pairs under `map:` and/or set `auto: same-id`"
    ],
    "bad-secret-reference": [
        f"9:18: delivery.client_secret: is not a valid secret reference; {SECRET_HINT}"
    ],
    "bad-shield-level": ["13:10: privacy_shield.level: must be at most 3"],
    "bad-shield-no-key": [
        "11:1: privacy_shield: an enabled shield needs a key; add key: ${env:PASSPORT_SHIELD_KEY}",
        "13:12: privacy_shield.fields[\"users.phne\"]: 'phne' is not a field of users"
        " (did you mean 'phone'?)",
        "13:30: privacy_shield.fields[\"pets.name\"]: 'pets' is not a OneRoster entity",
        "13:47: privacy_shield.fields.phone: 'phone' is not a valid name here;"
        " write entity.field, like users.phone",
    ],
    "bad-top-level-list": ["1:1: the top level must be a mapping of settings, not a list"],
    "bad-top-level-scalar": [
        "1:1: the top level must be a mapping of settings, not a single value"
    ],
    "bad-unknown-application": [  # roster-jsonl: the test plugin (tests/plugins)
        "3:14: application: unknown application 'oneroster-cvs' (did you mean 'oneroster-csv'?);"
        " known: google-workspace, oneroster-csv, oneroster-rest, roster-jsonl"
    ],
    "bad-unknown-attribute": [
        "10:34: attributes.users[2]: 'emial' is not a known attribute of users"
        " (did you mean 'email'?)"
    ],
    "bad-unknown-key": [
        "11:1: colour: 'colour' is not a known setting",
        "12:1: conflict: 'conflict' is not a known setting (did you mean 'conflicts'?)",
    ],
    "bad-unquoted-version": [
        "7:12: delivery.version: 1.1 is not one of '1.1' or '1.2'; quote it: \"1.1\" or \"1.2\""
    ],
    "bad-url-credentials": [
        "7:13: delivery.auth_url: must not hold credentials;"
        " use the client_id and client_secret settings"
    ],
    "bad-write-false": ["5:1: delivery: mode two-way writes to the application: set write: true"],
    "bad-yaml-syntax": [
        "5:5: YAML syntax error: expected ',' or ']', but got ':'"
        " (while parsing a flow sequence on line 4)"
    ],
}


def _lines(path: Path) -> list[str]:
    result = check_file(path, TODAY)
    return [str(p).removeprefix(f"{path}: ").removeprefix(f"{path}:") for p in result.problems]


def test_every_bad_fixture_has_expectations() -> None:
    assert sorted(p.stem for p in HERE.glob("bad-*.yaml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_fixture(name: str) -> None:
    path = HERE / f"{name}.yaml"
    assert _lines(path) == EXPECTED[name]
    with pytest.raises(ConfigError) as raised:
        load_activation(path, TODAY)
    assert [p.message for p in raised.value.problems if p.is_error]


def test_many_errors_are_reported_at_once_in_file_order() -> None:
    result = check_file(HERE / "bad-many-errors.yaml", TODAY)
    assert len(result.errors) == 7
    assert [p.line for p in result.errors] == sorted(p.line for p in result.errors)


def test_a_past_export_until_is_a_warning_not_an_error() -> None:
    path = HERE / "warn-export-until-past.yaml"
    assert _lines(path) == [
        "11:15: warning: export_until: 2020-06-30 has passed: nothing will be exported"
    ]
    activation = load_activation(path, TODAY)
    assert activation.export_until == dt.date(2020, 6, 30)


def test_problems_carry_file_line_col_and_path() -> None:
    path = HERE / "bad-unknown-attribute.yaml"
    (problem,) = check_file(path, TODAY).problems
    assert (problem.file, problem.line, problem.col, problem.path) == (
        str(path),
        10,
        34,
        "attributes.users[2]",
    )
    assert problem.severity == "error"
