"""manifest.csv: `propertyName,value` rows saying the version and how each file is sent."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass, field

from passport.connectors.oneroster_csv.columns import FILES, PROFILES_FILE, ROLES_FILE
from passport.connectors.oneroster_csv.problems import Problems
from passport.connectors.oneroster_csv.source import Source

MANIFEST = "manifest.csv"
MODES = ("bulk", "delta", "absent")
# The files passport reads (lower case): a blank mode for any other is only a warning.
READ_FILES = frozenset(name.lower() for name in (*FILES, ROLES_FILE, PROFILES_FILE))
_SHAPE_HINT = "manifest.csv holds rows of two cells: propertyName,value (e.g. file.users,bulk)"
# Every file the two versions list in a manifest, in the order they list them.
MANIFEST_FILES = {
    "1.1": (
        "academicSessions",
        "categories",
        "classes",
        "classResources",
        "courses",
        "courseResources",
        "demographics",
        "enrollments",
        "lineItems",
        "orgs",
        "resources",
        "results",
        "users",
    ),
    "1.2": (
        "academicSessions",
        "categories",
        "classes",
        "classResources",
        "courses",
        "courseResources",
        "demographics",
        "enrollments",
        "lineItemLearningObjectiveIds",
        "lineItems",
        "lineItemScoreScales",
        "orgs",
        "resources",
        "resultLearningObjectiveIds",
        "results",
        "resultScoreScales",
        "roles",
        "scoreScales",
        "userProfiles",
        "userResources",
        "users",
    ),
}


@dataclass
class Manifest:
    version: str | None = None  # oneroster.version
    files: dict[str, str] = field(default_factory=dict)  # lower-case file name -> mode
    properties: dict[str, str] = field(default_factory=dict)


def read_manifest(source: Source, problems: Problems) -> Manifest | None:
    """The bundle's manifest, or None (with a warning) when it has none."""
    if not source.has(MANIFEST):
        return None
    manifest = Manifest()
    malformed = 0
    with source.open_text(MANIFEST) as text:
        for row_no, row in enumerate(csv.reader(text), 1):
            cells = [c.strip() for c in row]
            if not any(cells) or (row_no == 1 and cells[0].lower() == "propertyname"):
                continue
            if len(cells) < 2 or any(cells[2:]) or not cells[0]:
                message = f"the row has {len([c for c in cells if c])} cells; {_SHAPE_HINT}"
                problems.error(MANIFEST, message, row_no)
                malformed += 1
                continue
            name, value = cells[0], cells[1]
            manifest.properties[name] = value
            _property(manifest, name, value, row_no, problems)
    if not manifest.files and not malformed:
        problems.error(MANIFEST, f"manifest.csv declares no files; {_SHAPE_HINT}")
    return manifest


def _property(manifest: Manifest, name: str, value: str, row: int, problems: Problems) -> None:
    lower = name.lower()
    if lower == "oneroster.version":
        if value not in ("1.0", "1.1", "1.2"):
            problems.error(MANIFEST, f"unsupported OneRoster version {value!r}", row, 2, name)
        manifest.version = "1.1" if value == "1.0" else value
    elif lower.startswith("file."):
        mode = value.lower()
        file = f"{lower[5:]}.csv"
        if mode not in MODES:
            message = f"{value!r} is not bulk, delta or absent"
            if file in READ_FILES:
                problems.error(MANIFEST, message, row, 2, name)
            else:
                problems.warn(MANIFEST, f"{message}; passport does not read {file}", row, 2, name)
                return
        manifest.files[file] = mode


def manifest_rows(
    version: str, modes: Mapping[str, str], system_name: str = "passport"
) -> list[tuple[str, str]]:
    """The rows of a manifest; `modes` maps entity (or "roles") to bulk | delta."""
    rows = [
        ("propertyName", "value"),
        ("manifest.version", "1.0"),
        ("oneroster.version", version),
    ]
    for entity in MANIFEST_FILES[version]:
        rows.append((f"file.{entity}", modes.get(entity, "absent")))
    rows += [("source.systemName", system_name), ("source.systemCode", system_name)]
    return rows
