"""Config input is bounded: a file over the size limit is one clear error, and no message
repeats more than a short excerpt of what the file holds, however long a value is."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from passport.cli import main

HUGE = "x" * 300_000  # a value far longer than any message may repeat

LMS = """\
version: 1
name: lms
application: oneroster-csv
mode: export
delivery:
  path: ../out
schools:
  map:
    - {app: a-1, store: sch-001}
    - {app: a-2, store: sch-002}
attributes:
  users: [givenName, familyName]
filters:
  - {entity: users, field: role, op: equals, value: student}
privacy_shield:
  enabled: true
  level: 2
  key: ${env:SHIELD_KEY}
safety:
  max_delete: 5%
"""

# (what is replaced, by what): each puts HUGE where validate must name it
EDITS = {
    "an enum value": ("mode: export", f"mode: {HUGE}"),
    # a key of more than 1024 characters must be written as an explicit key (? ...)
    "an unknown key": ("safety:", f"? {HUGE}\n: 1\nsafety:"),
    "an unknown delivery setting": ("  path: ../out", f"  path: ../out\n  ? {HUGE}\n  : 1"),
    "an application": ("application: oneroster-csv", f"application: {HUGE}"),
    "a name": ("name: lms", f"name: {HUGE}"),
    "a school mapped twice": (
        "{app: a-1, store: sch-001}\n    - {app: a-2",
        f"{{app: {HUGE}, store: sch-001}}\n    - {{app: {HUGE}",
    ),
    "a filter field": ("field: role", f"field: {HUGE}"),
    "a filter date": ("op: equals, value: student", f"op: before, value: {HUGE}"),
    "a shield field": ("  level: 2", f"  level: 2\n  fields:\n    ? users.{HUGE}\n    : drop"),
    "a percent": ("max_delete: 5%", f"max_delete: 9{'9' * 100_000}%"),
    "a non-text key": ("safety:", f"? {'9' * 300_000}\n: 1\nsafety:"),
    "a YAML alias": ("  max_delete: 5%", f"  max_delete: *{HUGE}"),
    "a YAML tag": ("  max_delete: 5%", f"  max_delete: !{HUGE} 5%"),
    "a duplicate key": ("safety:", f"? {HUGE}\n: 1\n? {HUGE}\n: 2\nsafety:"),
    "a filter operator": ("op: equals, value: student", f"op: {HUGE}"),
}


def validate(path: Path) -> Result:
    return CliRunner().invoke(main, ["validate", str(path)])


@pytest.mark.parametrize("case", list(EDITS))
def test_no_message_repeats_a_long_value_whole(tmp_path: Path, case: str) -> None:
    old, new = EDITS[case]
    path = tmp_path / "lms.yaml"
    path.write_text(LMS.replace(old, new))
    result = validate(path)
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines and "x" * 201 not in result.output and "9" * 201 not in result.output
    assert max(map(len, lines)) < 1_300, max(lines, key=len)[:300]
    assert "…" in result.output


def test_a_file_over_the_size_limit_is_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "lms.yaml"
    path.write_text(LMS + "# " + "x" * (2 << 20) + "\n")
    result = validate(path)
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        f"{path}: is 2 MiB, more than the 1 MiB an activation file may be "
        "(PASSPORT_MAX_CONFIG_BYTES)"
    )
    monkeypatch.setenv("PASSPORT_MAX_CONFIG_BYTES", "4MiB")
    assert validate(path).exit_code == 0


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    path = tmp_path / "lms.yaml"
    os.mkfifo(path)
    result = validate(path)
    assert result.exit_code == 1
    assert f"{path}: is not a regular file (a FIFO or a device?), not an activation file" in (
        result.output
    )
