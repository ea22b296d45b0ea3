"""`passport diff --base REF`: activations compared by meaning, risky changes flagged.

Each test commits an activation to a fresh git repository, edits the working copy as a
pull request would, and runs the command as a user does."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from passport.cli import main

LMS = """\
version: 1
name: lms
application: oneroster-csv
mode: export
delivery:
  path: ../out
schools:
  map:
    - app: a-1
      store: sch-001
attributes:
  users: [role, givenName, familyName, email]
  classes: all
export_until: 2027-06-30
privacy_shield:
  enabled: true
  level: 2
  key: ${env:SHIELD_KEY}
safety:
  max_delete: 5%
  max_update: 50%
  min_existing: 10
"""

SIS = """\
version: 1
name: sis
application: oneroster-csv
mode: import
delivery:
  path: ../sis
schools:
  auto: same-id
attributes:
  users: all
  classes: all
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
    """A repository whose last commit holds configs/lms.yaml and configs/sis.yaml."""
    configs = tmp_path / "configs"
    configs.mkdir()
    (configs / "lms.yaml").write_text(LMS)
    (configs / "sis.yaml").write_text(SIS)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "base")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def edit(repo: Path, name: str, change: Callable[[str], str]) -> None:
    path = repo / "configs" / f"{name}.yaml"
    before = path.read_text()
    after = change(before)
    assert after != before, "the edit changed nothing"
    path.write_text(after)


def replace(old: str, new: str) -> Callable[[str], str]:
    return lambda text: text.replace(old, new)


def diff(*args: str) -> Result:
    return CliRunner().invoke(main, ["diff", "--base", "HEAD", *args])


def risks(*args: str, code: int = 2) -> list[dict[str, Any]]:
    result = diff("--format", "json", *args)
    assert result.exit_code == code, result.output
    return [r for f in json.loads(result.stdout)["files"] for r in f["risks"]]


def only(found: list[dict[str, Any]]) -> tuple[str, str, str]:
    assert len(found) == 1, found
    return found[0]["kind"], found[0]["severity"], found[0]["message"]


# --- one test per risk flag -----------------------------------------------------------


def test_privacy_shield_turned_off(repo: Path) -> None:
    edit(repo, "lms", replace("enabled: true", "enabled: false"))
    kind, severity, message = only(risks())
    assert (kind, severity) == ("shield-off", "high")
    assert "users.email mask → keep" in message and "users.givenName mask → keep" in message


def test_privacy_shield_level_lowered(repo: Path) -> None:
    edit(repo, "lms", replace("level: 2", "level: 1"))
    kind, severity, message = only(risks())
    assert (kind, severity) == ("shield-lowered", "high")
    assert message.startswith("privacy shield level lowered 2 → 1: users.email mask → keep")


def test_a_shield_field_set_to_keep_is_a_lowered_shield(repo: Path) -> None:
    edit(repo, "lms", replace("  level: 2\n", "  level: 2\n  fields: {users.email: keep}\n"))
    assert only(risks()) == (
        "shield-lowered",
        "high",
        "privacy shield weakened: users.email mask → keep",
    )


def test_personal_data_newly_shared_in_clear(repo: Path) -> None:
    edit(repo, "lms", replace("familyName, email]", "familyName, email, phone, username]"))
    kind, severity, message = only(risks())
    assert (kind, severity) == ("pii-shared", "high")
    assert (
        message
        == "personal data newly shared with oneroster-csv: in clear: users.phone, users.username"
    )


def test_personal_data_newly_shared_pseudonymised_is_medium(repo: Path) -> None:
    edit(repo, "lms", replace("level: 2", "level: 3"))
    edit(repo, "lms", replace("familyName, email]", "familyName, email, phone]"))
    assert only(risks()) == (
        "pii-shared",
        "medium",
        "personal data newly shared with oneroster-csv: pseudonymised: users.phone (mask)",
    )


