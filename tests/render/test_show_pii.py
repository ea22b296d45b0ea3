"""--show-pii reaches every value a rendering shows: labels, field lines and conflict sides.

Without it, personal data is `(sensitive)` or `(changed)`; with it, the text, Markdown and
HTML plans show the values themselves, before and after.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from render_fixtures import SECRETS, import_plan, two_way_plan

from passport.model import Plan
from passport.render.html import render_html
from passport.render.markdown import render_markdown
from passport.render.text import render_text

RENDERINGS: dict[str, Callable[[Plan, bool], str]] = {
    "text": lambda plan, pii: render_text(plan, show_pii=pii),
    "markdown": lambda plan, pii: render_markdown([plan], show_pii=pii),
    "html": lambda plan, pii: render_html([plan], show_pii=pii),
}


def quoted(text: str, fmt: str) -> str:
    return f"&#34;{text}&#34;" if fmt == "html" else f'"{text}"'


@pytest.mark.parametrize("fmt", RENDERINGS)
def test_an_updated_personal_field_shows_both_values(fmt: str) -> None:
    rendered = RENDERINGS[fmt](import_plan(), True)
    assert quoted("grace@old.edu", fmt) in rendered
    assert quoted("g.hopper@x.edu", fmt) in rendered
    if fmt != "html":  # the page lays before and after out in two cells
        assert 'email: "grace@old.edu" → "g.hopper@x.edu"' in rendered
    assert "(sensitive) → (sensitive)" not in rendered


@pytest.mark.parametrize("fmt", RENDERINGS)
def test_conflicting_personal_values_show_on_both_sides(fmt: str) -> None:
    rendered = RENDERINGS[fmt](two_way_plan(), True)
    assert quoted("grace@old.edu", fmt) in rendered
    assert quoted("g.hopper@x.edu", fmt) in rendered


@pytest.mark.parametrize("fmt", RENDERINGS)
def test_without_the_flag_no_personal_value_shows(fmt: str) -> None:
    for plan in (import_plan(), two_way_plan()):
        rendered = RENDERINGS[fmt](plan, False)
        assert not [s for s in SECRETS if s in rendered]
