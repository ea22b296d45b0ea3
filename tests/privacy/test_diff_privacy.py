"""`passport diff --base REF` and privacy: a change that widens what an application
receives is held against its agreement, and an agreement loosened in the same change is
flagged high. Each test commits real files to a fresh repository and edits them as a
pull request would."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from privacy_files import LMS

from passport.cli import main

AGREEMENT = """\
version: 1
vendor: Example LMS
signed: 2025-07-01
expires: 2030-06-30
allow:
  - category: course-catalogue
  - category: enrollment
  - category: identifiers
  - category: name
    treatment: pseudonymised
  - category: contact
    treatment: pseudonymised
"""


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.edu", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    configs = tmp_path / "configs"
    (configs / "agreements").mkdir(parents=True)
    (configs / "lms.yaml").write_text(LMS)
    (configs / "agreements" / "lms.yaml").write_text(AGREEMENT)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "base")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def flags(code: int = 2) -> list[tuple[str, str, str]]:
    result = CliRunner().invoke(main, ["diff", "--base", "HEAD", "--format", "json"])
    assert result.exit_code == code, result.output
    found = [r for f in json.loads(result.stdout)["files"] for r in f["risks"]]
    return [(r["kind"], r["severity"], r["message"]) for r in found]


def kinds(found: list[tuple[str, str, str]]) -> dict[str, tuple[str, str]]:
    return {kind: (severity, message) for kind, severity, message in found}


def test_an_unchanged_pull_request_flags_nothing(repo: Path) -> None:
    assert flags(code=0) == []


def test_widening_beyond_the_agreement_is_high(repo: Path) -> None:
    edit(
        repo / "configs" / "lms.yaml", "  level: 2\n", "  level: 2\n  fields: {users.email: keep}\n"
    )
    found = kinds(flags())
    severity, message = found["privacy-widened"]
    assert severity == "high"
    assert message == (
        "lms (oneroster-csv) receives more: users.email pseudonymised → raw; "
        "beyond configs/agreements/lms.yaml: users.email"
    )


def test_widening_within_the_agreement_is_low(repo: Path) -> None:
    edit(repo / "configs" / "lms.yaml", "email]", "email, username]")
    severity, message = kinds(flags())["privacy-widened"]
    assert severity == "low"
    assert message == (
        "lms (oneroster-csv) receives more: users.username raw (new); "
        "within configs/agreements/lms.yaml"
    )


def test_an_agreement_loosened_in_the_same_change_is_high(repo: Path) -> None:
    agreement = repo / "configs" / "agreements" / "lms.yaml"
    edit(
        agreement,
        "  - category: contact\n    treatment: pseudonymised\n",
        "  - category: contact\n",
    )
    edit(agreement, "expires: 2030-06-30", "expires: 2031-06-30")
    edit(
        repo / "configs" / "lms.yaml", "  level: 2\n", "  level: 2\n  fields: {users.email: keep}\n"
    )
    found = kinds(flags())
    assert found["agreement-loosened"] == (
        "high",
        "privacy agreement configs/agreements/lms.yaml loosened: allows contact raw "
        "(was pseudonymised), expires 2031-06-30 (was 2030-06-30)",
    )
    assert found["privacy-widened"][0] == "low"  # within the loosened agreement
    result = CliRunner().invoke(main, ["diff", "--base", "HEAD"])
    assert "privacy agreement configs/agreements/lms.yaml: its terms changed" in result.stdout


def test_a_field_newly_allowed_is_a_loosening(repo: Path) -> None:
    agreement = repo / "configs" / "agreements" / "lms.yaml"
    agreement.write_text(
        AGREEMENT + "  - field: demographics.birthDate\n    treatment: generalised\n"
    )
    assert kinds(flags())["agreement-loosened"] == (
        "high",
        "privacy agreement configs/agreements/lms.yaml loosened: allows "
        "demographics.birthDate generalised (new)",
    )


def test_a_tightened_agreement_is_not_flagged(repo: Path) -> None:
    agreement = repo / "configs" / "agreements" / "lms.yaml"
    edit(agreement, "expires: 2030-06-30", "expires: 2029-06-30")
    edit(agreement, "  - category: enrollment\n", "")
    edit(repo / "configs" / "lms.yaml", "  classes: all\n", "  classes: [title]\n")
    assert flags(code=0) == []


def test_removing_the_agreement_is_high(repo: Path) -> None:
    edit(repo / "configs" / "lms.yaml", "privacy:\n  agreement: agreements/lms.yaml\n", "")
    assert kinds(flags())["agreement-loosened"] == (
        "high",
        "lms: privacy agreement removed: nothing holds what it sends",
    )
