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
PROFILES_FILE: Final = "userProfiles.csv"
PROFILES_COLUMNS: Final = (
    *META,
    "userSourcedId",
    "profileType",
    "vendorId",
    "applicationId",
    "description",
    "credentialType",
    "username",
    "password",
)
PROFILES_REQUIRED: Final = ("userSourcedId", "profileType", "vendorId")
FOLDED: Final = frozenset({"role", "orgSourcedIds"})  # users fields 1.2 keeps in roles.csv
# users fields that are whole files of their own in 1.2 (roles.csv, userProfiles.csv)
EMBEDDED: Final = frozenset({"roles", "userProfiles"})
# Other spellings of a column: lower-case name -> canonical name. The 1.2 CSV name of the
# primary org is not a note; older (1.0) names are read with a note.
ALIASES: Final = {"primaryorg": "primaryOrgSourcedId"}
OLDER: Final[dict[str, dict[str, str]]] = {
    "users": {"userid": "userIds", "agents": "agentSourcedIds", "grade": "grades"},
    "classes": {"grade": "grades", "termsourcedid": "termSourcedIds"},
    "courses": {"grade": "grades", "schoolyearid": "schoolYearSourcedId"},
}
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
    extra = [f for f in spec.fields if f in spec.v12_only and f not in EMBEDDED]
    return (*META, *shared, "password", *extra)


def required(entity: str, version: str) -> tuple[str, ...]:
    spec = SPECS[entity]
    if entity == "users" and version == "1.2":
        return tuple(f for f in spec.required if f not in FOLDED)
    return spec.required


def known_columns(entity: str) -> dict[str, str]:
    """lower-case column name -> canonical name, for every column either version knows."""
    names = [*META, "password"]
    if entity == "roles":
        names += ROLES_COLUMNS
    elif entity == "userProfiles":
        names += PROFILES_COLUMNS
    else:
        names += [f for f in SPECS[entity].fields if f not in EMBEDDED]
    known = {name.lower(): name for name in names}
    known.update(ALIASES)
    return known


def older_name(entity: str, lower: str) -> str | None:
    """The current name of an older (OneRoster 1.0) column name, or None."""
    return OLDER.get(entity, {}).get(lower)


def is_extension(name: str) -> bool:
    """`metadata.*` columns (the CSV binding's extensions) and the `ext_*` columns some
    systems write: kept as fields under their own names, written back as they came."""
    lower = name.lower()
    return lower.startswith("metadata.") or lower.startswith("ext_")


def is_meta(name: str) -> bool:
    return name in META_FIELDS