def test_schools_added(repo: Path) -> None:
    edit(
        repo,
        "lms",
        replace(
            "      store: sch-001\n", "      store: sch-001\n    - app: a-2\n      store: sch-002\n"
        ),
    )
    assert only(risks()) == ("schools-added", "medium", "schools added: a-2 → sch-002")


def test_every_school_taken(repo: Path) -> None:
    edit(repo, "lms", replace("schools:\n  map:", "schools:\n  auto: same-id\n  map:"))
    kind, severity, _ = only(risks())
    assert (kind, severity) == ("schools-added", "medium")


def test_mode_widened_from_import(repo: Path) -> None:
    edit(repo, "sis", replace("mode: import", "mode: export"))
    found = {r["kind"]: r for r in risks()}
    assert found["mode-widened"]["severity"] == "high"
    assert (
        found["mode-widened"]["message"]
        == "mode widened import → export: records now leave the district"
    )
    assert found["pii-shared"]["severity"] == "high"  # users: all now leaves, in clear


def test_mode_widened_from_export_to_two_way(repo: Path) -> None:
    edit(repo, "lms", replace("mode: export", "mode: two-way"))
    found = risks()
    assert [r["kind"] for r in found] == ["mode-widened"] and found[0]["severity"] == "medium"


def test_safety_threshold_loosened(repo: Path) -> None:
    edit(repo, "lms", replace("max_delete: 5%", "max_delete: 20%"))
    assert only(risks()) == (
        "safety-loosened",
        "medium",
        "safety max_delete loosened 5% → 20% (export: every entity)",
    )


def test_safety_threshold_removed_is_high(repo: Path) -> None:
    edit(repo, "lms", replace("  max_update: 50%\n", ""))
    assert only(risks()) == (
        "safety-loosened",
        "high",
        "safety max_update loosened 50% → no limit (export: every entity)",
    )


def test_safety_floor_raised_and_an_override_loosened(repo: Path) -> None:
    more = "  min_existing: 100\n  overrides:\n    - entity: users\n      max_delete: 30%\n"
    edit(repo, "lms", replace("  min_existing: 10\n", more))
    found = sorted(r["message"] for r in risks())
    assert found == [
        "safety max_delete loosened 5% → 30% (export: users)",
        "safety min_existing loosened 10 → 100 (export: every entity)",
    ]


def test_export_until_extended(repo: Path) -> None:
    edit(repo, "lms", replace("export_until: 2027-06-30", "export_until: 2029-06-30"))
    assert only(risks()) == (
        "export-extended",
        "medium",
        "export_until extended 2027-06-30 → 2029-06-30",
    )


def test_export_until_removed(repo: Path) -> None:
    edit(repo, "lms", replace("export_until: 2027-06-30\n", ""))
    kind, severity, message = only(risks())
    assert (kind, severity) == ("export-extended", "medium") and "no longer stop" in message


def test_a_new_activation(repo: Path) -> None:
    (repo / "configs" / "lms2.yaml").write_text(LMS.replace("name: lms", "name: lms2"))
    found = {r["kind"]: r for r in risks()}
    assert found["new-activation"]["severity"] == "high"
    assert found["new-activation"]["message"] == "new export activation lms2 (oneroster-csv)"
    assert found["pii-shared"]["severity"] == "medium"  # names and email, pseudonymised
    new_import = SIS.replace("name: sis", "name: sis2")
    (repo / "configs" / "lms2.yaml").unlink()
    (repo / "configs" / "sis2.yaml").write_text(new_import)
    assert only(risks()) == (
        "new-activation",
        "medium",
        "new import activation sis2 (oneroster-csv)",
    )


SIS_API = """\
version: 1
name: sisapi
application: oneroster-rest
mode: import
delivery:
  service_url: https://sis.example.edu/ims/oneroster
  auth_url: https://sis.example.edu/oauth/token
  client_id: ${env:SIS_CLIENT_ID}
  client_secret: ${env:SIS_CLIENT_SECRET}
schools:
  auto: same-id
attributes:
  users: all
"""


