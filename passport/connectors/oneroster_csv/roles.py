"""OneRoster 1.2 roles.csv, folded into users: `role` is the primary role, `orgSourcedIds`
every org the user has a role in (in file order)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from passport.model import Record

PRIMARY = "primary"


def fold_roles(records: Iterable[Record]) -> dict[str, dict[str, str | list[str]]]:
    """user sourcedId -> {"role": ..., "orgSourcedIds": [...]} from roles.csv records."""
    folded: dict[str, dict[str, str | list[str]]] = {}
    primary: set[str] = set()
    for record in records:
        if record.deleted:
            continue
        fields = record.fields
        user = str(fields.get("userSourcedId", ""))
        role = str(fields.get("role", ""))
        org = str(fields.get("orgSourcedId", ""))
        entry = folded.setdefault(user, {"orgSourcedIds": []})
        orgs = entry["orgSourcedIds"]
        assert isinstance(orgs, list)
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


def role_rows(user: Record, modified: str, status: str) -> Iterator[list[str]]:
    """roles.csv rows for one user: the first org carries the primary role."""
    role = user.fields.get("role", "")
    orgs = user.fields.get("orgSourcedIds", [])
    if isinstance(orgs, str):
        orgs = [orgs]
    assert isinstance(role, str)
    for position, org in enumerate(orgs):
        role_type = PRIMARY if position == 0 else "secondary"
        key = f"{user.key}-{org}"
        yield [key, status, modified, user.key, role_type, role, "", "", org, ""]
