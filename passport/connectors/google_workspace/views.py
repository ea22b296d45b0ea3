"""A Google user as passport compares it: flat fields, values str or list of str.

| view field    | Directory API                                        |
|---------------|------------------------------------------------------|
| primaryEmail  | primaryEmail                                         |
| givenName     | name.givenName                                       |
| familyName    | name.familyName                                      |
| orgUnitPath   | orgUnitPath                                          |
| suspended     | suspended ("true" / "false")                         |
| externalId    | externalIds[type=organization].value: the join key, the store's sourcedId |
| employeeId    | externalIds[type=custom, customType=employeeId].value |
| googleId      | id (read only)                                       |
| aliases       | aliases (read only: addresses taken)                 |

Two fields are passport's bookkeeping: `origin` (created: this activation created the
account and may delete it; linked: it adopted an existing one), kept in the base and, for
a created account, also as externalIds[type=custom, customType=passportOrigin] with the
value `passport:<activation name>` (`origin_marker`), so that an apply killed between the
create and its base still knows, and another activation on the same domain never takes
the account for its own; and `suspendedOn` (the day it suspended the account, for
`delete_after`), in the base only. An account read from Google shows the marker it
carries as `createdBy`. The marker of earlier versions, plain `passport`, named no
activation: it counts as no one's (`LEGACY_MARKER`), so such an account without a base is
linked, never deleted.

A record's key is its join key when it has one, else `google:` and its id.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from passport.model import Fields, Value

UNLINKED = "google:"
BOOKKEEPING = frozenset({"origin", "suspendedOn"})
READ_ONLY = frozenset({"googleId", "aliases", "createdBy"})
# What the plan compares of a user: what passport writes, and its own bookkeeping.
MANAGED = (
    "primaryEmail",
    "givenName",
    "familyName",
    "orgUnitPath",
    "suspended",
    "externalId",
    "employeeId",
    *sorted(BOOKKEEPING),
)
JOIN_TYPE = "organization"
EMPLOYEE_TYPE = "employeeId"
ORIGIN_TYPE = "passportOrigin"
LEGACY_MARKER = "passport"  # what every activation wrote before markers named one


def origin_marker(activation: str) -> str:
    """The passportOrigin value of the accounts `activation` creates. The activation's name
    is in its file name and its plans already: no secret, nothing personal."""
    return f"{LEGACY_MARKER}:{activation}"


def user_view(user: Mapping[str, Any]) -> tuple[str, dict[str, Value]]:
    """(key, view) of a Directory API user."""
    name = user.get("name") or {}
    view: dict[str, Value] = {
        "primaryEmail": str(user.get("primaryEmail") or "").lower(),
        "givenName": str(name.get("givenName") or ""),
        "familyName": str(name.get("familyName") or ""),
        "orgUnitPath": str(user.get("orgUnitPath") or "/"),
        "suspended": "true" if user.get("suspended") else "false",
        "googleId": str(user.get("id") or ""),
    }
    join = employee = origin = None
    for entry in user.get("externalIds") or ():
        if not isinstance(entry, Mapping):
            continue
        if entry.get("type") == JOIN_TYPE and join is None:
            join = str(entry.get("value") or "") or None
        elif entry.get("type") == "custom" and entry.get("customType") == EMPLOYEE_TYPE:
            employee = str(entry.get("value") or "") or None
        elif entry.get("type") == "custom" and entry.get("customType") == ORIGIN_TYPE:
            origin = str(entry.get("value") or "") or None
    if join:
        view["externalId"] = join
    if employee:
        view["employeeId"] = employee
    if origin:
        view["createdBy"] = origin
    aliases = [str(a).lower() for a in user.get("aliases") or ()]
    if aliases:
        view["aliases"] = sorted(aliases)
    return (join or UNLINKED + str(view["googleId"])), view


def user_body(view: Fields, *, full: bool, marker: str) -> dict[str, Any]:
    """The Directory API body that makes Google hold `view` (bookkeeping left out). With
    `full`, every managed field is sent (a create); else only those present (a patch).
    `marker`: this activation's `origin_marker`, kept on an account it created."""
    body: dict[str, Any] = {}
    if view.get("primaryEmail"):
        body["primaryEmail"] = view["primaryEmail"]
    if "givenName" in view or "familyName" in view or full:
        body["name"] = {
            "givenName": str(view.get("givenName") or ""),
            "familyName": str(view.get("familyName") or ""),
        }
    if view.get("orgUnitPath"):
        body["orgUnitPath"] = view["orgUnitPath"]
    if "suspended" in view:
        body["suspended"] = view["suspended"] == "true"
    if "externalId" in view or "employeeId" in view or full:
        ids = []
        if view.get("externalId"):
            ids.append({"type": JOIN_TYPE, "value": view["externalId"]})
        if view.get("employeeId"):
            ids.append({"type": "custom", "customType": EMPLOYEE_TYPE, "value": view["employeeId"]})
        if view.get("origin") == "created":  # kept on every write: externalIds is one list
            ids.append({"type": "custom", "customType": ORIGIN_TYPE, "value": marker})
        body["externalIds"] = ids
    return body
