"""The Google test server's directory: users, OUs, groups, members, aliases.

Behaves as the Directory API does where a client can notice: 409 duplicate for a taken
address, 400 `Invalid Input: INVALID_OU_ID` for an OU path that does not exist, renaming
primaryEmail keeps the old address as an alias (and the user is found by it), an empty
listing leaves the list key out, and a user just created may be missing from listings
for a while (`lag_lists` listings, or `lag_s` seconds): eventual consistency.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

import google_discovery

USER_FIELDS = google_discovery.fields("User")
NAME_FIELDS = google_discovery.fields("UserName")
READ_ONLY_USER = frozenset({"id", "kind", "etag", "creationTime", "customerId", "isAdmin"})
ROLES = ("OWNER", "MANAGER", "MEMBER")


class GError(Exception):
    """An answer in Google's JSON error format."""

    STATUS_WORDS: ClassVar[dict[int, str]] = {
        400: "INVALID_ARGUMENT",
        401: "UNAUTHENTICATED",
        403: "PERMISSION_DENIED",
        404: "NOT_FOUND",
        409: "ALREADY_EXISTS",
        412: "FAILED_PRECONDITION",
        429: "RESOURCE_EXHAUSTED",
        500: "INTERNAL",
        503: "UNAVAILABLE",
    }

    def __init__(self, code: int, reason: str, message: str, domain: str = "global") -> None:
        super().__init__(message)
        self.code, self.reason, self.message, self.domain = code, reason, message, domain

    def body(self) -> dict[str, Any]:
        return {
            "error": {
                "code": self.code,
                "message": self.message,
                "errors": [{"message": self.message, "domain": self.domain, "reason": self.reason}],
                "status": self.STATUS_WORDS.get(self.code, "UNKNOWN"),
            }
        }


def invalid(what: str) -> GError:
    return GError(400, "invalid", f"Invalid Input: {what}")


def not_found(what: str) -> GError:
    return GError(404, "notFound", f"Resource Not Found: {what}")


def duplicate(message: str = "Entity already exists.") -> GError:
    return GError(409, "duplicate", message)


def etag(record: dict[str, Any]) -> str:
    return '"' + hashlib.sha1(repr(sorted(record.items())).encode()).hexdigest()[:20] + '"'