def commit(repo: Path, name: str, text: str) -> None:
    """Add configs/NAME.yaml to the base commit's history, as if it had been merged."""
    (repo / "configs" / f"{name}.yaml").write_text(text)
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", f"add {name}")


def test_a_delivery_host_changed_is_high(repo: Path) -> None:
    commit(repo, "sisapi", SIS_API)
    edit(repo, "sisapi", replace("https://sis.example.edu/oauth/", "https://collect.example.net/"))
    assert only(risks()) == (
        "delivery-url-changed",
        "high",
        "delivery.auth_url now goes to another host: sis.example.edu → collect.example.net "
        "(https://collect.example.net/token)",
    )


def test_a_delivery_url_changed_on_the_same_host_is_high(repo: Path) -> None:
    commit(repo, "sisapi", SIS_API)
    edit(repo, "sisapi", replace("/ims/oneroster", "/other/ims/oneroster"))
    assert only(risks()) == (
        "delivery-url-changed",
        "high",
        "delivery.service_url changed: https://sis.example.edu/ims/oneroster → "
        "https://sis.example.edu/other/ims/oneroster",
    )


def test_a_secret_reference_changed_is_high(repo: Path) -> None:
    commit(repo, "sisapi", SIS_API)
    edit(repo, "sisapi", replace("${env:SIS_CLIENT_SECRET}", "${file:/proc/self/environ}"))
    assert only(risks()) == (
        "secret-reference-changed",
        "high",
        "delivery.client_secret: secret reference changed ${env:SIS_CLIENT_SECRET} → "
        "${file:/proc/self/environ}",
    )
    edit(repo, "lms", replace("key: ${env:SHIELD_KEY}", "key: ${file:../shield.key}"))
    assert {r["message"] for r in risks()} >= {
        "privacy_shield.key: secret reference changed ${env:SHIELD_KEY} → ${file:../shield.key}"
    }


def test_the_exfiltration_pull_request_raises_two_high_flags(repo: Path) -> None:
    """The one-line change of issue 11: another token host, and the CI environment as the
    secret sent to it."""
    commit(repo, "sisapi", SIS_API)
    edit(repo, "sisapi", replace("https://sis.example.edu/oauth/token", "https://x.example.net/t"))
    edit(repo, "sisapi", replace("${env:SIS_CLIENT_SECRET}", "${file:/proc/self/environ}"))
    found = risks()
    assert sorted((r["kind"], r["severity"]) for r in found) == [
        ("delivery-url-changed", "high"),
        ("secret-reference-changed", "high"),
    ]
    assert diff("--fail-on", "high").exit_code == 2


def test_writes_turned_on(repo: Path) -> None:
    commit(repo, "sisapi", SIS_API)
    edit(repo, "sisapi", replace("schools:", "  write: true\nschools:"))
    assert only(risks()) == (
        "writes-enabled",
        "medium",
        "writes turned on (delivery.write: true): passport may now create, change and "
        "delete records in oneroster-rest",
    )


FILTERED = LMS.replace(
    "export_until:",
    "filters:\n  - {entity: users, field: role, op: in, value: [student, teacher]}\n"
    "  - {entity: classes, field: title, op: starts-with, value: Math}\nexport_until:",
)


def test_a_filter_removed(repo: Path) -> None:
    commit(repo, "lms", FILTERED)
    edit(
        repo,
        "lms",
        replace("  - {entity: users, field: role, op: in, value: [student, teacher]}\n", ""),
    )
    assert only(risks()) == (
        "filter-removed",
        "medium",
        'filter removed: users.role in ["student", "teacher"] (records it kept out now flow)',
    )


