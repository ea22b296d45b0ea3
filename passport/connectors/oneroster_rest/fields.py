"""Where each canonical field lives in OneRoster's JSON binding, per entity and version.

Kinds: `s` a string; `b` a boolean (1.1 sends JSON booleans, 1.2 the strings "true" and
"false"); `l` a list of strings; `r` a GUIDRef `{href, sourcedId, type}`; `rs` a list of
GUIDRefs; `ids` a list of `{type, identifier}` (canonical "type:identifier").
Users differ most: 1.1 has `role` and `orgs`, 1.2 has `roles[]` (folded into `role` and
`orgSourcedIds`, see `shapes.fold_roles`) and a few fields of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

BOTH: Final = frozenset({"1.1", "1.2"})
V11: Final = frozenset({"1.1"})
V12: Final = frozenset({"1.2"})


@dataclass(frozen=True, slots=True)
class JsonField:
    json: str  # the key in the JSON object
    field: str  # the canonical field
    kind: str = "s"  # s | b | l | r | rs | ids
    target: str = ""  # GUIDRef type for r and rs
    versions: frozenset[str] = BOTH  # the versions that write it (all read it)


def _f(json: str, field: str | None = None, kind: str = "s", target: str = "") -> JsonField:
    return JsonField(json, field or json, kind, target)


def _v12(json: str, field: str | None = None, kind: str = "s", target: str = "") -> JsonField:
    return JsonField(json, field or json, kind, target, V12)


USERS_11_ONLY = (
    JsonField("role", "role", "s", "", V11),
    JsonField("orgs", "orgSourcedIds", "rs", "org", V11),
)

TABLE: Final[dict[str, tuple[JsonField, ...]]] = {
    "orgs": (
        _f("name"),
        _f("type"),
        _f("identifier"),
        _f("parent", "parentSourcedId", "r", "org"),
    ),
    "academicSessions": (
        _f("title"),
        _f("type"),
        _f("startDate"),
        _f("endDate"),
        _f("parent", "parentSourcedId", "r", "academicSession"),
        _f("schoolYear"),
    ),
    "courses": (
        _f("title"),
        _f("schoolYear", "schoolYearSourcedId", "r", "academicSession"),
        _f("courseCode"),
        _f("grades", kind="l"),
        _f("org", "orgSourcedId", "r", "org"),
        _f("subjects", kind="l"),
        _f("subjectCodes", kind="l"),
    ),
    "classes": (
        _f("title"),
        _f("classCode"),
        _f("classType"),
        _f("location"),
        _f("grades", kind="l"),
        _f("subjects", kind="l"),
        _f("course", "courseSourcedId", "r", "course"),
        _f("school", "schoolSourcedId", "r", "org"),
        _f("terms", "termSourcedIds", "rs", "academicSession"),
        _f("subjectCodes", kind="l"),
        _f("periods", kind="l"),
    ),
    "users": (
        _f("enabledUser", kind="b"),
        _f("username"),
        _f("userIds", kind="ids"),
        _f("givenName"),
        _f("familyName"),
        _f("middleName"),
        _f("identifier"),
        _f("email"),
        _f("sms"),
        _f("phone"),
        _f("agents", "agentSourcedIds", "rs", "user"),
        _f("grades", kind="l"),
        *USERS_11_ONLY,
        _v12("userMasterIdentifier"),
        _v12("preferredFirstName", "preferredGivenName"),
        _v12("preferredMiddleName"),
        _v12("preferredLastName", "preferredFamilyName"),
        _v12("pronouns"),
        _v12("primaryOrg", "primaryOrgSourcedId", "r", "org"),
        _v12("resources", "resourceSourcedIds", "rs", "resource"),
    ),
    "demographics": (
        _f("birthDate"),
        _f("sex"),
        _f("americanIndianOrAlaskaNative", kind="b"),
        _f("asian", kind="b"),
        _f("blackOrAfricanAmerican", kind="b"),
        _f("nativeHawaiianOrOtherPacificIslander", kind="b"),
        _f("white", kind="b"),
        _f("demographicRaceTwoOrMoreRaces", kind="b"),
        _f("hispanicOrLatinoEthnicity", kind="b"),
        _f("countryOfBirthCode"),
        _f("stateOfBirthAbbreviation"),
        _f("cityOfBirth"),
        _f("publicSchoolResidenceStatus"),
    ),
    "enrollments": (
        _f("class", "classSourcedId", "r", "class"),
        _f("school", "schoolSourcedId", "r", "org"),
        _f("user", "userSourcedId", "r", "user"),
        _f("role"),
        _f("primary", kind="b"),
        _f("beginDate"),
        _f("endDate"),
    ),
}

# Names some 1.2 servers use for the preferred names (the CSV column names).
ALIASES: Final[dict[str, tuple[JsonField, ...]]] = {
    "users": (
        _f("preferredGivenName"),
        _f("preferredFamilyName"),
    ),
}

# entity -> (collection path, key of a single record in a response or a PUT body)
COLLECTIONS: Final[dict[str, tuple[str, str]]] = {
    "orgs": ("orgs", "org"),
    "academicSessions": ("academicSessions", "academicSession"),
    "courses": ("courses", "course"),
    "classes": ("classes", "class"),
    "users": ("users", "user"),
    "demographics": ("demographics", "demographics"),
    "enrollments": ("enrollments", "enrollment"),
}

# GUIDRef type -> collection its href points into
REF_COLLECTIONS: Final[dict[str, str]] = {
    "org": "orgs",
    "academicSession": "academicSessions",
    "course": "courses",
    "class": "classes",
    "user": "users",
    "resource": "resources",
}

# Where an entity may also be listed when its own collection is not offered (404):
# such a listing holds only part of the entity, so it is never read as complete.
FALLBACKS: Final[dict[str, str]] = {"orgs": "schools", "academicSessions": "terms"}
META: Final = frozenset({"sourcedId", "status", "dateLastModified"})
DELETED_STATUSES: Final = frozenset({"tobedeleted", "inactive"})


def owned(entity: str) -> frozenset[str]:
    """Every JSON key passport reads for the entity: a PUT rewrites these and keeps the rest."""
    keys = {f.json for f in TABLE[entity]} | {f.json for f in ALIASES.get(entity, ())}
    if entity == "users":
        keys |= {"roles", "userProfiles"}
    return frozenset(keys | META | {"metadata"})
