"""The OneRoster rostering model as passport keeps it: entities, fields, kinds, references.

The store keeps one canonical shape per entity (the union of OneRoster 1.1 and 1.2 CSV
columns, with 1.2's roles.csv folded into `users.role` and `users.orgSourcedIds`).
Connectors translate to and from it; config checks attribute names against it.

Canonical values: a single-valued field is a `str`; a multi-valued field (the CSV cells
that hold comma-separated lists) is a `list[str]`. An empty cell is an absent key.
`sourcedId` is the key and `dateLastModified` travels with the record (`Record.modified`);
`status: tobedeleted` becomes a delete. A `status` the source writes on a live record
("active") is kept as the field `status`, so an export writes back what came in.

Structured values are lists of canonical JSON objects, one string each (keys sorted, no
whitespace): `users.roles` holds the 1.2 roles exactly (sourcedId, roleType, role,
orgSourcedId, userProfileSourcedId, beginDate, endDate; several per org), and
`users.userProfiles` the 1.2 user profiles. Extension fields (`metadata.*`, `ext_*`) are
kept under their own names.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

# Dependency order: a record only refers to entities earlier in this tuple
# (demographics share the user's sourcedId). Creates and updates run in this order,
# deletes in reverse.
ENTITIES: Final = (
    "orgs",
    "academicSessions",
    "courses",
    "classes",
    "users",
    "demographics",
    "enrollments",
)

# What one record of each entity is called in a sentence ("unknown class 'k1'").
NOUNS: Final[dict[str, str]] = {
    "orgs": "org",
    "academicSessions": "academic session",
    "courses": "course",
    "classes": "class",
    "users": "user",
    "demographics": "demographics record",
    "enrollments": "enrollment",
}

META_FIELDS: Final = frozenset({"sourcedId", "status", "dateLastModified"})
STATUS: Final = "status"  # the field holding a live record's own status, when it has one

# Fields a connector never reads into the store. OneRoster 1.1's users.password is a
# credential; passport does not carry credentials between systems.
NEVER_READ: Final = frozenset({"password"})


@dataclass(frozen=True, slots=True)
class Reference:
    field: str
    target: str  # entity name


@dataclass(frozen=True, slots=True)
class EntitySpec:
    name: str
    csv_file: str
    fields: tuple[str, ...]  # canonical compared fields, in CSV column order
    required: tuple[str, ...]  # required in a OneRoster 1.1 bulk CSV, besides sourcedId
    multi: frozenset[str] = frozenset()
    dates: frozenset[str] = frozenset()  # YYYY-MM-DD
    years: frozenset[str] = frozenset()  # YYYY
    booleans: frozenset[str] = frozenset()
    references: tuple[Reference, ...] = ()
    # Fields holding personal data: masked in every rendering unless shown on purpose.
    pii: frozenset[str] = frozenset()
    # Fields that exist only in OneRoster 1.2.
    v12_only: frozenset[str] = field(default_factory=frozenset)

    def is_multi(self, name: str) -> bool:
        return name in self.multi


ORGS = EntitySpec(
    name="orgs",
    csv_file="orgs.csv",
    fields=("name", "type", "identifier", "parentSourcedId"),
    required=("name", "type"),
    references=(Reference("parentSourcedId", "orgs"),),
)

ACADEMIC_SESSIONS = EntitySpec(
    name="academicSessions",
    csv_file="academicSessions.csv",
    fields=("title", "type", "startDate", "endDate", "parentSourcedId", "schoolYear"),
    required=("title", "type", "startDate", "endDate", "schoolYear"),
    dates=frozenset({"startDate", "endDate"}),
    years=frozenset({"schoolYear"}),
    references=(Reference("parentSourcedId", "academicSessions"),),
)

COURSES = EntitySpec(
    name="courses",
    csv_file="courses.csv",
    fields=(
        "schoolYearSourcedId",
        "title",
        "courseCode",
        "grades",
        "orgSourcedId",
        "subjects",
        "subjectCodes",
    ),
    required=("title", "orgSourcedId"),
    multi=frozenset({"grades", "subjects", "subjectCodes"}),
    references=(
        Reference("schoolYearSourcedId", "academicSessions"),
        Reference("orgSourcedId", "orgs"),
    ),
)

CLASSES = EntitySpec(
    name="classes",
    csv_file="classes.csv",
    fields=(
        "title",
        "grades",
        "courseSourcedId",
        "classCode",
        "classType",
        "location",
        "schoolSourcedId",
        "termSourcedIds",
        "subjects",
        "subjectCodes",
        "periods",
    ),
    required=("title", "courseSourcedId", "classType", "schoolSourcedId", "termSourcedIds"),
    multi=frozenset({"grades", "termSourcedIds", "subjects", "subjectCodes", "periods"}),
    references=(
        Reference("courseSourcedId", "courses"),
        Reference("schoolSourcedId", "orgs"),
        Reference("termSourcedIds", "academicSessions"),
    ),
)

USERS = EntitySpec(
    name="users",
    csv_file="users.csv",
    fields=(
        "enabledUser",
        "orgSourcedIds",
        "role",
        "username",
        "userIds",
        "givenName",
        "familyName",
        "middleName",
        "identifier",
        "email",
        "sms",
        "phone",
        "agentSourcedIds",
        "grades",
        "userMasterIdentifier",
        "resourceSourcedIds",
        "preferredGivenName",
        "preferredMiddleName",
        "preferredFamilyName",
        "primaryOrgSourcedId",
        "pronouns",
        "roles",
        "userProfiles",
    ),
    required=("enabledUser", "orgSourcedIds", "role", "username", "givenName", "familyName"),
    multi=frozenset(
        {
            "orgSourcedIds",
            "userIds",
            "agentSourcedIds",
            "grades",
            "resourceSourcedIds",
            "roles",
            "userProfiles",
        }
    ),
    booleans=frozenset({"enabledUser"}),
    references=(
        Reference("orgSourcedIds", "orgs"),
        Reference("agentSourcedIds", "users"),
        Reference("primaryOrgSourcedId", "orgs"),
    ),
    pii=frozenset(
        {
            "username",
            "userIds",
            "givenName",
            "familyName",
            "middleName",
            "identifier",
            "email",
            "sms",
            "phone",
            "userMasterIdentifier",
            "preferredGivenName",
            "preferredMiddleName",
            "preferredFamilyName",
            "userProfiles",
        }
    ),
    v12_only=frozenset(
        {
            "userMasterIdentifier",
            "resourceSourcedIds",
            "preferredGivenName",
            "preferredMiddleName",
            "preferredFamilyName",
            "primaryOrgSourcedId",
            "pronouns",
            "roles",
            "userProfiles",
        }
    ),
)

DEMOGRAPHICS = EntitySpec(
    name="demographics",
    csv_file="demographics.csv",
    fields=(
        "birthDate",
        "sex",
        "americanIndianOrAlaskaNative",
        "asian",
        "blackOrAfricanAmerican",
        "nativeHawaiianOrOtherPacificIslander",
        "white",
        "demographicRaceTwoOrMoreRaces",
        "hispanicOrLatinoEthnicity",
        "countryOfBirthCode",
        "stateOfBirthAbbreviation",
        "cityOfBirth",
        "publicSchoolResidenceStatus",
    ),
    required=(),
    dates=frozenset({"birthDate"}),
    booleans=frozenset(
        {
            "americanIndianOrAlaskaNative",
            "asian",
            "blackOrAfricanAmerican",
            "nativeHawaiianOrOtherPacificIslander",
            "white",
            "demographicRaceTwoOrMoreRaces",
            "hispanicOrLatinoEthnicity",
        }
    ),
    pii=frozenset(
        {
            "birthDate",
            "sex",
            "americanIndianOrAlaskaNative",
            "asian",
            "blackOrAfricanAmerican",
            "nativeHawaiianOrOtherPacificIslander",
            "white",
            "demographicRaceTwoOrMoreRaces",
            "hispanicOrLatinoEthnicity",
            "countryOfBirthCode",
            "stateOfBirthAbbreviation",
            "cityOfBirth",
        }
    ),
)

ENROLLMENTS = EntitySpec(
    name="enrollments",
    csv_file="enrollments.csv",
    fields=(
        "classSourcedId",
        "schoolSourcedId",
        "userSourcedId",
        "role",
        "primary",
        "beginDate",
        "endDate",
    ),
    required=("classSourcedId", "schoolSourcedId", "userSourcedId", "role"),
    dates=frozenset({"beginDate", "endDate"}),
    booleans=frozenset({"primary"}),
    references=(
        Reference("classSourcedId", "classes"),
        Reference("schoolSourcedId", "orgs"),
        Reference("userSourcedId", "users"),
    ),
)

SPECS: Final[dict[str, EntitySpec]] = {
    spec.name: spec
    for spec in (
        ORGS,
        ACADEMIC_SESSIONS,
        COURSES,
        CLASSES,
        USERS,
        DEMOGRAPHICS,
        ENROLLMENTS,
    )
}

# Fields that hold a school's sourcedId (or a list of them): the school mapping
# translates these between application ids and store ids.
SCHOOL_REFERENCES: Final[dict[str, tuple[str, ...]]] = {
    "orgs": ("parentSourcedId",),
    "courses": ("orgSourcedId",),
    "classes": ("schoolSourcedId",),
    "users": ("orgSourcedIds", "primaryOrgSourcedId"),
    "enrollments": ("schoolSourcedId",),
}
# Structured fields: each value is a list of objects, each kept as its canonical JSON
# string (`encode_object`); `objects` decodes them.
OBJECT_FIELDS: Final[dict[str, frozenset[str]]] = {"users": frozenset({"roles", "userProfiles"})}
# Structured fields whose objects name an org: (field, key inside each object).
SCHOOL_REFERENCES_INSIDE: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "users": (("roles", "orgSourcedId"),),
}


def objects(value: Any) -> list[dict[str, str]]:
    """The objects of a structured field (`users.roles`), decoded."""
    items = value if isinstance(value, list) else [value] if value else []
    out = []
    for item in items:
        decoded = json.loads(item)
        if isinstance(decoded, dict):
            out.append({str(k): str(v) for k, v in decoded.items()})
    return out


def encode_object(fields: Mapping[str, str]) -> str:
    """One object of a structured field, as its canonical string (empty values left out)."""
    kept = {k: v for k, v in fields.items() if v}
    return json.dumps(kept, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


# The fields that tell a reader which record a plan line is about.
IDENTITY_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "orgs": ("name", "type"),
    "academicSessions": ("title", "type"),
    "courses": ("title", "courseCode"),
    "classes": ("title", "classCode"),
    "users": ("role", "username"),
    "demographics": (),
    "enrollments": ("role", "classSourcedId", "userSourcedId"),
}


def identity_fields(entity: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    return {n: fields[n] for n in IDENTITY_FIELDS.get(entity, ()) if n in fields}


# Fields whose values repeat across many records (ids of other records, dates, flags,
# enumerations): a plan holding many records keeps one copy of each distinct value.
REPEATING_FIELDS: Final[dict[str, frozenset[str]]] = {
    s.name: frozenset(r.field for r in s.references)
    | s.dates
    | s.booleans
    | s.years
    | (
        frozenset({"role", "type", "classType", "grades", "subjects", "subjectCodes"})
        & set(s.fields)
    )
    for s in SPECS.values()
}


def spec(entity: str) -> EntitySpec:
    return SPECS[entity]


def is_pii(entity: str, field_name: str) -> bool:
    s = SPECS.get(entity)
    return bool(s and field_name in s.pii)
