"""Records the google-workspace tests create: users as passport would send them."""

from __future__ import annotations

from passport.connectors.google_workspace.directory import User

DOMAIN = "district.example"


def user(n: int, ou: str = "/Students", *, password: str = "Initial-Pass-1") -> User:
    return {
        "primaryEmail": f"student{n:05d}@{DOMAIN}",
        "name": {"givenName": f"Given{n}", "familyName": f"Family{n}"},
        "password": password,
        "changePasswordAtNextLogin": True,
        "orgUnitPath": ou,
        "externalIds": [{"type": "organization", "value": f"S-{n:05d}"}],
    }


def users(count: int, ou: str = "/Students", start: int = 0) -> list[User]:
    return [user(n, ou) for n in range(start, start + count)]
