"""How the `google-workspace` application describes itself to the gallery, `validate` and
`init`. Light: the connector (`connector.py`, which needs httpx and google-auth) is imported
only when a connection opens."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from passport.connectors.base import Application, Capabilities, JsonPath, load_schema
from passport.model import Activation, Mode

if TYPE_CHECKING:
    from passport.mapping.fields import FieldMap

# Where a bad template sits in delivery, by the message's first words.
_TEMPLATE_SETTINGS = ("email", "ou", "passwords", "groups")


def check(delivery: Mapping[str, Any], mode: Mode) -> list[tuple[JsonPath, str]]:
    # The template parser is imported only when a google-workspace activation is checked.
    from passport.connectors.google_workspace.options import GoogleOptions
    from passport.connectors.google_workspace.templates import TemplateError

    found: list[tuple[JsonPath, str]] = []
    for name in _TEMPLATE_SETTINGS:
        if name in delivery:
            try:
                GoogleOptions.of({"domain": delivery.get("domain"), name: delivery[name]})
            except (TemplateError, ValueError) as error:
                found.append(((name,), str(error)))
    if mode is not Mode.EXPORT and not delivery.get("ou_rules"):
        found.append(
            ((), f"mode {mode} reads users from Google: set ou_rules (an OU -> role and school)")
        )
    if mode is not Mode.IMPORT:
        if "ou" not in delivery:
            found.append(((), f"mode {mode} provisions accounts: set ou (the OU of each user)"))
        if not delivery.get("credentials_out"):
            found.append(
                (
                    (),
                    f"mode {mode} creates accounts: set credentials_out (where their initial "
                    "passwords go, once)",
                )
            )
    if "delete_after" in delivery and mode is Mode.IMPORT:
        found.append((("delete_after",), "delete_after is for export and two-way"))
    return found


def risks(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """A password template built from personal data (a birth date, a student number) is
    guessable by anyone who knows the student: flagged when it appears or changes. Where
    the initial passwords are written (`credentials_out`) changing is flagged too."""
    from passport.connectors.google_workspace.options import GUESSABLE
    from passport.connectors.google_workspace.templates import TemplateError, parse

    def personal(delivery: Mapping[str, Any] | None) -> tuple[str, frozenset[str]] | None:
        policy = (delivery or {}).get("passwords") or {}
        text = policy.get("template") if policy.get("policy") == "template" else None
        if not isinstance(text, str):
            return None
        try:
            names = parse(text).names & GUESSABLE
        except TemplateError:
            return None
        return (text, names) if names else None

    found: list[tuple[str, str, str]] = []
    now = personal(after)
    if now is not None and now != personal(before):
        fields = ", ".join(sorted(now[1]))
        found.append(
            (
                "password-from-personal-data",
                "high",
                f"initial passwords are built from personal data and what classmates know "
                f"({fields}): anyone who knows a student can sign in as them before the "
                "first change; prefer policy: random",
            )
        )
    target = after.get("credentials_out")
    if target and before is not None and target != before.get("credentials_out"):
        found.append(
            (
                "credentials-moved",
                "high",
                f"new accounts' initial passwords now go to {target!r} "
                f"(was {before.get('credentials_out')!r})",
            )
        )
    return found


def field_map(activation: Activation) -> FieldMap:
    """Google's field map (fields.py), imported when a plan needs it."""
    from passport.connectors.google_workspace.fields import GoogleFields

    return GoogleFields.of(activation)


def starter(name: str, mode: Mode) -> dict[str, Any]:
    values: dict[str, Any] = {
        "domain": "district.org",
        "service_account_key": f"${{file:~/.config/passport/google/{name}-key.json}}",
        "admin": "admin@district.org",
    }
    if mode is not Mode.EXPORT:
        values["ou_rules"] = [
            {"ou": "/Students/Lincoln/*", "role": "student", "school": "lincoln-high"},
            {"ou": "/Staff/*", "role": "teacher", "school": "lincoln-high"},
        ]
    if mode is not Mode.IMPORT:
        values["ou"] = "/Students/{school.name}/Grade {grades[0]|int}"
        values["create_ous"] = False
        values["email"] = (
            "{givenName|ascii|lower}.{familyName|ascii|lower}{gradYear|last2}@{domain}"
        )
        values["passwords"] = {"policy": "random", "length": 16, "change_at_next_login": True}
        # Outside the repository, so the passwords can never be committed.
        values["credentials_out"] = f"~/.config/passport/google/{name}-new-accounts.csv"
        values["suspend_ou"] = "/Suspended"
        values["delete_after"] = "90d"
    return values


APPLICATION = Application(
    name="google-workspace",
    title="Google Workspace",
    summary=(
        "Google Workspace's Directory API: import users (and groups as classes) by OU; "
        "provision accounts (IDM) with OU rules, email templates, suspension and linking."
    ),
    delivery_schema=load_schema("google-workspace"),
    capabilities=Capabilities(
        reads=frozenset({"users", "classes", "enrollments"}),
        writes=frozenset({"users", "classes", "enrollments"}),
        # An account is a real person's: pseudonymised names and addresses make no sense.
        accepts_masked=False,
        delta_reads=False,  # the Directory API has no change listing passport can trust
        atomic_writes=False,  # each call of a batch succeeds or fails alone
    ),
    factory="passport.connectors.google_workspace.connector:connect",
    secret_fields=frozenset({"service_account_key", "client_secret", "refresh_token"}),
    url_fields=frozenset({"api_url", "token_url", "auth_url", "revoke_url"}),
    check=check,
    starter=starter,
    field_map=field_map,
    risks=risks,
)
