"""Typed readers and writers of the Directory API: users, OUs, groups and members.

Readers page through a listing and yield Google's records as they come. Writers send
their calls through the batch endpoint and return one `Result` per item, in order:
an item that failed (409 duplicate, 400 for an OU that does not exist, a budget spent
on rate limits) is a Result with its reason, never an exception, so the caller can link,
hold or report it. `create_ou` and `create_group` are single calls and raise ApiError.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, TypedDict, cast
from urllib.parse import quote

from passport.connectors.google_workspace.batch import execute
from passport.connectors.google_workspace.http import Api, Call, Result
from passport.connectors.google_workspace.problems import ApiError

V1 = "/admin/directory/v1"
ROLES = ("OWNER", "MANAGER", "MEMBER")
MAX_GROUP_PAGE = 200  # groups.list and members.list allow 200; users.list 500


class UserName(TypedDict, total=False):
    givenName: str
    familyName: str
    fullName: str


class User(TypedDict, total=False):
    id: str
    primaryEmail: str
    name: UserName
    orgUnitPath: str
    suspended: bool
    aliases: list[str]
    externalIds: list[dict[str, str]]
    organizations: list[dict[str, Any]]
    changePasswordAtNextLogin: bool
    password: str
    creationTime: str


class OrgUnit(TypedDict, total=False):
    orgUnitId: str
    orgUnitPath: str
    name: str
    parentOrgUnitPath: str
    parentOrgUnitId: str
    description: str


class Group(TypedDict, total=False):
    id: str
    email: str
    name: str
    description: str
    directMembersCount: str


class Member(TypedDict, total=False):
    id: str
    email: str
    role: str
    type: str
    status: str


def _key(value: str) -> str:
    return quote(value, safe="@")


# --- readers -----------------------------------------------------------------------------


def list_users(
    api: Api,
    *,
    customer: str = "my_customer",
    domain: str | None = None,
    org_unit: str | None = None,
    query: str | None = None,
    order_by: str | None = None,
    page_size: int | None = None,
) -> Iterator[User]:
    """The users of the customer (or of one domain), optionally under one OU (with its
    sub-OUs, as Google's `orgUnitPath=` query matches) and filtered by a query."""
    params = {"maxResults": str(min(500, page_size or api.tuning.page_size))}
    params.update({"domain": domain} if domain else {"customer": customer})
    clauses = [f"orgUnitPath='{_quoted(org_unit)}'"] if org_unit else []
    clauses += [query] if query else []
    if clauses:
        params["query"] = " ".join(clauses)
    if order_by:
        params["orderBy"] = order_by
    for item in api.pages(f"{V1}/users", params, "users"):
        yield cast(User, item)


def _quoted(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


def get_user(api: Api, key: str) -> User | None:
    """One user by id, primary email or alias; None when there is none."""
    result = api.result(Call("GET", f"{V1}/users/{_key(key)}", key=key))
    if result.status == 404:
        return None
    if not result.ok:
        raise ApiError(result.message or "failed", result.status, result.reason)
    return cast(User, result.data)


def list_ous(api: Api, *, customer: str = "my_customer", under: str = "/") -> list[OrgUnit]:
    """Every OU below `under` (all levels; `under` itself not included)."""
    params = {"type": "all"}
    if under != "/":
        params["orgUnitPath"] = under
    page = api.call(Call("GET", f"{V1}/customer/{_key(customer)}/orgunits", params))
    found = page.get("organizationUnits", []) if isinstance(page, dict) else []
    return [cast(OrgUnit, item) for item in found]


def list_groups(
    api: Api, *, customer: str = "my_customer", domain: str | None = None
) -> Iterator[Group]:
    params = {"maxResults": str(min(MAX_GROUP_PAGE, api.tuning.page_size))}
    params.update({"domain": domain} if domain else {"customer": customer})
    for item in api.pages(f"{V1}/groups", params, "groups"):
        yield cast(Group, item)


def list_members(api: Api, group: str, *, roles: Sequence[str] = ()) -> Iterator[Member]:
    params = {"maxResults": str(min(MAX_GROUP_PAGE, api.tuning.page_size))}
    if roles:
        params["roles"] = ",".join(roles)
    for item in api.pages(f"{V1}/groups/{_key(group)}/members", params, "members"):
        yield cast(Member, item)


# --- writers -----------------------------------------------------------------------------


def create_users(api: Api, users: Sequence[User]) -> list[Result]:
    """Insert each user (a password is required by Google and never shown in a message)."""
    for user in users:
        api.redact.add(user.get("password"))
    calls = [
        Call("POST", f"{V1}/users", body=cast(Mapping[str, Any], user), key=_email(user))
        for user in users
    ]
    return execute(api, calls)


def update_users(api: Api, changes: Sequence[tuple[str, User]]) -> list[Result]:
    """Patch each user (key: id or primary email) with the fields given. Renaming
    primaryEmail makes Google keep the old address as an alias."""
    for _, fields in changes:
        api.redact.add(fields.get("password"))
    calls = [
        Call("PATCH", f"{V1}/users/{_key(key)}", body=cast(Mapping[str, Any], fields), key=key)
        for key, fields in changes
    ]
    return execute(api, calls)


def suspend_users(api: Api, keys: Sequence[str], *, move_to: str | None = None) -> list[Result]:
    """Suspend each user, and move it to `move_to` (an OU path) when given."""
    fields: User = {"suspended": True}
    if move_to:
        fields["orgUnitPath"] = move_to
    return update_users(api, [(key, fields) for key in keys])


def delete_users(api: Api, keys: Sequence[str]) -> list[Result]:
    calls = [Call("DELETE", f"{V1}/users/{_key(key)}", key=key) for key in keys]
    return execute(api, calls)


def create_ou(
    api: Api, path: str, *, customer: str = "my_customer", description: str | None = None
) -> OrgUnit:
    """Create the OU at `path` (its parent must exist). Raises ApiError (409 duplicate
    when it exists, 400 when the parent does not)."""
    parent, _, name = path.rstrip("/").rpartition("/")
    body: dict[str, Any] = {"name": name, "parentOrgUnitPath": parent or "/"}
    if description:
        body["description"] = description
    call = Call("POST", f"{V1}/customer/{_key(customer)}/orgunits", body=body, key=path)
    return cast(OrgUnit, api.call(call))


def create_group(api: Api, email: str, name: str, description: str | None = None) -> Group:
    """Create a group. Raises ApiError (409 duplicate when the address is taken)."""
    body: dict[str, Any] = {"email": email, "name": name}
    if description:
        body["description"] = description
    return cast(Group, api.call(Call("POST", f"{V1}/groups", body=body, key=email)))


def delete_group(api: Api, group: str) -> None:
    api.call(Call("DELETE", f"{V1}/groups/{_key(group)}", key=group))


def add_members(api: Api, group: str, members: Sequence[tuple[str, str]]) -> list[Result]:
    """Add (email, role) pairs to a group; role is OWNER, MANAGER or MEMBER."""
    for _, role in members:
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    calls = [
        Call(
            "POST",
            f"{V1}/groups/{_key(group)}/members",
            body={"email": email, "role": role},
            key=email,
        )
        for email, role in members
    ]
    return execute(api, calls)


def remove_members(api: Api, group: str, emails: Sequence[str]) -> list[Result]:
    calls = [
        Call("DELETE", f"{V1}/groups/{_key(group)}/members/{_key(email)}", key=email)
        for email in emails
    ]
    return execute(api, calls)


def _email(user: User) -> str:
    return str(user.get("primaryEmail", ""))
