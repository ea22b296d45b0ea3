"""The Privacy Shield: pseudonymise personal data on its way out of the district.

Masking happens on the way out only, never in the store. Pseudonyms are deterministic:
an HMAC-SHA256 keyed by the activation's shield key over (entity, field, sourcedId), so
the application sees the same pseudonym for the same person on every sync, and a
different key gives unrelated pseudonyms. They keep the shape applications expect:
names keep their first letter, emails stay valid addresses on the configured domain,
phone numbers stay digits. Identifiers carry 60 bits of the HMAC, and the plan checks
that no two people of a district share one (see `Collisions`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field

from passport.errors import PlanError
from passport.model import Fields, Shield, Value

PRESETS: Mapping[int, Mapping[str, str]] = {
    1: {"users.familyName": "mask"},
    2: {"users.familyName": "mask", "users.givenName": "mask", "users.email": "mask"},
    3: {
        "users.familyName": "mask",
        "users.givenName": "mask",
        "users.email": "mask",
        "users.middleName": "mask",
        "users.username": "mask",
        "users.phone": "mask",
        "users.sms": "mask",
        "demographics.birthDate": "generalize",
    },
}

NAME_FIELDS = frozenset(
    {
        "givenName",
        "familyName",
        "middleName",
        "preferredGivenName",
        "preferredMiddleName",
        "preferredFamilyName",
    }
)
UNIQUE_FIELDS = frozenset({"email", "username", "identifier"})
DEFAULT_DOMAIN = "shielded.invalid"


def rules_for(shield: Shield) -> dict[str, str]:
    """entity.field -> mask | drop | generalize | keep, preset first, overrides on top."""
    if not shield.enabled:
        return {}
    rules = dict(PRESETS.get(shield.level, PRESETS[3]))
    rules.update(shield.fields)
    return {name: how for name, how in rules.items() if how != "keep"}


def shielded_fields(shield: Shield) -> dict[str, set[str]]:
    """entity -> fields the shield changes or drops."""
    out: dict[str, set[str]] = {}
    for name in rules_for(shield):
        entity, _, field_name = name.partition(".")
        out.setdefault(entity, set()).add(field_name)
    return out


@dataclass
class Pseudonymiser:
    key: bytes
    email_domain: str = DEFAULT_DOMAIN

    def _mac(self, entity: str, field_name: str, record_key: str) -> bytes:
        message = f"{entity}\x1f{field_name}\x1f{record_key}".encode()
        return hmac.new(self.key, message, hashlib.sha256).digest()

    def token(self, entity: str, field_name: str, record_key: str, length: int = 12) -> str:
        raw = base64.b32encode(self._mac(entity, field_name, record_key)).decode("ascii")
        return raw[:length].lower()

    def pseudonym(self, entity: str, field_name: str, record_key: str, value: str) -> str:
        first = next((c for c in value if c.isalpha()), "x")
        if field_name in NAME_FIELDS:
            letters = "".join(
                c for c in self.token(entity, field_name, record_key, 16) if c.isalpha()
            )
            return first.upper() + letters[:7]
        if field_name == "email" or (field_name == "username" and "@" in value):
            local = first.lower() + self.token(entity, field_name, record_key)
            return f"{local}@{self.email_domain}"
        if field_name in ("phone", "sms"):
            digits = iter(str(b % 10) for b in self._mac(entity, field_name, record_key))
            return "".join(next(digits) if c.isdigit() else c for c in value)
        return first.lower() + self.token(entity, field_name, record_key)


def _generalize(value: Value) -> Value:
    if isinstance(value, str) and len(value) >= 4 and value[:4].isdigit():
        return value[:4]
    return value


@dataclass
class Collisions:
    """Catches two people of one plan sharing a pseudonymous identifier."""

    seen: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)

    def check(self, entity: str, field_name: str, value: str, key: str) -> None:
        owners = self.seen.setdefault((entity, field_name), {})
        other = owners.setdefault(value, key)
        if other != key:
            raise PlanError(
                f"the Privacy Shield gave {entity} {other!r} and {key!r} the same "
                f"{field_name} pseudonym",
                "change the shield key (privacy_shield.key) and plan again",
            )


class PrivacyShield:
    """The outgoing transform of an activation: (entity, key, fields) -> shielded fields."""

    def __init__(self, shield: Shield, key: str) -> None:
        if not key:
            raise PlanError("the Privacy Shield key is empty", "set privacy_shield.key")
        self.rules = rules_for(shield)
        self.by_entity = shielded_fields(shield)
        domain = shield.email_domain or DEFAULT_DOMAIN
        self.pseudo = Pseudonymiser(key.encode("utf-8"), domain)
        self.collisions = Collisions()

    def __call__(self, entity: str, key: str, fields: Fields) -> Fields:
        names = self.by_entity.get(entity)
        if not names or not names.intersection(fields):
            return fields
        out: dict[str, Value] = dict(fields)
        for name in names.intersection(fields):
            how = self.rules[f"{entity}.{name}"]
            out_value = self._apply(how, entity, name, key, out[name])
            if out_value is None:
                del out[name]
            else:
                out[name] = out_value
        return out

    def _apply(self, how: str, entity: str, name: str, key: str, value: Value) -> Value | None:
        if how == "drop":
            return None
        if how == "generalize":
            return _generalize(value)
        if isinstance(value, list):
            return [
                self.pseudo.pseudonym(entity, name, f"{key}\x1f{i}", v) for i, v in enumerate(value)
            ]
        masked = self.pseudo.pseudonym(entity, name, key, value)
        if name in UNIQUE_FIELDS:
            self.collisions.check(entity, name, masked, key)
        return masked
