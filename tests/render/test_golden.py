"""Rendered plans compared with files in tests/golden/.

After an intended change to a rendering, refresh them and read the diff:

    PASSPORT_UPDATE_GOLDEN=1 .venv/bin/pytest tests/render/test_golden.py
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from render_fixtures import blocked_plan, import_plan, quiet_plan, two_way_plan

from passport.model import Plan
from passport.render.markdown import render_markdown
from passport.render.text import render_summary, render_text
from passport.render.view import Failure

GOLDEN = Path(__file__).parents[1] / "golden"
UPDATE = os.environ.get("PASSPORT_UPDATE_GOLDEN") == "1"
BROKEN = Failure("configs/broken.yaml", "configs/broken.yaml:3:7: mode: 'both' is not a mode")

PLANS: dict[str, Callable[[], Plan]] = {
    "import": import_plan,
    "blocked": blocked_plan,
    "two-way": two_way_plan,
    "no-changes": quiet_plan,
}


def every_plan() -> list[Plan]:
    return [make() for make in PLANS.values()]


def check(name: str, actual: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    assert path.exists(), f"{path} is missing: run with PASSPORT_UPDATE_GOLDEN=1"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{name} changed; if intended, refresh with PASSPORT_UPDATE_GOLDEN=1"


@pytest.mark.parametrize("name", PLANS)
def test_text(name: str) -> None:
    check(f"plan-{name}.txt", render_text(PLANS[name](), limit=10))


def test_text_summary_of_many() -> None:
    check("summary-many.txt", render_summary(every_plan(), [BROKEN]) + "\n")


@pytest.mark.parametrize("name", PLANS)
def test_markdown(name: str) -> None:
    check(f"plan-{name}.md", render_markdown([PLANS[name]()], limit=10))


def test_markdown_of_many() -> None:
    rendered = render_markdown(every_plan(), [BROKEN], limit=10, artifact="plans/")
    check("plan-many.md", rendered)


def test_markdown_cut_to_size() -> None:
    rendered = render_markdown(every_plan(), limit=10, artifact="plans/", size=7000)
    assert len(rendered.encode()) <= 7000
    check("plan-cut.md", rendered)
