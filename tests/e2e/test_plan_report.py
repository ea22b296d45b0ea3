"""`--out` saves the plan `apply` takes, always JSON; `--report` writes the rendering.

`plan --format html --out plan.html` once wrote JSON into plan.html. Now a file named
like a report is refused for `--out`, with a pointer to `--report`, and the two options
together give a reviewer the page and a pipeline the plan from one run.
"""

from __future__ import annotations

import json

import pytest
from district_files import add_lms, district
from passport_cli import Passport


@pytest.mark.parametrize("name", ["plan.html", "plan.md", "PLAN.HTM", "plans/x.markdown"])
def test_out_refuses_a_report_name_and_points_at_report(passport: Passport, name: str) -> None:
    district(passport.root)
    refused = passport("plan", "sis", "--format", "html", "--out", name, code=1)
    assert f"--out {name}: --out saves the plan that `passport apply` takes" in refused.output
    assert f"--report {name}" in refused.output
    assert not (passport.root / name).exists()


def test_report_and_out_in_one_run(passport: Passport) -> None:
    district(passport.root)
    args = ("--format", "html", "--report", "plan.html", "--out", "plan.json")
    result = passport("plan", "sis", *args)
    assert result.stdout == ""
    assert "Wrote the html report to plan.html." in result.stderr
    assert "Saved the plan to plan.json. Apply it with: passport apply plan.json" in result.stderr
    page = (passport.root / "plan.html").read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and "sis" in page
    saved = json.loads((passport.root / "plan.json").read_text(encoding="utf-8"))
    assert saved["activation"] == "sis" and "checksum" in saved
    passport("apply", "plan.json")
    assert passport.open_store().count("users") > 0


@pytest.mark.parametrize(
    "fmt, name, starts",
    [("markdown", "plan.md", "<!-- passport-plan: lms sis -->"), ("json", "plan-set.json", "{")],
)
def test_several_activations_make_one_report(
    passport: Passport, fmt: str, name: str, starts: str
) -> None:
    configs = district(passport.root)
    add_lms(configs, passport.root / "lms-bundle")
    passport("plan", "--format", fmt, "--report", name, "--out", "plans")
    report = (passport.root / name).read_text(encoding="utf-8")
    assert report.startswith(starts)
    if fmt == "json":
        assert [p["activation"] for p in json.loads(report)["plans"]] == ["lms", "sis"]
    assert sorted(p.name for p in (passport.root / "plans").iterdir()) == ["lms.json", "sis.json"]


def test_a_text_report_is_the_text_plan(passport: Passport) -> None:
    district(passport.root)
    shown = passport("plan", "sis").stdout
    passport("plan", "sis", "--report", "plan.txt")
    assert (passport.root / "plan.txt").read_text(encoding="utf-8") == shown