def test_a_filter_widened(repo: Path) -> None:
    commit(repo, "lms", FILTERED)
    edit(repo, "lms", replace("[student, teacher]", "[student, teacher, guardian]"))
    edit(repo, "lms", replace("value: Math}", "value: Ma}"))
    assert sorted(r["message"] for r in risks()) == [
        'filter widened: classes.title starts-with "Math" → classes.title starts-with "Ma"',
        'filter widened: users.role in ["student", "teacher"] → '
        'users.role in ["student", "teacher", "guardian"]',
    ]
    assert {r["kind"] for r in risks()} == {"filter-widened"}


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("op: in, value: [student, teacher]", "op: in, value: [teacher]"),
        ("op: in, value: [student, teacher]", "op: equals, value: student"),
        ("op: starts-with, value: Math}", "op: starts-with, value: Maths}"),
        ("op: starts-with, value: Math}", "op: equals, value: Math 101}"),
    ],
)
def test_a_filter_narrowed_is_not_flagged(repo: Path, old: str, new: str) -> None:
    commit(repo, "lms", FILTERED)
    edit(repo, "lms", replace(old, new))
    assert risks(code=0) == []


def test_a_school_remapped(repo: Path) -> None:
    edit(repo, "lms", replace("store: sch-001", "store: sch-009"))
    assert only(risks()) == (
        "schools-remapped",
        "medium",
        "schools remapped: app a-1: store sch-001 → sch-009",
    )


def test_attributes_widened_for_any_entity(repo: Path) -> None:
    edit(repo, "lms", replace("  classes: all\n", "  classes: all\n  courses: all\n"))
    edit(repo, "lms", replace("familyName, email]", "familyName, email, grades]"))
    assert only(risks()) == (
        "attributes-widened",
        "medium",
        "attributes widened: courses now shared (all); users: grades",
    )


def test_attributes_widened_on_an_import_is_low(repo: Path) -> None:
    edit(repo, "sis", replace("  classes: all\n", "  classes: all\n  courses: all\n"))
    assert only(risks()) == (
        "attributes-widened",
        "low",
        "attributes widened: courses now shared (all)",
    )


def test_a_long_value_is_cut_in_a_risk(repo: Path) -> None:
    commit(repo, "sisapi", SIS_API)
    long_url = "https://collect.example.net/" + "a" * 5000
    edit(repo, "sisapi", replace("https://sis.example.edu/oauth/token", long_url))
    _, _, message = only(risks())
    assert len(message) < 500 and message.endswith("…)")


# --- what is not risky, and the command itself -------------------------------------------


def test_meaningless_edits_are_no_change(repo: Path) -> None:
    def reword(text: str) -> str:
        text = text.replace(
            "[role, givenName, familyName, email]", "[email, familyName, givenName, role]"
        )
        return (
            "# reviewed\n"
            + text.replace("mode: export", "mode: export   # store -> app")
            + "conflicts: store-wins\n"
        )

    edit(repo, "lms", reword)
    result = diff()
    assert result.exit_code == 0, result.output
    assert result.output.startswith("passport diff against HEAD: 2 unchanged; no risky changes\n")


def test_tightening_is_said_but_not_flagged(repo: Path) -> None:
    edit(repo, "lms", replace("level: 2", "level: 3"))
    edit(repo, "lms", replace("max_delete: 5%", "max_delete: 2%"))
    result = diff()
    assert result.exit_code == 0, result.output
    assert "  privacy_shield.level: 2 → 3\n" in result.output
    assert '  safety.max_delete: "5%" → "2%"\n' in result.output


def test_changes_are_said_in_words(repo: Path) -> None:
    edit(repo, "lms", replace("level: 2", "level: 1"))
    edit(repo, "lms", replace("classes: all", "classes: [title]"))
    result = diff("lms")
    assert result.exit_code == 2
    assert result.output.splitlines()[2:6] == [
        "configs/lms.yaml (lms): changed",
        '  attributes.classes: "all" → ["title"]',
        "  privacy_shield.level: 2 → 1",
        "  ! high    shield-lowered    privacy shield level lowered 2 → 1: "
        "users.email mask → keep, users.givenName mask → keep",
    ]


