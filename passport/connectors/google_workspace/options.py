"""The mapping settings of a google-workspace activation (delivery), parsed once.

Import: `ou_rules` (an OU path pattern -> role, school, optional grade) and
`groups_as_classes`. Export: `ou` (a template, or rules tried in order), `create_ous`,
`email`, `passwords`, `credentials_out`, `suspend_ou`, `delete_after` and `groups`.
Light and pure: used by the field map (plan time), by `validate` and by the connector.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from passport.connectors.google_workspace.templates import Template, TemplateError, parse

DEFAULT_EMAIL = "{givenName|ascii|lower}.{familyName|ascii|lower}@{domain}"
DEFAULT_GROUP_EMAIL = "class-{sourcedId|ascii|lower}@{domain}"
DEFAULT_GROUP_NAME = "{title}"
# What a user template may name: the store user's fields, its school, and derived values.
USER_NAMES = frozenset(
    {
        "sourcedId",
        "givenName",
        "familyName",
        "middleName",
        "preferredFirstName",
        "preferredLastName",
        "username",
        "identifier",
        "email",
        "role",
        "grades",
        "grade",
        "gradYear",
        "birthDate",
        "school.id",
        "school.name",
        "domain",
    }
)
CLASS_NAMES = frozenset(
    {"sourcedId", "title", "classCode", "school.id", "school.name", "domain", "grades"}
)
# A password template made of any of these is a risk (application.risks flags it): each is
# personal data (a name, a birth date, a student number), or known to classmates (the
# school, the grade, gradYear), so anyone who knows the student can sign in as them.
GUESSABLE = USER_NAMES - {"domain"}
_DAYS = re.compile(r"^([0-9]{1,4})d$")


@dataclass(frozen=True, slots=True)
class ImportRule:
    """Users in an OU matching `pattern` are `role` at `school` (in `grade`)."""

    pattern: str  # "/Students/Lincoln/*": * matches anything, across levels
    role: str
    school: str
    grade: str | None = None

    def matches(self, path: str) -> bool:
        return fnmatch.fnmatchcase(path, self.pattern)


@dataclass(frozen=True, slots=True)
class OuRule:
    """Users matching every `when` value get what `template` renders (an OU path for
    `ou`, an address for `email`)."""

    template: Template
    role: str | None = None
    school: str | None = None
    grade: str | None = None

    def matches(self, role: str, schools: Sequence[str], grades: Sequence[str]) -> bool:
        return (
            (self.role is None or self.role == role)
            and (self.school is None or self.school in schools)
            and (self.grade is None or self.grade in grades)
        )


DEFAULT_EMAIL_RULE = OuRule(parse(DEFAULT_EMAIL, USER_NAMES))


@dataclass(frozen=True, slots=True)
class Passwords:
    policy: str  # "random" | "template"
    length: int = 16
    template: Template | None = None
    change_at_next_login: bool = True


@dataclass(frozen=True, slots=True)
class Groups:
    email: Template
    name: Template


@dataclass(frozen=True, slots=True)
class GoogleOptions:
    domain: str
    import_rules: tuple[ImportRule, ...] = ()
    groups_as_classes: bool = False
    ou_rules: tuple[OuRule, ...] = ()
    create_ous: bool = False
    email_rules: tuple[OuRule, ...] = (DEFAULT_EMAIL_RULE,)
    passwords: Passwords = Passwords("random")
    credentials_out: str | None = None
    suspend_ou: str | None = None
    delete_after_days: int | None = None
    groups: Groups | None = None

    @classmethod
    def of(cls, delivery: Mapping[str, Any]) -> GoogleOptions:
        """From delivery settings the schema accepted; TemplateError or ValueError names a
        bad template (the application's check reports them at their place)."""
        return cls(
            domain=str(delivery.get("domain") or ""),
            import_rules=tuple(_import_rule(r) for r in delivery.get("ou_rules") or ()),
            groups_as_classes=bool(delivery.get("groups_as_classes", False)),
            ou_rules=_rules(delivery.get("ou"), "ou"),
            create_ous=bool(delivery.get("create_ous", False)),
            email_rules=_rules(delivery.get("email") or DEFAULT_EMAIL, "email"),
            passwords=_passwords(delivery.get("passwords") or {}),
            credentials_out=delivery.get("credentials_out"),
            suspend_ou=delivery.get("suspend_ou"),
            delete_after_days=days(delivery.get("delete_after")),
            groups=_groups(delivery.get("groups")),
        )

    def import_rule(self, path: str) -> ImportRule | None:
        """The first rule whose pattern matches the OU path."""
        return next((r for r in self.import_rules if r.matches(path)), None)

    def ou_rule(self, role: str, schools: Sequence[str], grades: Sequence[str]) -> OuRule | None:
        return next((r for r in self.ou_rules if r.matches(role, schools, grades)), None)

    def email_rule(self, role: str, schools: Sequence[str], grades: Sequence[str]) -> OuRule | None:
        return next((r for r in self.email_rules if r.matches(role, schools, grades)), None)


def days(value: object) -> int | None:
    """`90d` -> 90; None stays None."""
    if value is None:
        return None
    match = _DAYS.match(str(value))
    if not match:
        raise ValueError(f"{value!r} is not a number of days like 90d")
    return int(match.group(1))


def _import_rule(rule: Mapping[str, Any]) -> ImportRule:
    grade = rule.get("grade")
    return ImportRule(
        str(rule["ou"]),
        str(rule["role"]),
        str(rule["school"]),
        None if grade is None else str(grade),
    )


def _rules(value: object, name: str) -> tuple[OuRule, ...]:
    """A template, or rules tried in order (`when` + the template under `name`)."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (OuRule(parse(value, USER_NAMES)),)
    rules = []
    for rule in value if isinstance(value, list) else ():
        when = rule.get("when") or {}
        grade = when.get("grade")
        rules.append(
            OuRule(
                parse(str(rule[name]), USER_NAMES),
                when.get("role"),
                when.get("school"),
                None if grade is None else str(grade),
            )
        )
    return tuple(rules)


def _passwords(value: Mapping[str, Any]) -> Passwords:
    policy = str(value.get("policy", "random"))
    template = value.get("template")
    if policy == "template" and not template:
        raise TemplateError("passwords.policy template needs passwords.template")
    return Passwords(
        policy,
        int(value.get("length", 16)),
        parse(str(template), USER_NAMES) if template else None,
        bool(value.get("change_at_next_login", True)),
    )


def _groups(value: object) -> Groups | None:
    if not isinstance(value, Mapping):
        return None
    return Groups(
        parse(str(value.get("email") or DEFAULT_GROUP_EMAIL), CLASS_NAMES),
        parse(str(value.get("name") or DEFAULT_GROUP_NAME), CLASS_NAMES),
    )
