"""A district with a store fed from a OneRoster bundle, a local Directory API server, and
google-workspace activations against it, for end-to-end tests through the CLI.
(No test imports a conftest; fixtures build a `GoogleWorld`.)"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import Result
from district_files import district
from google_fixtures import ADMIN, DOMAIN, SERVICE_ACCOUNT
from passport_cli import Passport

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "servers"))

from google_directory import GoogleServer

from passport.connectors.google_workspace import settings as google_settings
from passport.connectors.google_workspace.scopes import READ_SCOPES, WRITE_SCOPES
from passport.connectors.google_workspace.settings import Tuning

# Quick retries and no pacing, so fault runs take seconds; the tests that need a quota
# set the server's. Tests set it as passport's default tuning (`quick()`); a child process
# gets it through tests/support/quick_passport.py.
QUICK_TUNING = Tuning(
    backoff_base_s=0.01,
    backoff_cap_s=0.1,
    retry_budget_s=20.0,
    max_attempts=60,
    requests_per_s=None,
)
EXPORT = {
    "ou": [
        {"when": {"role": "student"}, "ou": "/Students/{school.name}/Grade {grades[0]|int}"},
        {"ou": "/Staff/{school.name}"},
    ],
    "create_ous": True,
    "email": [
        {
            "when": {"role": "student"},
            "email": "{givenName|ascii|lower}.{familyName|ascii|lower}{gradYear|last2}@{domain}",
        },
        {"email": "{givenName|ascii|lower}.{familyName|ascii|lower}@{domain}"},
    ],
    "credentials_out": "../credentials/google.csv",
    "suspend_ou": "/Suspended",
    "delete_after": "90d",
}


class GoogleWorld:
    def __init__(
        self, root: Path, server: GoogleServer, users: int = 60, store_url: str | None = None
    ) -> None:
        """`store_url`: None for a SQLite file in `root`, else the store (PostgreSQL)."""
        self.root, self.server = root, server
        self.passport = Passport(root, store_url)
        self.configs = district(root, users=users)
        self.key = server.add_service_account(
            SERVICE_ACCOUNT, scopes=frozenset(READ_SCOPES + WRITE_SCOPES)
        )
        key_file = self.configs / "google-key.json"
        key_file.write_text(json.dumps(self.key), encoding="utf-8")
        os.chmod(key_file, 0o600)
        for path in ("Students", "Staff", "Suspended"):
            server.directory.insert_ou({"name": path, "parentOrgUnitPath": "/"})
        self.outputs: list[str] = []
        self.credentials = self.configs.parent / "credentials" / "google.csv"

    @property
    def directory(self) -> Any:
        return self.server.directory

    def activate(self, name: str = "google", mode: str = "export", **delivery: Any) -> Path:
        settings: dict[str, Any] = {
            "domain": DOMAIN,
            "service_account_key": "${file:google-key.json}",
            "admin": ADMIN,
            "api_url": self.server.url,
            "token_url": self.server.token_url,
        }
        if mode != "import":
            settings.update(EXPORT)
        settings.update(delivery)
        document = {
            "version": 1,
            "name": name,
            "application": "google-workspace",
            "mode": mode,
            "delivery": {k: v for k, v in settings.items() if v is not None},
            "schools": {"auto": "same-id"},
            "attributes": {"users": "all"},
            "safety": {"max_delete": "25%", "min_existing": 10},
        }
        path = self.configs / f"{name}.yaml"
        path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
        return path

    def __call__(self, *args: str, code: int | None = 0) -> Result:
        result = self.passport(*args, code=code)
        self.outputs += [result.stdout, result.stderr]
        return result

    def plan(self, name: str = "google", *extra: str) -> dict[str, Any]:
        """The activation's JSON plan (plans[0] of the document)."""
        result = self("plan", name, "--format", "json", *extra, code=None)
        document: dict[str, Any] = json.loads(result.stdout)
        if "plans" in document:  # a document of many, or of one that failed
            assert document["plans"], result.stdout + result.stderr
            found: dict[str, Any] = document["plans"][0]
            return found
        return document

    def import_sis(self, *extra: str) -> None:
        self("apply", "sis", "--yes", *extra)

    def accounts(self) -> dict[str, dict[str, Any]]:
        """Google's users by primaryEmail."""
        return {u["primaryEmail"]: u for u in self.directory.users.values()}

    def joined(self) -> dict[str, dict[str, Any]]:
        """Google's users by the join key in their externalIds."""
        found = {}
        for user in self.directory.users.values():
            for entry in user.get("externalIds") or ():
                if entry.get("type") == "organization":
                    found[entry["value"]] = user
        return found


def counts(
    plan: dict[str, Any], direction: str = "export", entity: str = "users"
) -> dict[str, int]:
    for summary in plan["summary"]["entities"]:
        if summary["direction"] == direction and summary["entity"] == entity:
            return {k: v for k, v in summary.items() if isinstance(v, int)}
    return {}


def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    """Quick retries and no pacing for the google-workspace connections of this test."""
    monkeypatch.setattr(google_settings, "DEFAULT_TUNING", QUICK_TUNING)
