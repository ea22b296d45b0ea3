"""Reviewer outputs cannot be spoofed: whatever comes from data or servers (record values,
keys, reasons, error messages) is inert in every format. Control and bidi characters show
as escapes, long values are cut with a way to see them whole, and nothing turns into a
link, emphasis or markup."""

from __future__ import annotations

from pathlib import Path

import pytest
from headless import Browser
from markdown_it import MarkdownIt
from render_fixtures import PRINT, WHEN

from passport.model import Action, Change, Direction, EntitySummary, Mode, Plan
from passport.render.html import render_html
from passport.render.markdown import render_markdown
from passport.render.text import render_text
from passport.render.view import Failure

RLO = "\u202e"
LINK = "[click here](https://evil.example/steal) **urgent** <b>bold</b> www.evil.example"
LONG = "x" * 5_000


def spoofing_plan() -> Plan:
    change = Change(
        "classes",
        f"cl-{RLO}1",
        Action.UPDATE,
        Direction.IMPORT,
        before={"title": "Algebra", "location": "Room 1"},
        after={"title": f"Algebra {RLO}evil", "location": LONG},
        changed=("location", "title"),
        identity={"title": LINK},
        school="sch-001",
        reason=f"from the SIS: {LINK}",
    )
    return Plan(
        activation="sis",
        application="oneroster-csv",
        mode=Mode.IMPORT,
        created_at=WHEN,
        fingerprint=PRINT,
        changes=(change,),
        summaries=(EntitySummary(Direction.IMPORT, "classes", update=1, existing=10),),
        notes=(f"a note from the server: {LINK}",),
        warnings=(f"classes.csv row 3: {RLO}warning\x1b[31m",),
    )


FAILURE = Failure("configs/bad.yaml", f"server said: {LINK} {RLO}")


def gfm() -> MarkdownIt:
    return MarkdownIt("gfm-like", {"linkify": True})


def test_markdown_renders_data_as_text_only() -> None:
    comment = render_markdown([spoofing_plan()], [FAILURE], limit=0)
    html = gfm().render(comment)
    assert "evil.example" in html  # shown...
    assert 'href="https://evil.example' not in html and 'href="http://www.evil' not in html
    assert "<strong>urgent</strong>" not in html and "<b>bold</b>" not in html
    assert RLO not in comment and "\\u202e" in comment
    # 5,002: the value as the plan prints it, in JSON quotes.
    assert LONG not in comment and "5,002 characters" in comment


def test_markdown_code_spans_hold_backticks() -> None:
    tricky = Failure("configs/x.yaml", "`` ` closing ``` and [a](https://evil.example) ``")
    html = gfm().render(render_markdown([], [tricky]))
    assert 'href="https://evil.example' not in html


def test_html_escapes_bidi_and_cuts_long_values() -> None:
    page = render_html([spoofing_plan()], [FAILURE], limit=0)
    assert RLO not in page and "\x1b" not in page
    assert "\\u202e" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page and "<b>bold</b>" not in page
    # The long value is cut in sight and whole behind a disclosure.
    assert '<details class="long"><summary><code>' in page and "… (5,002 characters" in page
    assert LONG in page


def test_text_escapes_bidi_and_cuts_long_values() -> None:
    text = render_text(spoofing_plan(), limit=0)
    assert RLO not in text and "\x1b" not in text
    assert "cl-\\u202e1" in text and "\\x1b[31m" in text
    assert LONG not in text and "5,002 characters" in text


@pytest.fixture
def spoof_page(tmp_path: Path, browser: Browser) -> Browser:
    page = tmp_path / "spoof.html"
    page.write_text(render_html([spoofing_plan()], [FAILURE], limit=0), encoding="utf-8")
    browser.open(page.as_uri())
    return browser


def test_a_long_value_does_not_make_the_page_scroll_sideways(spoof_page: Browser) -> None:
    width = spoof_page.evaluate("document.documentElement.scrollWidth")
    view = spoof_page.evaluate("window.innerWidth")
    assert width <= view, (width, view)
    shown = spoof_page.evaluate("document.body.innerText")
    assert RLO not in shown and "evil" in shown
