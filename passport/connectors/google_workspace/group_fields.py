"""Groups per class (export, `groups:`): the part of Google's field map for classes and
enrollments. A class is a group at the address its template gives (kept once given, in
the base); an enrollment is a membership of the class's group, teachers as OWNER.

| view (class)  | Directory API | view (enrollment) | Directory API             |
|---------------|---------------|-------------------|---------------------------|
| email         | group email   | group             | the group's email         |
| name          | group name    | member            | the member's email        |
|               |               | role              | OWNER / MEMBER            |

A group is keyed by its address; a membership by `<group>/<member>`. A group found at a
class's address is that class's (linked, as an account is by address).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from passport.connectors.google_workspace.options import GoogleOptions
from passport.connectors.google_workspace.templates import clean_email
from passport.model import Fields, Value

TEACHERS = frozenset({"teacher", "administrator", "aide", "proctor"})


def member_key(group: str, member: str) -> str:
    return f"{group}/{member}"


@dataclass
class GroupMap:
    options: GoogleOptions
    emails: dict[str, str] = field(default_factory=dict)  # class key -> group address
    class_of: dict[str, str] = field(default_factory=dict)  # group address -> class key
    enrollment_app: dict[str, str] = field(default_factory=dict)  # enrollment key -> app key
    enrollment_of: dict[str, str] = field(default_factory=dict)  # app key -> enrollment key
    unfilled: dict[str, str] = field(default_factory=dict)  # key -> why it cannot be written

    def prepare_classes(
        self,
        wanted: Iterable[tuple[str, Fields]],
        bases: Mapping[str, Fields | None],
        orgs: Mapping[str, str],
    ) -> None:
        groups = self.options.groups
        if groups is None:
            return
        for key, fields in wanted:
            agreed = bases.get(key) or {}
            address = str(agreed.get("email") or "") or self._address(key, fields, orgs)
            if address:
                self.emails[key] = address
                self.class_of[address] = key
        for key, base in bases.items():  # classes gone from the store keep their group
            if base and base.get("email") and key not in self.emails:
                self.class_of[str(base["email"])] = key
                self.emails[key] = str(base["email"])

    def _address(self, key: str, fields: Fields, orgs: Mapping[str, str]) -> str | None:
        assert self.options.groups is not None
        values = _values(key, fields, orgs, self.options.domain)
        rendered = self.options.groups.email.render(values)
        address = clean_email(rendered) if rendered else None
        if address is None:
            lacking = ", ".join(self.options.groups.email.missing(values)) or "a usable address"
            self.unfilled[key] = f"the group email template cannot be filled: it needs {lacking}"
        return address

    def prepare_enrollments(
        self,
        wanted: Iterable[tuple[str, Fields]],
        user_email: Mapping[str, str],
        bases: Mapping[str, Fields | None],
    ) -> None:
        for key, fields in wanted:
            group = self.emails.get(str(fields.get("classSourcedId") or ""))
            member = user_email.get(str(fields.get("userSourcedId") or ""))
            if group is None:
                self.unfilled[key] = "its class has no group (see the class's reason)"
            elif member is None:
                self.unfilled[key] = "its user has no Google account to add"
            else:
                app_key = member_key(group, member)
                self.enrollment_app[key], self.enrollment_of[app_key] = app_key, key
        for key, base in bases.items():
            if base and key not in self.enrollment_app and base.get("group") and base.get("member"):
                app_key = member_key(str(base["group"]), str(base["member"]))
                self.enrollment_app[key], self.enrollment_of[app_key] = app_key, key

    def key_to_app(self, entity: str, key: str) -> str:
        if entity == "classes":
            return self.emails.get(key, key)
        return self.enrollment_app.get(key, key)

    def key_to_store(self, entity: str, key: str) -> str:
        if entity == "classes":
            return self.class_of.get(key, key)
        return self.enrollment_of.get(key, key)

    def class_view(self, key: str, fields: Fields, orgs: Mapping[str, str]) -> Fields:
        assert self.options.groups is not None
        view: dict[str, Value] = {}
        if key in self.emails:
            view["email"] = self.emails[key]
        name = self.options.groups.name.render(_values(key, fields, orgs, self.options.domain))
        view["name"] = name or str(fields.get("title") or key)
        return view

    def enrollment_view(self, key: str, fields: Fields) -> Fields:
        app_key = self.enrollment_app.get(key)
        if app_key is None:
            return {"role": _role(fields)}
        group, _, member = app_key.rpartition("/")
        return {"group": group, "member": member, "role": _role(fields)}

    def missing(self, entity: str, key: str, view: Fields) -> str | None:
        if key in self.unfilled:
            return self.unfilled[key]
        needed = ("email",) if entity == "classes" else ("group", "member")
        if not all(view.get(n) for n in needed):
            return "it has no group to be written to"
        return None


def _role(fields: Fields) -> str:
    return "OWNER" if fields.get("role") in TEACHERS else "MEMBER"


def _values(
    key: str, fields: Fields, orgs: Mapping[str, str], domain: str
) -> dict[str, str | list[str]]:
    values: dict[str, str | list[str]] = {
        k: (v if isinstance(v, str) else list(v)) for k, v in fields.items()
    }
    values.update(sourcedId=key, domain=domain)
    school = fields.get("schoolSourcedId")
    if isinstance(school, str) and school:
        values["school.id"] = school
        values["school.name"] = orgs.get(school, school)
    return values