def test_a_removed_activation_is_said_not_flagged(repo: Path) -> None:
    (repo / "configs" / "sis.yaml").unlink()
    result = diff()
    assert result.exit_code == 0
    assert "configs/sis.yaml (sis): removed\n  activation removed\n" in result.output
    assert diff("configs/sis.yaml").exit_code == 0


def test_fail_on_sets_the_threshold(repo: Path) -> None:
    edit(repo, "lms", replace("export_until: 2027-06-30", "export_until: 2029-06-30"))
    assert diff("--fail-on", "medium").exit_code == 2
    assert diff("--fail-on", "high").exit_code == 0


def test_an_invalid_file_or_an_unknown_ref_is_an_error(repo: Path) -> None:
    result = CliRunner().invoke(main, ["diff", "--base", "no-such-branch"])
    assert result.exit_code == 1 and "unknown git ref 'no-such-branch'" in result.output
    edit(repo, "lms", replace("mode: export", "mode: sideways"))
    result = diff()
    assert result.exit_code == 1
    assert "configs/lms.yaml (lms): invalid\n  configs/lms.yaml:4:7: mode:" in result.output


def test_markdown_for_a_pull_request(repo: Path) -> None:
    edit(repo, "lms", replace("level: 2", "level: 1"))
    result = diff("--format", "markdown")
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert lines[0] == "<!-- passport-diff: lms sis -->"
    assert "| 🔴 high | `lms` | privacy shield level lowered 2 → 1:" in result.output
    assert "  - <code>privacy_shield.level: 2 → 1</code>" in lines


def test_from_a_subfolder_with_names_and_files(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    edit(repo, "lms", replace("level: 2", "level: 1"))
    monkeypatch.chdir(repo / "configs")
    result = CliRunner().invoke(main, ["diff", "--base", "HEAD", "lms.yaml", "--format", "json"])
    assert result.exit_code == 2, result.output
    document = json.loads(result.stdout)
    assert [f["file"] for f in document["files"]] == ["lms.yaml"]
    assert (
        CliRunner().invoke(main, ["diff", "--base", "HEAD", "--configs-dir", ".", "sis"]).exit_code
        == 0
    )


GOOGLE = """\
version: 1
name: google
application: google-workspace
mode: export
delivery:
  domain: district.example
  service_account_key: ${file:google-key.json}
  admin: admin@district.example
  ou: /Students
  credentials_out: ../credentials/google.csv
  passwords: {policy: random, length: 16}
schools:
  auto: same-id
attributes:
  users: all
"""


@pytest.mark.parametrize(
    ("template", "named"),
    [
        ("Sch{birthDate|digits}", "birthDate"),
        ("{school.name|alnum}{gradYear}", "gradYear, school.name"),  # a cohort's password
    ],
)
def test_a_password_template_from_personal_data(repo: Path, template: str, named: str) -> None:
    (repo / "configs" / "google.yaml").write_text(GOOGLE)
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "google")
    edit(
        repo,
        "google",
        replace(
            "passwords: {policy: random, length: 16}",
            f"passwords: {{policy: template, template: '{template}'}}",
        ),
    )
    kind, severity, message = only(risks())
    assert (kind, severity) == ("password-from-personal-data", "high")
    assert f"({named})" in message and "policy: random" in message


def test_a_random_password_policy_raises_no_flag(repo: Path) -> None:
    (repo / "configs" / "google.yaml").write_text(GOOGLE)
    found = risks(code=2)
    assert "password-from-personal-data" not in [r["kind"] for r in found]
    assert "new-activation" in [r["kind"] for r in found]


def test_credentials_out_moved(repo: Path) -> None:
    (repo / "configs" / "google.yaml").write_text(GOOGLE)
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "google")
    edit(repo, "google", replace("../credentials/google.csv", "/tmp/collect.csv"))
    kind, severity, message = only(risks())
    assert (kind, severity) == ("credentials-moved", "high")
    assert "/tmp/collect.csv" in message
