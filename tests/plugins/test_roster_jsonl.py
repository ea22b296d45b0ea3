"""A third-party application gets what a built-in gets: a gallery entry, a starter, its
own checks in `validate`, derived defaults, secret settings, and plan/apply through its
connector. `roster-jsonl` (tests/plugins/roster-jsonl) is a real package, installed into the
test venv's `test-plugins` folder by the Makefile (on the tests' path only, so a district's
gallery does not show it), registered only through its entry point."""

from __future__ import annotations

import hashlib
import hmac
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from district_files import district
from passport_cli import Passport

from passport.config import load_activation
from passport.connectors import registry

TOKEN = "jsonl-token-do-not-print"
SHIELD_KEY = "shield-key-do-not-print"


@pytest.fixture(autouse=True)
def _installed() -> None:
    if importlib.util.find_spec("passport_roster_jsonl") is None:
        pytest.fail("the test plugin is not installed: run `make .venv/test-plugins/.installed`")


@pytest.fixture
def passport(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Passport:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LMS_TOKEN", TOKEN)
    monkeypatch.setenv("PASSPORT_SHIELD_KEY", SHIELD_KEY)
    return Passport(tmp_path)


def test_it_comes_from_its_entry_point_only() -> None:
    app = registry.get("roster-jsonl")
    assert app.factory == "passport_roster_jsonl.connector:connect"
    assert app.secret_fields == {"token"}


def test_it_shows_in_the_gallery(passport: Passport) -> None:
    listing = passport("gallery").output.splitlines()
    assert "roster-jsonl      Roster JSON Lines     import, export, two-way  yes" in listing
    described = passport("gallery", "roster-jsonl").output.splitlines()
    assert described[0] == "roster-jsonl: Roster JSON Lines"
    assert "  token (text, required, secret: ${env:NAME} or ${file:PATH})" in described


def test_a_districts_passport_does_not_list_the_test_plugin(tmp_path: Path) -> None:
    """Outside the tests' path (a plain `passport` of the same venv), the gallery holds
    passport's own applications only: the test plugin is not installed for users."""
    gallery = subprocess.run(
        [sys.executable, "-m", "passport", "gallery"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "oneroster-csv" in gallery
    assert "roster-jsonl" not in gallery


def test_init_writes_a_starter_that_validates(passport: Passport) -> None:
    passport("init", "lms", "-a", "roster-jsonl", "-m", "export", "--dir", "configs")
    text = (passport.configs / "lms.yaml").read_text()
    assert "  path: ../.passport/jsonl/lms\n" in text
    assert "  token: ${env:LMS_TOKEN}\n" in text
    assert passport("validate", "configs").output == "1 file valid\n"


def _starter(passport: Passport, **changes: str) -> Path:
    passport("init", "lms", "-a", "roster-jsonl", "-m", "export", "--dir", "configs")
    path = passport.configs / "lms.yaml"
    text = path.read_text()
    for old, new in changes.items():
        assert old in text
        text = text.replace(old, new)
    path.write_text(text)
    return path


def test_its_own_check_runs_in_validate(passport: Passport) -> None:
    path = _starter(passport, **{"jsonl/lms\n": "jsonl/lms.zip\n"})
    result = passport("validate", str(path), code=1)
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if ".zip" in text)
    assert result.output.splitlines()[0] == (
        f"{path}:{line}:3: delivery.path: roster-jsonl keeps a folder, not a .zip file"
    )


def test_its_secret_setting_refuses_plain_text(passport: Passport) -> None:
    path = _starter(passport, **{"${env:LMS_TOKEN}": TOKEN})
    result = passport("validate", str(path), code=1)
    assert "delivery.token: holds a plain-text secret" in result.output
    assert TOKEN not in result.output


def test_its_derived_default_fills_the_activation(passport: Passport) -> None:
    assert load_activation(_starter(passport)).delivery["label"] == "lms"


def _signed(folder: Path, entity: str) -> list[dict[str, object]]:
    data = (folder / f"{entity}.jsonl").read_bytes()
    signature = (folder / f"{entity}.jsonl.sig").read_text().strip()
    assert signature == hmac.new(TOKEN.encode(), data, hashlib.sha256).hexdigest()
    return [json.loads(line) for line in data.splitlines()]


def test_plan_and_apply_through_it_end_to_end(passport: Passport) -> None:
    district(passport.root, users=40)
    passport("apply", "sis", "--yes")
    _starter(passport)
    planned = passport("plan", "lms").output
    assert "users" in planned and "create" in planned
    passport("apply", "lms", "--yes")
    folder = passport.root / ".passport" / "jsonl" / "lms"
    users = _signed(folder, "users")
    store = passport.open_store()
    try:
        family = {r.key: r.fields["familyName"] for r in store.scan("users")}
    finally:
        store.close()
    assert sorted(u["sourcedId"] for u in users) == sorted(family)
    # the starter's Privacy Shield (level 2) pseudonymised what left the store
    assert all(u["familyName"] != family[str(u["sourcedId"])] for u in users)
    assert all(str(u["email"]).endswith("@shielded.invalid") for u in users)
    assert _signed(folder, "enrollments")
    passport("plan", "lms", "--detailed-exitcode")  # exit 0: the application agrees


def test_its_connector_gets_the_resolved_secret(
    passport: Passport, monkeypatch: pytest.MonkeyPatch
) -> None:
    district(passport.root, users=20)
    passport("apply", "sis", "--yes")
    _starter(passport)
    passport("apply", "lms", "--yes")
    monkeypatch.setenv("LMS_TOKEN", "another-token")
    result = passport("plan", "lms", code=1)
    assert "is not signed with this token" in result.output + result.stderr
    assert "another-token" not in result.output + result.stderr
