"""A plan with nothing to do says why: what is held back, by which reason, how many.

Only a plan with nothing held and nothing noted says that the store and the application
agree; the others count the held changes per reason, in text, Markdown and HTML alike.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from render_fixtures import EXP, IMP, PRINT, WHEN, quiet_plan

from passport.model import Action, EntitySummary, Mode, Plan, Suppressed
from passport.render.html import render_html
from passport.render.markdown import render_markdown
from passport.render.text import render_text

ROLLOVER = "rollover window 2027-06-20 to 2027-08-15: no deletes (summer rollover)"
CLOSED = "export_until 2027-02-28 has passed: nothing is exported"
AGREE = "The store and the application agree"


def held_plan() -> Plan:
    """A two-way plan whose every change is held: deletes by a rollover window, exports
    by a closed export window."""
    held = (
        *(Suppressed("users", f"u-{n}", Action.DELETE, IMP, ROLLOVER) for n in range(2)),
        Suppressed("users", "u-9", Action.UPDATE, EXP, CLOSED),
    )
    return Plan(
        activation="canvas",
        application="oneroster-rest",
        mode=Mode.TWO_WAY,
        created_at=WHEN,
        fingerprint=PRINT,
        suppressed=held,
        summaries=(EntitySummary(IMP, "users", suppressed=2, existing=120),),
        notes=(CLOSED,),
    )


def closed_export_plan() -> Plan:
    """An export after export_until: nothing is even planned, and a note says why."""
    return Plan(
        activation="lms",
        application="oneroster-csv",
        mode=Mode.EXPORT,
        created_at=WHEN,
        fingerprint=PRINT,
        notes=(CLOSED,),
    )


RENDERINGS: dict[str, Callable[[Plan], str]] = {
    "text": lambda plan: render_text(plan),
    "markdown": lambda plan: render_markdown([plan]),
    "html": lambda plan: render_html([plan]),
}


@pytest.mark.parametrize("fmt", RENDERINGS)
def test_a_plan_all_held_counts_each_reason(fmt: str) -> None:
    rendered = RENDERINGS[fmt](held_plan())
    assert AGREE not in rendered
    assert "No changes will be made: 3 changes are held back" in rendered
    assert f"2 × {ROLLOVER}" in rendered
    assert f"1 × {CLOSED}" in rendered


def test_the_text_plan_ends_with_the_held_counts() -> None:
    last = render_text(held_plan()).rstrip("\n").splitlines()[-1]
    assert last == (
        f"No changes will be made: 3 changes are held back (2 × {ROLLOVER}; 1 × {CLOSED})."
    )


@pytest.mark.parametrize("fmt", RENDERINGS)
def test_a_closed_export_says_why_nothing_is_planned(fmt: str) -> None:
    rendered = RENDERINGS[fmt](closed_export_plan())
    assert AGREE not in rendered
    assert f"No changes will be made: {CLOSED}." in rendered


@pytest.mark.parametrize("fmt", RENDERINGS)
def test_only_a_plan_with_nothing_held_says_both_sides_agree(fmt: str) -> None:
    assert AGREE in RENDERINGS[fmt](quiet_plan())


def test_many_reasons_name_the_first_five_and_count_the_rest() -> None:
    held = tuple(
        Suppressed("users", f"u-{n}-{k}", Action.UPDATE, IMP, f"owned by activation a{n}")
        for n in range(7)
        for k in range(n + 1)
    )
    plan = Plan("sis", "oneroster-csv", Mode.IMPORT, WHEN, PRINT, suppressed=held)
    last = render_text(plan).rstrip("\n").splitlines()[-1]
    assert last.startswith("No changes will be made: 28 changes are held back (7 × owned by")
    assert "3 × owned by activation a2; 3 for 2 more reasons)." in last
