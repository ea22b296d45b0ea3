"""Only a real usage mistake gets click's `Usage:` banner and exit 2. passport's own checks
on what was asked say what is wrong and what to do (a hint), and exit 1."""

from __future__ import annotations

import pytest
from district_files import add_lms, district
from passport_cli import Passport

MISTAKES = {
    "an unknown option": ("plan", "sis", "--no-such-option"),
    "a missing argument": ("apply",),
    "a bad option value": ("apply", "sis", "--lock-timeout", "soon"),
    "history show without a run": ("history", "show"),
}

OWN_CHECKS = {
    "--show-pii off a terminal": (("plan", "sis", "--show-pii"), "only works on a terminal"),
    "apply off a terminal without --yes": (("apply", "sis"), "pass --yes"),
    "--out with a report's name": (("plan", "sis", "--out", "plan.html"), "--report plan.html"),
    "--out FILE for several activations": (("plan", "--out", "one.json"), "name a folder"),
    "--report named for another format": (
        ("plan", "sis", "--report", "plan.html"),
        "add --format html",
    ),
    "--show-pii into a report": (
        ("plan", "sis", "--show-pii", "--report", "plan.txt"),
        "never into a report file",
    ),
}


@pytest.mark.parametrize("args", MISTAKES.values(), ids=list(MISTAKES))
def test_a_real_usage_mistake_shows_the_usage(passport: Passport, args: tuple[str, ...]) -> None:
    district(passport.root)
    result = passport(*args, code=2)
    assert "Usage: " in result.output


@pytest.mark.parametrize("args, says", OWN_CHECKS.values(), ids=list(OWN_CHECKS))
def test_our_own_checks_are_errors_with_a_hint(
    passport: Passport, args: tuple[str, ...], says: str
) -> None:
    configs = district(passport.root)
    add_lms(configs, passport.root / "lms-bundle")
    result = passport(*args, code=1)
    assert "Usage:" not in result.output
    assert "Error: " in result.output and "Hint: " in result.output
    assert says in result.output
    assert passport.open_store().count("users") == 0
    assert not (passport.root / "plan.html").exists()
