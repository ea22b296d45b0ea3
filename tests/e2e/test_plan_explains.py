"""What `passport plan` tells a person at a terminal: personal data in clear when asked
for, and why nothing will be made when every change is held back."""

from __future__ import annotations

import sys

from district_files import district, edit_csv
from passport_cli import Passport
from terminal import on_a_terminal

NO_DELETES = (
    "rollover:\n"
    "  - {kind: no-deletes, from: 2027-06-15, until: 2027-08-15, reason: summer rollover}\n"
)


def test_show_pii_on_a_terminal_shows_the_changed_values(passport: Passport) -> None:
    district(passport.root)
    passport("apply", "sis", "--yes")
    users = passport.root / "sis-bundle" / "users.csv"
    before: dict[str, str] = {}

    def rename(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        student = next(r for r in rows if r["role"] == "student")
        before.update(student)
        student["givenName"] = "Zenobia"
        return rows

    edit_csv(users, rename)
    args = ["plan", "sis", "--store", str(passport.store), "--configs", str(passport.configs)]
    cmd = [sys.executable, "-m", "passport", *args]
    code, printed = on_a_terminal(cmd, passport.root)
    assert code == 0, printed
    assert "~ givenName: (changed)" in printed and "Zenobia" not in printed
    code, printed = on_a_terminal([*cmd, "--show-pii"], passport.root)
    assert code == 0, printed
    assert f'~ givenName: "{before["givenName"]}" → "Zenobia"' in printed
    assert "(sensitive) → (sensitive)" not in printed


def test_a_plan_held_by_a_rollover_window_says_so(passport: Passport) -> None:
    configs = district(passport.root)
    passport("apply", "sis", "--yes")
    sis = configs / "sis.yaml"
    sis.write_text(sis.read_text() + NO_DELETES)
    enrollments = passport.root / "sis-bundle" / "enrollments.csv"
    edit_csv(enrollments, lambda rows: rows[:-3])
    result = passport("plan", "sis", "--as-of", "2027-07-01", "--format", "text")
    last = result.stdout.rstrip("\n").splitlines()[-1]
    assert "agree" not in result.stdout
    assert last.startswith("No changes will be made: ")
    assert (
        "held back (" in last and "× rollover window 2027-06-15 to 2027-08-15: no deletes" in last
    )
    markdown = passport("plan", "sis", "--as-of", "2027-07-01", "--format", "markdown").stdout
    assert "**No changes will be made: " in markdown and "agree" not in markdown
