"""Groups per class (export, `groups:`): the part of Google's field map for classes and
enrollments. A class is a group at the address its template gives (kept once given, in
the base); an enrollment is a membership of the class's group, teachers as OWNER.

| view (class)  | Directory API | view (enrollment) | Directory API             |
|---------------|---------------|-------------------|---------------------------|
| email         | group email   | group             | the group's email         |
| name          | group name    | member            | the member's email        |
|               |               | role              | OWNER / MEMBER            |

| joinKey       | description `passport-class:<class sourcedId>` |          |

A group is keyed by its address; a membership by `<group>/<member>`. Per class, in key
order: the address the base gave it stays its address; else a group carrying the class's
join key (its description) is the class's, whatever its address; else the template's
address, with 2, 3, ... appended when any group (or alias, or a class earlier in key
order) holds it: a stranger's group is never adopted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from passport.connectors.google_workspace.linking import MAX_NUMBER
from passport.connectors.google_workspace.options import GoogleOptions
from passport.connectors.google_workspace.templates import clean_email, numbered
from passport.model import Fields, Value

TEACHERS = frozenset({"teacher", "administrator", "aide", "proctor"})
JOIN_PREFIX = "passport-class:"  # a group's description: which class it is


def join_description(key: str) -> str:
    return JOIN_PREFIX + key


def join_key(description: str) -> str | None:
    """The class a group's description says it is, if passport wrote it."""
    text = description.strip()
    return text[len(JOIN_PREFIX) :] if text.startswith(JOIN_PREFIX) else None


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
    # Two-way with groups_as_classes: memberships made in Google come back as enrollments.
    reads_back: bool = False
    class_school: dict[str, str] = field(default_factory=dict)  # class key -> its school
    user_of: dict[str, str] = field(default_factory=dict)  # account address -> store user key

    def prepare_classes(
        self,
        wanted: Iterable[tuple[str, Fields]],
        bases: Mapping[str, Fields | None],
        orgs: Mapping[str, str],
        app: Mapping[str, Fields] | None = None,
    ) -> None:
        """`app`: the groups Google holds, by address (their views)."""
        if self.options.groups is None:
            return
        taken: set[str] = set()
        carrying: dict[str, str] = {}  # class key -> the address of the group carrying it
        for address, view in (app or {}).items():
            taken.add(address)
            taken.update(_list(view.get("aliases")))
            joined = view.get("joinKey")
            if isinstance(joined, str) and joined:
                carrying.setdefault(joined, address)
        records = sorted(wanted)
        for key, fields in records:
            school = fields.get("schoolSourcedId")
            if isinstance(school, str) and school:
                self.class_school[key] = school
        for key, base in bases.items():  # given once, kept (classes gone keep their group)
            if base and base.get("email"):
                self._give(key, str(base["email"]), taken)
        for key, _ in records:
            if key not in self.emails and key in carrying:
                self._give(key, carrying[key], taken)
        for key, fields in records:
            if key in self.emails:
                continue
            wanted_address = self._address(key, fields, orgs)
            if wanted_address is None:
                continue
            address, n = wanted_address, 1
            while address in taken:
                n += 1
                if n > MAX_NUMBER:
                    self.unfilled[key] = (
                        f"every address from {wanted_address} to {address} is taken"
                    )
                    break
                address = numbered(wanted_address, n)
            if key not in self.unfilled:
                self._give(key, address, taken)

    def _give(self, key: str, address: str, taken: set[str]) -> None:
        self.emails[key], self.class_of[address] = address, key
        taken.add(address)

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
        self.user_of = {address: key for key, address in user_email.items()}
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
        if key not in self.enrollment_of and self.reads_back:
            found = self._member_of(key)
            if found is not None:  # made in Google: the store's enrollment from now on
                store_key = f"{found[0]}/{found[1]}"
                self.enrollment_of[key], self.enrollment_app[store_key] = store_key, key
        return self.enrollment_of.get(key, key)

    def _member_of(self, app_key: str) -> tuple[str, str] | None:
        """(class key, user key) of a membership `<group>/<member>`, when both are known."""
        group, _, member = app_key.rpartition("/")
        cls, user = self.class_of.get(group), self.user_of.get(member)
        return (cls, user) if cls and user else None

    def enrollment_to_store(self, app_key: str, view: Fields) -> Fields:
        """A membership as the store's enrollment (two-way with groups_as_classes):
        OWNER (and MANAGER) teach, MEMBER learns."""
        found = self._member_of(self.enrollment_app.get(app_key, app_key))
        if found is None:
            return view
        cls, user = found
        role = "teacher" if view.get("role") in ("OWNER", "MANAGER") else "student"
        out: dict[str, Value] = {"classSourcedId": cls, "userSourcedId": user, "role": role}
        if cls in self.class_school:
            out["schoolSourcedId"] = self.class_school[cls]
        return out

    def class_view(self, key: str, fields: Fields, orgs: Mapping[str, str]) -> Fields:
        assert self.options.groups is not None
        view: dict[str, Value] = {}
        if key in self.emails:
            view["email"] = self.emails[key]
        view["joinKey"] = key
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


def _list(value: Value | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)
