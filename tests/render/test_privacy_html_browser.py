"""The privacy report and audit pages in a real browser: they render, the matrix reads
right, nothing is logged, and no personal data is on the page."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from district_files import district, read_rows
from headless import Browser

from passport.cli import main


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def personal_values(bundle: Path) -> set[str]:
    """Every name, email, username and id of the district's people: none may be on a page."""
    values = set()
    for row in read_rows(bundle / "users.csv"):
        for name in ("givenName", "familyName", "email", "username", "identifier"):
            if len(row[name]) > 3:
                values.add(row[name])
    return values


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, set[str]]:
    root = tmp_path_factory.mktemp("privacy")
    configs = district(root, users=60)
    (configs / "agreements").mkdir()
    (configs / "agreements" / "lms.yaml").write_text(
        "version: 1\nvendor: Example LMS\nsigned: 2025-07-01\nexpires: 2099-06-30\nallow:\n"
        + "".join(
            f"  - category: {c}\n"
            for c in ("organisation", "course-catalogue", "enrollment", "schedule", "identifiers")
        )
        + "  - {category: name, treatment: pseudonymised}\n"
        + "  - {category: contact, treatment: pseudonymised}\n"
    )
    (configs / "shield.key").write_text("a-key-for-the-browser-test\n")
    lms = (
        "version: 1\nname: lms\napplication: oneroster-csv\nmode: export\n"
        f"delivery: {{path: {root / 'lms-out'}}}\n"
        "schools: {map: [{app: sch-001, store: sch-001}]}\n"
        "attributes: {orgs: all, classes: all, courses: all, academicSessions: all,"
        " users: [role, username, givenName, familyName, email], enrollments: all}\n"
        "privacy_shield: {enabled: true, level: 2, key: '${file:shield.key}'}\n"
        "privacy: {agreement: agreements/lms.yaml}\n"
    )
    (configs / "lms.yaml").write_text(lms)
    store = ["--store", str(root / "store.db"), "--configs", str(configs)]
    run("apply", "sis", "--yes", *store)
    run("apply", "lms", "--yes", *store)
    report = root / "report.html"
    report.write_text(run("privacy", "report", "--configs", str(configs), "--format", "html"))
    audit = root / "audit.html"
    audit.write_text(run("privacy", "audit", *store, "--format", "html"))
    return report, audit, personal_values(root / "sis-bundle")


def cells(browser: Browser, selector: str) -> list[str]:
    return list(
        browser.evaluate(
            f"Array.from(document.querySelectorAll({selector!r})).map(c => c.textContent.trim())"
        )
    )


def test_the_report_renders_its_matrix(
    browser: Browser, pages: tuple[Path, Path, set[str]]
) -> None:
    report, _, _ = pages
    browser.open(report.as_uri())
    assert browser.problems() == []
    assert browser.evaluate("document.title").startswith("passport privacy report")
    heads = cells(browser, "#categories thead th a")
    assert heads == ["lms", "sis"]
    names = cells(browser, "#categories tr[data-category='name'] td.t")
    assert names == ["pseudonymised", "in"]
    contact = cells(browser, "#categories tr[data-category='contact'] td.t")
    assert contact == ["pseudonymised", "in"]
    demographics = cells(browser, "#categories tr[data-category='demographics'] td.t")
    assert demographics == ["—", "in"]
    assert cells(browser, "#fields tr[data-field='users.email'] td") == ["pseudonymised", "in"]
    assert cells(browser, "#fields tr[data-field='users.username'] td") == ["raw", "in"]
    assert "uncategorised" in cells(browser, "#categories tbody tr")[-1].lower()


def test_the_audit_page_counts_what_was_sent(
    browser: Browser, pages: tuple[Path, Path, set[str]]
) -> None:
    _, audit, _ = pages
    browser.open(audit.as_uri())
    assert browser.problems() == []
    fields = cells(browser, "#audit tbody tr td:nth-child(3)")
    assert "users.email" in fields and "users.phone" not in fields
    assert not [f for f in fields if f.startswith("demographics.")]


def test_no_personal_data_and_no_script_on_either_page(
    browser: Browser, pages: tuple[Path, Path, set[str]]
) -> None:
    report, audit, people = pages
    assert len(people) > 100
    for page in (report, audit):
        browser.open(page.as_uri())
        html = str(browser.evaluate("document.documentElement.outerHTML"))
        assert [v for v in people if v in html] == []
        assert browser.evaluate("document.scripts.length") == 0
        assert browser.problems() == []
