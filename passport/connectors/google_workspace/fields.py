"""The field map of google-workspace: store users <-> Google users (views.py's flat view).

It lives in the application's folder, not in `passport/mapping/`, because everything in it
is Google's: its OU rules, email templates, join key and ownership bookkeeping. The
mapping floor keeps only what every application shares (scope, shield, OneRoster's map,
authority); the plan reaches this one through the `FieldMap` protocol and the optional
hooks it documents (`prepare`, `app_view`, `missing`, `retire`, `excluders`, `authority`,
`view_fields`, `link_reason`).

Import: a Google user's OU picks the first `ou_rules` entry matching it (role, school,
grade); the Google id is kept as the `userIds` entry `google:<id>`. A user matched by no
rule is out of scope with that reason.

Export: `prepare` links accounts to store users and gives each its address
(linking.py); `fields_to_app` builds the account a store user should have.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from passport.connectors.google_workspace.group_fields import GroupMap
from passport.connectors.google_workspace.linking import CREATED, Links, link
from passport.connectors.google_workspace.options import GoogleOptions
from passport.connectors.google_workspace.templates import clean_email
from passport.connectors.google_workspace.values import template_values
from passport.connectors.google_workspace.views import (
    BOOKKEEPING,
    MANAGED,
    UNLINKED,
    origin_marker,
)
from passport.model import Activation, Fields, Mode, Record, Value

GOOGLE_ID = "google:"  # the userIds entry of a user's Google id
OUT_NO_RULE = "its OU matches no ou_rules entry"
SUSPENDED_REASON = "suspended: gone from the store (suspend, don't delete)"
# Google decides these; in two-way they come back into the store without the conflict
# policy unless the activation's `authority` says otherwise.
DEFAULT_AUTHORITY = {
    "primaryEmail": "app",
    "googleId": "app",
    "orgUnitPath": "store",
    "suspended": "store",
    "externalId": "store",
    "employeeId": "store",
    "origin": "store",
    "suspendedOn": "store",
}
# users.<store field> -> the view fields it is seen as
STORE_TO_VIEW = {
    "email": ("primaryEmail",),
    "userIds": ("googleId",),
    "givenName": ("givenName",),
    "familyName": ("familyName",),
    "identifier": ("employeeId",),
    "sourcedId": ("externalId",),
}
GROUP_VIEWS = {"classes": ("email", "name", "joinKey"), "enrollments": ("group", "member", "role")}


@dataclass
class GoogleFields:
    options: GoogleOptions
    mode: Mode
    links: Links = field(default_factory=Links)
    today: dt.date = field(default_factory=dt.date.today)
    orgs: dict[str, str] = field(default_factory=dict)  # store school id -> name
    other_ids: dict[str, list[str]] = field(default_factory=dict)  # key -> non-Google userIds
    store_emails: dict[str, str] = field(default_factory=dict)  # key -> users.email (two-way)
    usernames: dict[str, str] = field(default_factory=dict)  # key -> the store's username
    ous: frozenset[str] | None = None  # the OUs Google has; None: unknown
    unruled: dict[str, str] = field(default_factory=dict)  # import: key -> OU no rule matched
    unfilled: dict[str, str] = field(default_factory=dict)  # export: key -> why it has no address
    kept: dict[str, dict[str, str]] = field(default_factory=dict)  # key -> base bookkeeping
    groups: GroupMap | None = None  # groups per class (export `groups:`)
    marker: str = ""  # this activation's passportOrigin value (views.origin_marker)

    @classmethod
    def of(cls, activation: Activation) -> GoogleFields:
        options = GoogleOptions.of(activation.delivery)
        reads_back = activation.mode is Mode.TWO_WAY and options.groups_as_classes
        groups = (
            GroupMap(options, reads_back=reads_back)
            if options.groups and activation.mode is not Mode.IMPORT
            else None
        )
        return cls(options, activation.mode, groups=groups, marker=origin_marker(activation.name))

    # --- keys -------------------------------------------------------------------------

    def key_to_app(self, entity: str, key: str) -> str:
        if entity == "users":
            return self.links.app_of.get(key, key)
        return self.groups.key_to_app(entity, key) if self.groups else key

    def key_to_store(self, entity: str, key: str) -> str:
        if entity == "users":
            return self.links.store_of.get(key, key)
        return self.groups.key_to_store(entity, key) if self.groups else key

    # --- Google -> store ----------------------------------------------------------------

    def fields_to_store(self, entity: str, key: str, fields: Fields) -> Fields:
        if entity == "enrollments" and self.groups is not None and self.groups.reads_back:
            return self.groups.enrollment_to_store(key, fields)
        if entity != "users":
            return fields
        path = str(fields.get("orgUnitPath") or "/")
        rule = self.options.import_rule(path)
        out: dict[str, Value] = {}
        for name in ("givenName", "familyName"):
            if fields.get(name):
                out[name] = fields[name]
        email = fields.get("primaryEmail")
        if isinstance(email, str) and email:
            out["email"] = email
        # A user the store has keeps its username (the SIS's); a new one signs in with its
        # address.
        username = self.usernames.get(key) or email
        if isinstance(username, str) and username:
            out["username"] = username
        google_id = fields.get("googleId")
        ids = list(self.other_ids.get(key, ()))
        if isinstance(google_id, str) and google_id:
            ids.append(GOOGLE_ID + google_id)
        if ids:
            out["userIds"] = ids
        if fields.get("employeeId"):
            out["identifier"] = fields["employeeId"]
        if "suspended" in fields:
            out["enabledUser"] = "false" if fields["suspended"] == "true" else "true"
        if rule is None:
            self.unruled[key] = path
            return out
        out["role"] = rule.role
        out["orgSourcedIds"] = [rule.school]
        if rule.grade:
            out["grades"] = [rule.grade]
        return out

    def store_converter(self, entity: str) -> Callable[[str, Fields], Fields] | None:
        if entity != "users":
            return None
        return lambda key, fields: self.fields_to_store(entity, key, fields)

    def excluders(self) -> Mapping[str, Callable[[str, Fields], str | None]]:
        """Why a user read from Google is out of scope before any other check."""
        unruled = self.unruled
        return {"users": lambda key, fields: OUT_NO_RULE if key in unruled else None}

    # --- store -> Google ----------------------------------------------------------------

    def prepare(
        self,
        entity: str,
        *,
        wanted: Iterable[tuple[str, Fields]],
        app: Iterable[Record],
        bases: Mapping[str, Fields | None],
        orgs: Mapping[str, Fields],
        today: dt.date,
        facts: Mapping[str, Any],
        lookup: Callable[[str, list[str]], Iterable[Record]] | None = None,
    ) -> None:
        """Before an export or two-way plan of `entity`: link accounts and give addresses.
        `wanted`: the store records in scope, shared and shielded, in store space;
        `lookup(entity, addresses)`: the application's records at those addresses."""
        self.orgs = {k: str(v.get("name") or k) for k, v in orgs.items()}
        if entity != "users":
            if self.groups is not None and entity == "classes":
                groups = {rec.key: rec.fields for rec in app if not rec.deleted}
                self.groups.prepare_classes(wanted, bases, self.orgs, groups)
            elif self.groups is not None and entity == "enrollments":
                self.groups.prepare_enrollments(wanted, self.links.email, bases)
            return
        self.today = today
        ous = facts.get("orgunits")
        self.ous = frozenset(ous) if isinstance(ous, (list, set, frozenset, tuple)) else None
        records = dict(wanted)
        self.kept = {
            key: {n: str(base[n]) for n in BOOKKEEPING if isinstance(base.get(n), str)}
            for key, base in bases.items()
            if base
        }
        for key, fields in records.items():
            ids = fields.get("userIds") or []
            ids = [ids] if isinstance(ids, str) else list(ids)
            self.other_ids[key] = [i for i in ids if not i.startswith(GOOGLE_ID)]
            username = fields.get("username")
            if isinstance(username, str) and username:
                self.usernames[key] = username
            email = fields.get("email")
            if isinstance(email, str) and email.lower().endswith("@" + self.options.domain):
                self.store_emails[key] = email.lower()
        accounts = {rec.key: rec.fields for rec in app if not rec.deleted}
        if lookup is not None:
            # Created before but not listed yet (a listing lags behind a create): asked for
            # by address, so a re-plan right after an apply plans no duplicate.
            unlisted = [
                str(base["primaryEmail"])
                for key, base in bases.items()
                if key not in accounts and base and base.get("primaryEmail")
            ]
            if unlisted:
                accounts.update((r.key, r.fields) for r in lookup(entity, unlisted))

        def candidate(key: str) -> str | None:
            fields = records[key]
            values = self._values(key, fields)
            rule = self.options.email_rule(*_who(fields, values))
            if rule is None:
                self.unfilled[key] = "no email rule matches it (check email and its when)"
                return None
            rendered = rule.template.render(values)
            address = clean_email(rendered) if rendered else None
            if address is None:
                lacking = ", ".join(rule.template.missing(values)) or "a usable local part"
                self.unfilled[key] = f"the email template cannot be filled: it needs {lacking}"
            return address

        self.links = link(
            records,
            candidate,
            accounts,
            bases,
            marker=self.marker,
            app_email_wins=self._authority_of("primaryEmail") == "app",
        )

    def fields_to_app(self, entity: str, key: str, fields: Fields) -> Fields:
        if entity != "users":
            if self.groups is not None and entity == "classes":
                return self.groups.class_view(key, fields, self.orgs)
            if self.groups is not None and entity == "enrollments":
                return self.groups.enrollment_view(key, fields)
            return fields
        links = self.links
        view: dict[str, Value] = {"externalId": key, "suspended": "false"}
        for name in ("givenName", "familyName"):
            if fields.get(name):
                view[name] = fields[name]
        if fields.get("identifier"):
            view["employeeId"] = fields["identifier"]
        email = self._email(key)
        if email:
            view["primaryEmail"] = email
        values = self._values(key, fields)
        rule = self.options.ou_rule(
            str(fields.get("role") or ""),
            _list(fields.get("orgSourcedIds")),
            _list(values.get("grades")),
        )
        path = rule.template.render(values) if rule else None
        if path:
            view["orgUnitPath"] = "/" + "/".join(p.strip() for p in path.split("/") if p.strip())
        view["origin"] = links.origin.get(key, CREATED)
        if self.mode is Mode.TWO_WAY:
            google = _google_id(fields.get("userIds"))
            if google:
                view["googleId"] = google
        return view

    def _email(self, key: str) -> str | None:
        """The address the plan gives the account. In two-way, an account that exists is
        shown with the store's address (none until Google's came back), so Google's
        address flows into the store by authority."""
        if self.mode is Mode.TWO_WAY and key in self.links.exists:
            return self.store_emails.get(key)
        return self.links.email.get(key)

    def app_view(self, entity: str, key: str, fields: Fields) -> Fields:
        """A Google record as the plan compares it with `fields_to_app`: what passport
        manages of it, and this activation's bookkeeping for it."""
        if entity != "users":
            names = GROUP_VIEWS.get(entity, ()) if self.groups is not None else ()
            return {n: fields[n] for n in names if n in fields} if names else fields
        view = {n: fields[n] for n in MANAGED if n in fields and n not in BOOKKEEPING}
        kept = self.kept.get(key, {})
        origin = self.links.origin.get(key) or kept.get("origin")
        if origin and not key.startswith(UNLINKED):
            view["origin"] = origin
        if fields.get("suspended") == "true" and "suspendedOn" in kept:
            view["suspendedOn"] = kept["suspendedOn"]
        if self.mode is Mode.TWO_WAY and fields.get("googleId"):
            view["googleId"] = fields["googleId"]
        return view

    def missing(self, entity: str, view: Fields, key: str = "") -> str | None:
        """Why an account (a group, a membership) cannot be written as planned: held."""
        if entity != "users":
            return self.groups.missing(entity, key, view) if self.groups else None
        key = str(view.get("externalId") or "")
        if key in self.links.held:
            return self.links.held[key]
        if not view.get("primaryEmail") and key not in self.links.exists:
            return self.unfilled.get(key, "it has no address")
        if not view.get("givenName") or not view.get("familyName"):
            return "Google needs a givenName and a familyName, which the record does not have"
        path = view.get("orgUnitPath")
        if not path:
            return "no ou rule places it (check ou and its when: role, school, grade)"
        if self.ous is not None and not self.options.create_ous and path not in self.ous:
            return f"its OU {path} does not exist in Google (create it, or set create_ous: true)"
        return None

    def link_reason(self, entity: str, key: str) -> str:
        """Why an update of an account with no base is what it is: a first-sync link."""
        if entity == "users" and key in self.links.app_of:
            return "links an existing account (matched by the email template's address)"
        return "links an existing account (matched by externalIds)"

    def retire(
        self, entity: str, key: str, base: Fields, current: Fields
    ) -> tuple[str, Fields | None, str]:
        """What becomes of an account whose user left the store: ("suspend", the account
        suspended, why), ("delete", None, why) or ("keep", None, "")."""
        if entity != "users":
            return "delete", None, ""
        since = str(base.get("suspendedOn") or "")
        suspended = current.get("suspended", base.get("suspended")) == "true"
        after = self.options.delete_after_days
        if suspended and since:
            owned = base.get("origin") == CREATED
            if after is not None and owned:
                age = (self.today - dt.date.fromisoformat(since)).days
                if age >= after:
                    why = f"suspended since {since}, {age} days >= delete_after {after}d"
                    return "delete", None, why
            return "keep", None, ""
        view = dict(base)
        view.update({"suspended": "true", "suspendedOn": since or self.today.isoformat()})
        if self.options.suspend_ou:
            view["orgUnitPath"] = self.options.suspend_ou
        return "suspend", view, SUSPENDED_REASON

    # --- two-way --------------------------------------------------------------------------

    def authority(self) -> Mapping[str, str]:
        return DEFAULT_AUTHORITY if self.mode is Mode.TWO_WAY else {}

    def view_fields(self, entity: str, name: str) -> tuple[str, ...]:
        """The view fields a store field `name` is seen as (for `authority`)."""
        if entity != "users":
            return (name,)
        return STORE_TO_VIEW.get(name, (name,))

    def _authority_of(self, view_field: str) -> str:
        return DEFAULT_AUTHORITY.get(view_field, "") if self.mode is Mode.TWO_WAY else ""

    # --- template values ----------------------------------------------------------------

    def _values(self, key: str, fields: Fields) -> dict[str, str | list[str]]:
        domain, orgs = self.options.domain, self.orgs
        return template_values(key, fields, domain=domain, orgs=orgs, today=self.today)


def _who(fields: Fields, values: Mapping[str, str | list[str]]) -> tuple[str, list[str], list[str]]:
    """(role, schools, grades): what a rule's `when` matches."""
    return (
        str(fields.get("role") or ""),
        _list(fields.get("orgSourcedIds")),
        _list(values.get("grades")),
    )


def _list(value: Value | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _google_id(value: Value | None) -> str | None:
    for entry in _list(value):
        if entry.startswith(GOOGLE_ID):
            return entry[len(GOOGLE_ID) :]
    return None
