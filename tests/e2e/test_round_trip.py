"""CSV -> store -> CSV gives back what came in: a rich bundle of each version, covering
every column of OneRoster 1.1 and 1.2 (and extension columns), imported into a real
SQLite store and exported again is the same cell for cell, modulo column order and line
endings (and the manifest, which names passport as the source system)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from passport_cli import Passport

BUNDLES = Path(__file__).resolve().parents[1] / "bundles"
IMPORT = """\
version: 1
name: sis
application: oneroster-csv
mode: import
delivery:
  path: ../source
schools:
  auto: same-id
attributes: {attributes}
"""
EXPORT = """\
version: 1
name: lms
application: oneroster-csv
mode: export
delivery:
  path: ../target
  version: "{version}"
schools:
  auto: same-id
attributes: {attributes}
"""
ALL = "{orgs: all, academicSessions: all, courses: all, classes: all, users: all, demographics: all, enrollments: all}"  # noqa: E501


def rows(path: Path) -> dict[str, dict[str, str]]:
    """A CSV file as {sourcedId: {column: cell}}: column order and line endings aside."""
    with path.open(newline="", encoding="utf-8") as text:
        return {row["sourcedId"]: row for row in csv.DictReader(text)}


def data_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("*.csv") if p.name != "manifest.csv")


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_csv_store_csv_gives_back_every_cell(passport: Passport, version: str) -> None:
    shutil.copytree(BUNDLES / f"rich-{version}", passport.root / "source")
    passport.configs.mkdir()
    (passport.configs / "sis.yaml").write_text(IMPORT.format(attributes=ALL))
    (passport.configs / "lms.yaml").write_text(EXPORT.format(version=version, attributes=ALL))
    passport("apply", "sis", "--yes")
    passport("apply", "lms", "--yes")
    source, target = passport.root / "source", passport.root / "target"
    assert data_files(target) == data_files(source)
    for name in data_files(source):
        assert rows(target / name) == rows(source / name), name
    # and the export has converged: nothing more to do on either side
    passport("plan", "sis", "--detailed-exitcode", code=0)
    passport("plan", "lms", "--detailed-exitcode", code=0)


@pytest.mark.parametrize(("source", "target"), [("1.2", "1.1"), ("1.1", "1.2")])
def test_a_cross_version_export_converges_and_says_what_it_loses(
    passport: Passport, source: str, target: str
) -> None:
    shutil.copytree(BUNDLES / f"rich-{source}", passport.root / "source")
    roles = passport.root / "source" / "roles.csv"
    if roles.exists():  # the teacher's primary role is one 1.1 does not have
        text = roles.read_text().replace(",primary,teacher,", ",secondary,teacher,")
        roles.write_text(
            text.replace(",secondary,siteAdministrator,", ",primary,siteAdministrator,")
        )
    passport.configs.mkdir()
    (passport.configs / "sis.yaml").write_text(IMPORT.format(attributes=ALL))
    (passport.configs / "lms.yaml").write_text(EXPORT.format(version=target, attributes=ALL))
    passport("apply", "sis", "--yes")
    first = passport("plan", "lms", "--format", "json").stdout
    passport("apply", "lms", "--yes")
    again = passport("plan", "lms", "--format", "json", "--detailed-exitcode", code=0)
    users = rows(passport.root / "target" / "users.csv")
    if target == "1.1":
        assert users["tch-1"]["role"] == "administrator"  # siteAdministrator, as 1.1 has it
        assert "pronouns" not in users["tch-1"]
        notes = json.loads(first)["notes"]
        [users_note] = [n for n in notes if "users" in n]
        assert users_note.startswith("OneRoster 1.1 cannot hold users ")
        assert "pronouns" in users_note and "primaryOrgSourcedId" in users_note
    else:
        written = rows(passport.root / "target" / "roles.csv")
        assert written["tch-1-sch-a"]["roleType"] == "primary"
        assert written["tch-1-sch-b"]["roleType"] == "secondary"
    assert json.loads(again.stdout)["summary"]["update"] == 0
