"""OneRoster 1.2 roles.csv and userProfiles.csv, folded into users and written back.

A user's roles are kept exactly, as `users.roles` (one canonical object per row: its
sourcedId, status, dateLastModified, roleType, role, org, user profile, begin and end
dates), and summed up as 1.1 has them: `role` is the primary role (else the first),
`orgSourcedIds` every org the user has a role in, in file order. Its user profiles are
kept as `users.userProfiles` (passwords are never read). Writing gives back the rows as
they came; a user with no `roles` (read from 1.1) gets one row per org, the first primary.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from passport.model import Record
from passport.oneroster import encode_object, objects

PRIMARY = "primary"
ROLE_KEYS = (
    "roleType",
    "role",
    "beginDate",
    "endDate",
    "orgSourcedId",
    "userProfileSourcedId",
)
PROFILE_KEYS = (
    "profileType",
    "vendorId",
    "applicationId",
    "description",
    "credentialType",
    "username",
)
_META = ("sourcedId", "status", "dateLastModified")

Folded = dict[str, dict[str, str | list[str]]]


def _entry(record: Record, keys: tuple[str, ...]) -> str:
    fields = record.fields
    found = {"sourcedId": record.key}
    if record.modified:
        found["dateLastModified"] = record.modified
    for name in ("status", *keys):
        value = fields.get(name)
        if isinstance(value, str) and value:
            found[name] = value
    return encode_object(found)


def fold_roles(records: Iterable[Record]) -> Folded:
    """user sourcedId -> {"role", "orgSourcedIds", "roles"} from roles.csv records."""
    folded: Folded = {}
    primary: set[str] = set()
    for record in records:
        if record.deleted:
            continue
        fields = record.fields
        user = str(fields.get("userSourcedId", ""))
        role = str(fields.get("role", ""))
        org = str(fields.get("orgSourcedId", ""))
        entry = folded.setdefault(user, {"orgSourcedIds": [], "roles": []})
        orgs, exact = entry["orgSourcedIds"], entry["roles"]
        assert isinstance(orgs, list) and isinstance(exact, list)
        exact.append(_entry(record, ROLE_KEYS))
        if org and org not in orgs:
            orgs.append(org)
        is_primary = str(fields.get("roleType", "")).lower() == PRIMARY
        if role and (("role" not in entry) or (is_primary and user not in primary)):
            entry["role"] = role
        if is_primary:
            primary.add(user)
    for entry in folded.values():
        if not entry["orgSourcedIds"]:
            del entry["orgSourcedIds"]
    return folded


def fold_profiles(records: Iterable[Record], into: Folded) -> None:
    """Add each user's profiles from userProfiles.csv records as `userProfiles`."""
    for record in records:
        if record.deleted:
            continue
        user = str(record.fields.get("userSourcedId", ""))
        entry = into.setdefault(user, {})
        profiles = entry.setdefault("userProfiles", [])
        assert isinstance(profiles, list)
        profiles.append(_entry(record, PROFILE_KEYS))


def role_rows(user: Record, modified: str, status: str) -> Iterator[list[str]]:
    """roles.csv rows for one user: its roles as read, or one per org, the first primary."""
    exact = objects(user.fields.get("roles"))
    if exact:
        for entry in exact:
            yield [
                entry.get("sourcedId", ""),
                entry.get("status", ""),
                entry.get("dateLastModified", ""),
                user.key,
                *(entry.get(k, "") for k in ROLE_KEYS),
            ]
        return
    role = user.fields.get("role", "")
    orgs: str | list[str] = user.fields.get("orgSourcedIds", [])
    if isinstance(orgs, str):
        orgs = [orgs]
    assert isinstance(role, str)
    for position, org in enumerate(orgs):
        role_type = PRIMARY if position == 0 else "secondary"
        key = f"{user.key}-{org}"
        yield [key, status, modified, user.key, role_type, role, "", "", org, ""]


def profile_rows(user: Record) -> Iterator[list[str]]:
    """userProfiles.csv rows for one user (the password column stays empty)."""
    for profile in objects(user.fields.get("userProfiles")):
        yield [
            *(profile.get(k, "") for k in _META),
            user.key,
            *(profile.get(k, "") for k in PROFILE_KEYS),
            "",
        ]
