"""What each OneRoster version (and binding) can hold, and how values cross between them.

The store keeps the union of OneRoster 1.1 and 1.2. An application of one version holds
less: a 1.1 one has no `pronouns`, no exact roles, no `siteAdministrator`. Its field map
shows a store record as that version will hold it, so a field it cannot hold is in
neither side of an export's comparison (the plan converges) and its loss is said once in
the plan's notes. docs/cross-version.md is the table in words.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from passport.oneroster import SPECS, STATUS

# 1.2 role values 1.1 does not have, and what a 1.1 application holds instead.
ROLES_12_TO_11: Final[Mapping[str, str]] = {
    "siteAdministrator": "administrator",
    "districtAdministrator": "administrator",
    "systemAdministrator": "administrator",
    "principal": "administrator",
    "counselor": "administrator",
}
# 1.1 role values 1.2 does not have, and what a 1.2 application holds instead.
ROLES_11_TO_12: Final[Mapping[str, str]] = {"administrator": "siteAdministrator"}

# Fields the version has no place for.
CANNOT_HOLD: Final[Mapping[str, Mapping[str, frozenset[str]]]] = {
    "1.1": {"users": SPECS["users"].v12_only},
    "1.2": {},
}

# Fields a record must have for the version to take it (besides sourcedId), beyond the
# 1.1 CSV's own required columns: OneRoster 1.2 requires an org's identifier, a course's
# courseCode and at least one role of a user.
REQUIRED: Final[Mapping[str, Mapping[str, tuple[str, ...]]]] = {
    "1.1": {name: spec.required for name, spec in SPECS.items()},
    "1.2": {
        **{name: spec.required for name, spec in SPECS.items()},
        "orgs": ("name", "type", "identifier"),
        "courses": ("title", "courseCode", "orgSourcedId"),
        "users": ("enabledUser", "givenName", "familyName", "role", "orgSourcedIds"),
    },
}

# Keys of a structured field's objects that a REST binding has no place for: a role or a
# user profile sent over REST is part of its user, with no sourcedId, status or date.
REST_UNHELD_KEYS: Final = frozenset({"sourcedId", "status", "dateLastModified"})
# What a REST binding cannot hold as information: every record it lists is active.
REST_CANNOT_HOLD: Final = frozenset({STATUS})


def role_map(version: str | None) -> Mapping[str, str]:
    """Role values the version holds differently (empty: none, or version unknown)."""
    if version == "1.1":
        return ROLES_12_TO_11
    if version == "1.2":
        return ROLES_11_TO_12
    return {}
