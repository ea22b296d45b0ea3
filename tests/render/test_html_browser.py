"""The HTML report in a real browser: it renders, counts right, filters, and stays quiet."""

from __future__ import annotations

from pathlib import Path

import pytest
from headless import Browser
from render_fixtures import SCRIPT, SECRETS, blocked_plan, import_plan, quiet_plan, two_way_plan

from passport.render.html import render_html
from passport.render.view import Failure

BROKEN = Failure("configs/broken.yaml", "configs/broken.yaml:3:7: mode: 'both' is not a mode")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory, browser: Browser) -> Browser:
    plans = [import_plan(), blocked_plan(), two_way_plan(), quiet_plan()]
    page = tmp_path_factory.mktemp("report") / "report.html"
    page.write_text(render_html(plans, [BROKEN], limit=3), encoding="utf-8")
    browser.open(page.as_uri())
    return browser


def text(browser: Browser, selector: str) -> str:
    return str(browser.evaluate(f"document.querySelector({selector!r}).textContent.trim()"))


def visible_actions(browser: Browser) -> list[str]:
    rows = "document.querySelectorAll('tr[data-action]:not(.more)')"
    return list(
        browser.evaluate(
            f"Array.from({rows}).filter(r => r.offsetParent !== null)"
            ".map(r => r.getAttribute('data-action'))"
        )
    )


def test_the_page_shows_the_totals(report: Browser) -> None:
    assert report.evaluate("document.title") == "passport plan · 5 activations"
    totals = {
        key: text(report, f"[data-total={key}]")
        for key in ("create", "update", "delete", "conflicts", "held", "blocked")
    }
    assert totals == {
        "create": "2",
        "update": "3",
        "delete": "31",
        "conflicts": "2",
        "held": "1",
        "blocked": "2",
    }
    rows = report.evaluate("document.querySelectorAll('table.summary tbody tr').length")
    assert rows == 9  # 7 entity rows, 1 without changes, 1 failed


def test_banners_say_what_blocks(report: Browser) -> None:
    banners = report.evaluate(
        "Array.from(document.querySelectorAll('.banner')).map(b => b.textContent)"
    )
    joined = " ".join(banners)
    assert "broken: plan failed" in joined
    assert "district-sis is held by safety" in joined
    assert "canvas has 1 unresolved conflict" in joined


def test_the_filter_shows_one_action(report: Browser) -> None:
    listed = visible_actions(report)
    assert len(listed) == 13 and text(report, "#shown") == "13 of 40"
    report.evaluate("document.querySelector('button[data-filter=delete]').click()")
    assert visible_actions(report) == ["delete"] * 4
    assert text(report, "#shown") == "4 of 31"
    assert text(report, "button[data-filter=delete]") == "delete 31"
    report.evaluate("document.querySelector('button[data-filter=conflict]').click()")
    assert visible_actions(report) == ["conflict", "conflict"]
    report.evaluate("document.querySelector('button[data-filter=all]').click()")
    assert len(visible_actions(report)) == 13


def test_a_record_value_is_text_never_markup(report: Browser) -> None:
    assert report.evaluate("document.scripts.length") == 1
    assert SCRIPT in str(report.evaluate("document.body.textContent"))


def test_no_personal_data_on_the_page(report: Browser) -> None:
    body = str(report.evaluate("document.documentElement.outerHTML"))
    assert not [s for s in SECRETS if s in body]


def test_nothing_logged(report: Browser, tmp_path_factory: pytest.TempPathFactory) -> None:
    assert report.problems() == []


def test_the_sample_district_report(browser: Browser, tmp_path: Path) -> None:
    from district_files import district

    from passport.cli import main

    district(tmp_path, users=40)
    out = tmp_path / "report.html"
    from click.testing import CliRunner

    args = ["plan", "sis", "--format", "html", "--configs", str(tmp_path / "configs")]
    result = CliRunner().invoke(main, [*args, "--store", str(tmp_path / "store.db")])
    assert result.exit_code == 0, result.output
    out.write_text(result.stdout, encoding="utf-8")
    browser.open(out.as_uri())
    assert browser.problems() == []
    assert int(text(browser, "[data-total=create]").replace(",", "")) > 100
    assert text(browser, "[data-total=delete]") == "0"
