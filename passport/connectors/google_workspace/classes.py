"""Groups as classes (`groups_as_classes: true`): each Google group is a class, each
member an enrollment (OWNER and MANAGER teach, MEMBER learns).

The records come out in the store's shape already (the identity field map): a class
keyed by the group's address, titled by its name, at the school of its first teacher
(else of its first member) as the OU rules place them; an enrollment keyed
`<group address>/<member address>`. A member who is not a user passport reads (another
domain, a nested group) is left out and counted in a warning.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from passport.connectors.google_workspace.directory import list_groups, list_members
from passport.connectors.google_workspace.group_fields import join_key
from passport.connectors.google_workspace.options import GoogleOptions
from passport.connectors.google_workspace.session import Session
from passport.model import Record, Value

TEACHING = frozenset({"OWNER", "MANAGER"})


def class_records(
    session: Session, options: GoogleOptions, users: Mapping[str, Record]
) -> dict[str, list[Record]]:
    by_email = {str(r.fields.get("primaryEmail")): r for r in users.values()}
    api, customer = session.api, session.settings.customer
    classes: list[Record] = []
    enrollments: list[Record] = []
    for group in list_groups(api, customer=customer):
        email = str(group.get("email") or "").lower()
        if not email:
            continue
        members = []
        for member in list_members(api, email):
            user = by_email.get(str(member.get("email") or "").lower())
            if user is not None and member.get("type", "USER") == "USER":
                members.append((user, str(member.get("role") or "MEMBER")))
        school = _school(options, members)
        fields: dict[str, Value] = {
            "title": str(group.get("name") or email),
            "classCode": email.partition("@")[0],
            "classType": "scheduled",
        }
        if school:
            fields["schoolSourcedId"] = school
        classes.append(Record(email, fields))
        for user, role in members:
            address = str(user.fields.get("primaryEmail"))
            enrollment: dict[str, Value] = {
                "classSourcedId": email,
                "userSourcedId": user.key,
                "role": "teacher" if role in TEACHING else "student",
            }
            if school:
                enrollment["schoolSourcedId"] = school
            enrollments.append(Record(f"{email}/{address}", enrollment))
    return {"classes": classes, "enrollments": enrollments}


def group_views(session: Session) -> dict[str, list[Record]]:
    """Groups and memberships as the export compares them (group_fields.py's views)."""
    api, customer = session.api, session.settings.customer
    groups: list[Record] = []
    members: list[Record] = []
    for group in list_groups(api, customer=customer):
        email = str(group.get("email") or "").lower()
        if not email:
            continue
        view: dict[str, Value] = {"email": email, "name": str(group.get("name") or "")}
        joined = join_key(str(group.get("description") or ""))
        if joined:
            view["joinKey"] = joined
        aliases = sorted(str(a).lower() for a in cast(list[str], group.get("aliases") or []))
        if aliases:
            view["aliases"] = aliases
        groups.append(Record(email, view))
        for member in list_members(api, email):
            address = str(member.get("email") or "").lower()
            if address:
                role = "OWNER" if member.get("role") in TEACHING else "MEMBER"
                member_view: dict[str, Value] = {"group": email, "member": address, "role": role}
                members.append(Record(f"{email}/{address}", member_view))
    return {"classes": groups, "enrollments": members}


def _school(options: GoogleOptions, members: list[tuple[Record, str]]) -> str | None:
    ordered = [u for u, r in members if r in TEACHING] + [
        u for u, r in members if r not in TEACHING
    ]
    for user in ordered:
        rule = options.import_rule(str(user.fields.get("orgUnitPath") or "/"))
        if rule is not None:
            return rule.school
    return None