@dataclass
class Directory:
    domain: str = "district.example"
    customer_id: str = "C01passport"
    lag_lists: int = 0  # a new user is missing from this many listings
    lag_s: float = 0.0  # ... or for this many seconds
    users: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> user
    emails: dict[str, str] = field(default_factory=dict)  # primary or alias -> user id
    passwords: dict[str, str] = field(default_factory=dict)  # id -> the password sent
    hidden: dict[str, tuple[int, float]] = field(default_factory=dict)  # id -> (lists, until)
    ous: dict[str, dict[str, Any]] = field(default_factory=dict)  # path -> OU
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> group
    group_emails: dict[str, str] = field(default_factory=dict)
    members: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(100000000001))

    def __post_init__(self) -> None:
        self.ous["/"] = {"orgUnitPath": "/", "orgUnitId": "id:root", "name": self.domain}

    def new_id(self) -> str:
        return str(next(self._ids))

    # --- users -------------------------------------------------------------------------

    def user_id(self, key: str) -> str:
        key = key.lower()
        if key in self.users:
            return key
        if key in self.emails:
            return self.emails[key]
        raise not_found("userKey")

    def insert_user(self, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self._check_user_fields(body)
            email = str(body.get("primaryEmail") or "").lower()
            name = body.get("name") or {}
            if not email:
                raise invalid("primary_user_email")
            if (
                not isinstance(name, dict)
                or not name.get("givenName")
                or not name.get("familyName")
            ):
                raise invalid("Missing required field: name")
            if not body.get("password"):
                raise invalid("Missing required field: password")
            self._check_domain(email)
            if email in self.emails:
                raise duplicate()
            path = self._existing_ou(str(body.get("orgUnitPath") or "/"))
            uid = self.new_id()
            user = {k: v for k, v in body.items() if k != "password"}
            user.update(
                kind="admin#directory#user",
                id=uid,
                primaryEmail=email,
                orgUnitPath=path,
                customerId=self.customer_id,
                isAdmin=bool(body.get("isAdmin", False)),
                suspended=bool(body.get("suspended", False)),
                creationTime=time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
                name={**name, "fullName": f"{name['givenName']} {name['familyName']}"},
            )
            user["etag"] = etag(user)
            self.users[uid] = user
            self.emails[email] = uid
            self.passwords[uid] = str(body["password"])
            if self.lag_lists or self.lag_s:
                self.hidden[uid] = (self.lag_lists, time.monotonic() + self.lag_s)
            return dict(user)

    def update_user(self, key: str, body: dict[str, Any], *, replace: bool) -> dict[str, Any]:
        with self.lock:
            uid = self.user_id(key)
            self._check_user_fields(body)
            user = self.users[uid]
            updated = dict(user)
            if replace:  # PUT: fields left out are cleared, except the ones Google keeps
                kept = {"id", "kind", "primaryEmail", "orgUnitPath", "customerId", "creationTime"}
                updated = {k: v for k, v in user.items() if k in kept or k == "aliases"}
            updated.update({k: v for k, v in body.items() if k not in READ_ONLY_USER})
            updated.pop("password", None)
            if "orgUnitPath" in body:
                updated["orgUnitPath"] = self._existing_ou(str(body["orgUnitPath"]))
            new_email = str(body.get("primaryEmail") or user["primaryEmail"]).lower()
            if new_email != user["primaryEmail"]:
                self._rename(uid, user, updated, new_email)
            if "password" in body:
                self.passwords[uid] = str(body["password"])
            if "suspended" in body:
                updated["suspended"] = bool(body["suspended"])
                updated["suspensionReason"] = "ADMIN" if updated["suspended"] else ""
            updated["etag"] = etag({k: v for k, v in updated.items() if k != "etag"})
            self.users[uid] = updated
            return dict(updated)

    def _rename(self, uid: str, user: dict[str, Any], updated: dict[str, Any], email: str) -> None:
        self._check_domain(email)
        holder = self.emails.get(email)
        if holder is not None and holder != uid:
            raise duplicate()
        old = user["primaryEmail"]
        aliases = [a for a in user.get("aliases", []) if a != email]
        updated["aliases"] = [*aliases, old]
        updated["primaryEmail"] = email
        self.emails[email] = uid  # the old address stays, now as an alias

    def delete_user(self, key: str) -> None:
        with self.lock:
            uid = self.user_id(key)
            user = self.users.pop(uid)
            for address in [user["primaryEmail"], *user.get("aliases", [])]:
                self.emails.pop(address, None)
            for group in self.members.values():
                group.pop(user["primaryEmail"], None)
            self.hidden.pop(uid, None)

    def listed_users(self, first_page: bool) -> list[dict[str, Any]]:
        """The users a listing shows now; a first page counts as one listing for the lag."""
        with self.lock:
            now = time.monotonic()
            shown = []
            for uid, user in self.users.items():
                lag = self.hidden.get(uid)
                if lag is not None:
                    lists, until = lag
                    if lists > 0 or now < until:
                        if first_page:
                            self.hidden[uid] = (lists - 1, until)
                        continue
                    del self.hidden[uid]
                shown.append(user)
            return shown

    def _check_user_fields(self, body: dict[str, Any]) -> None:
        unknown = sorted(set(body) - USER_FIELDS)
        if unknown:
            raise GError(
                400, "invalid", f'Invalid JSON payload received. Unknown name "{unknown[0]}"'
            )
        name = body.get("name")
        if isinstance(name, dict) and set(name) - NAME_FIELDS:
            bad = sorted(set(name) - NAME_FIELDS)[0]
            raise GError(400, "invalid", f'Invalid JSON payload received. Unknown name "{bad}"')

    def _check_domain(self, email: str) -> None:
        if email.rpartition("@")[2] != self.domain:
            raise GError(400, "invalid", "Invalid Input: primary_user_email")

    # --- OUs ---------------------------------------------------------------------------

    def _existing_ou(self, path: str) -> str:
        path = "/" + path.strip("/") if path != "/" else "/"
        if path not in self.ous:
            raise invalid("INVALID_OU_ID")
        return path

    def ou(self, key: str) -> dict[str, Any]:
        with self.lock:
            if key.startswith("id:"):
                found = next((o for o in self.ous.values() if o["orgUnitId"] == key), None)
            else:
                found = self.ous.get("/" + key.strip("/"))
            if found is None or found["orgUnitPath"] == "/":
                raise GError(404, "notFound", "Org unit not found")
            return dict(found)

    def insert_ou(self, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            unknown = sorted(set(body) - google_discovery.fields("OrgUnit"))
            if unknown:
                raise GError(
                    400, "invalid", f'Invalid JSON payload received. Unknown name "{unknown[0]}"'
                )
            name = str(body.get("name") or "").strip()
            if not name or "/" in name:
                raise invalid("name")
            parent = self._parent(body)
            path = ("" if parent["orgUnitPath"] == "/" else parent["orgUnitPath"]) + "/" + name
            if path in self.ous:
                raise duplicate("Org unit already exists.")
            ou = {
                "kind": "admin#directory#orgUnit",
                "name": name,
                "description": str(body.get("description") or ""),
                "orgUnitPath": path,
                "orgUnitId": "id:" + hashlib.sha1(path.encode()).hexdigest()[:12],
                "parentOrgUnitPath": parent["orgUnitPath"],
                "parentOrgUnitId": parent["orgUnitId"],
                "blockInheritance": False,
            }
            ou["etag"] = etag(ou)
            self.ous[path] = ou
            return dict(ou)

    def _parent(self, body: dict[str, Any]) -> dict[str, Any]:
        if body.get("parentOrgUnitId"):
            found = next(
                (o for o in self.ous.values() if o["orgUnitId"] == body["parentOrgUnitId"]), None
            )
        else:
            raw = str(body.get("parentOrgUnitPath") or "/")
            found = self.ous.get("/" + raw.strip("/") if raw.strip("/") else "/")
        if found is None:
            raise GError(400, "invalid", "Invalid Parent Orgunit Id")
        return found

    def listed_ous(self, under: str, kind: str) -> list[dict[str, Any]]:
        with self.lock:
            base = "/" + under.strip("/") if under.strip("/") else "/"
            if base not in self.ous:
                raise GError(404, "notFound", "Org unit not found")
            prefix = base.rstrip("/") + "/"
            found = []
            for path, ou in self.ous.items():
                if path == "/":
                    continue
                inside = path.startswith(prefix)
                child = inside and "/" not in path[len(prefix) :]
                if (kind == "children" and child) or (kind != "children" and inside):
                    found.append(dict(ou))
            if kind == "allIncludingParent" and base != "/":
                found.insert(0, dict(self.ous[base]))
            return found

    # --- groups and members ------------------------------------------------------------

    def group_id(self, key: str) -> str:
        key = key.lower()
        if key in self.groups:
            return key
        if key in self.group_emails:
            return self.group_emails[key]
        raise not_found("groupKey")

    def insert_group(self, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            unknown = sorted(set(body) - google_discovery.fields("Group"))
            if unknown:
                raise GError(
                    400, "invalid", f'Invalid JSON payload received. Unknown name "{unknown[0]}"'
                )
            email = str(body.get("email") or "").lower()
            if "@" not in email:
                raise invalid("email")
            if email in self.group_emails or email in self.emails:
                raise duplicate()
            gid = "0" + hashlib.sha1(email.encode()).hexdigest()[:14]
            group = {
                "kind": "admin#directory#group",
                "id": gid,
                "email": email,
                "name": str(body.get("name") or email.partition("@")[0]),
                "description": str(body.get("description") or ""),
                "adminCreated": True,
                "directMembersCount": "0",
            }
            group["etag"] = etag(group)
            self.groups[gid] = group
            self.group_emails[email] = gid
            self.members[gid] = {}
            return dict(group)

    def group(self, key: str) -> dict[str, Any]:
        with self.lock:
            gid = self.group_id(key)
            return {**self.groups[gid], "directMembersCount": str(len(self.members[gid]))}

    def patch_group(self, key: str, body: dict[str, Any]) -> dict[str, Any]:
        """Change a group's name and description (its address stays)."""
        with self.lock:
            gid = self.group_id(key)
            group = self.groups[gid]
            for name in ("name", "description"):
                if name in body:
                    group[name] = str(body[name] or "")
            group["etag"] = etag({k: v for k, v in group.items() if k != "etag"})
            return dict(group)

    def delete_group(self, key: str) -> None:
        with self.lock:
            gid = self.group_id(key)
            group = self.groups.pop(gid)
            self.group_emails.pop(group["email"], None)
            self.members.pop(gid, None)

    def insert_member(self, group_key: str, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            gid = self.group_id(group_key)
            email = str(body.get("email") or "").lower()
            role = str(body.get("role") or "MEMBER")
            if role not in ROLES:
                raise invalid("role")
            if not email:
                raise invalid("memberKey")
            if email in self.emails:
                kind, mid = "USER", self.emails[email]
                email = self.users[mid]["primaryEmail"]
            elif email in self.group_emails:
                kind, mid = "GROUP", self.group_emails[email]
            elif email.rpartition("@")[2] == self.domain:
                raise not_found("memberKey")
            else:
                kind, mid = "USER", hashlib.sha1(email.encode()).hexdigest()[:12]
            if email in self.members[gid]:
                raise duplicate("Member already exists.")
            member = {
                "kind": "admin#directory#member",
                "id": mid,
                "email": email,
                "role": role,
                "type": kind,
                "status": "ACTIVE",
            }
            member["etag"] = etag(member)
            self.members[gid][email] = member
            return dict(member)

    def delete_member(self, group_key: str, member_key: str) -> None:
        with self.lock:
            gid = self.group_id(group_key)
            key = member_key.lower()
            if key in self.emails:
                key = self.users[self.emails[key]]["primaryEmail"]
            if self.members[gid].pop(key, None) is None:
                raise not_found("memberKey")

    def listed_members(self, group_key: str, roles: set[str]) -> list[dict[str, Any]]:
        with self.lock:
            gid = self.group_id(group_key)
            return [dict(m) for m in self.members[gid].values() if not roles or m["role"] in roles]
