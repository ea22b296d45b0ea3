"""CSV columns of each OneRoster file, per version, and header normalisation.

Columns are the catalog's fields (`passport.oneroster`) in CSV order, with the metadata
columns first. OneRoster 1.2 moved `users.role` and `users.orgSourcedIds` to roles.csv.
"""

from __future__ import annotations

from typing import Final

from passport.oneroster import ENTITIES, META_FIELDS, SPECS

META: Final = ("sourcedId", "status", "dateLastModified")
ROLES_FILE: Final = "roles.csv"
ROLES_COLUMNS: Final = (
    *META,
    "userSourcedId",
    "roleType",
    "role",
    "beginDate",
    "endDate",
    "orgSourcedId",
    "userProfileSourcedId",
)
ROLES_REQUIRED: Final = ("userSourcedId", "roleType", "role", "orgSourcedId")
FOLDED: Final = frozenset({"role", "orgSourcedIds"})  # users fields 1.2 keeps in roles.csv
ALIASES: Final = {"primaryorg": "primaryOrgSourcedId"}
VERSIONS: Final = ("1.1", "1.2")

FILES: Final[dict[str, str]] = {SPECS[e].csv_file: e for e in ENTITIES}

# OneRoster files passport does not model: read past with a warning.
UNMODELED: Final = frozenset(
    {
        "categories.csv",
        "classresources.csv",
        "courseresources.csv",
        "lineitems.csv",
        "resources.csv",
        "results.csv",
        "userprofiles.csv",
        "userresources.csv",
        "scorescales.csv",
        "lineitemlearningobjectiveids.csv",
        "lineitemscorescales.csv",
        "resultlearningobjectiveids.csv",
        "resultscorescales.csv",
    }
)


def columns(entity: str, version: str) -> tuple[str, ...]:
    """The standard columns of an entity's file, in order, for writing."""
    spec = SPECS[entity]
    if entity != "users":
        return (*META, *spec.fields)
    if version == "1.1":
        base = [f for f in spec.fields if f not in spec.v12_only]
        return (*META, *base, "password")
    shared = [f for f in spec.fields if f not in spec.v12_only and f not in FOLDED]
    extra = [f for f in spec.fields if f in spec.v12_only]
    return (*META, *shared, "password", *extra)


def required(entity: str, version: str) -> tuple[str, ...]:
    spec = SPECS[entity]
    if entity == "users" and version == "1.2":
        return tuple(f for f in spec.required if f not in FOLDED)
    return spec.required


def known_columns(entity: str) -> dict[str, str]:
    """lower-case column name -> canonical name, for every column either version knows."""
    names = [*META, "password"]
    names += list(ROLES_COLUMNS) if entity == "roles" else list(SPECS[entity].fields)
    known = {name.lower(): name for name in names}
    known.update(ALIASES)
    return known


def is_extension(name: str) -> bool:
    return name.lower().startswith("metadata.")


def is_meta(name: str) -> bool:
    return name in META_FIELDS
