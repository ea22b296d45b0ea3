"""Held records and out-of-scope counts appear in every rendering of a plan."""

from __future__ import annotations

import json
from dataclasses import replace

from render_fixtures import IMP, import_plan

from passport.model import HOLD, Breach, Held, OutOfScope, Plan
from passport.render.html import render_html
from passport.render.json_plan import to_json
from passport.render.markdown import render_markdown
from passport.render.text import render_text

HELD = (
    Held(
        "classes",
        "k9",
        "unknown course 'c9' (not in courses.csv)",
        "classes.csv",
        4,
        6,
        "courseSourcedId",
        "the record it names must be in the bundle, or the file declared absent",
    ),
    Held("enrollments", "e7", "depends on held class 'k9'", depends_on=("classes", "k9")),
)
OUT = (OutOfScope(IMP, "users", "none of its orgs is a mapped school", 40),)


def plan() -> Plan:
    breach = Breach(IMP, "classes", HOLD, 1, 5, "10%")
    return replace(import_plan(), held=HELD, out_of_scope=OUT, breaches=(breach,))


def test_text_lists_each_held_record_with_its_place_and_the_scope_counts() -> None:
    text = render_text(plan())
    assert (
        "  ✗ import classes/k9: classes.csv:4:6: courseSourcedId: "
        "unknown course 'c9' (not in courses.csv)"
    ) in text
    assert "  ✗ import enrollments/e7: depends on held class 'k9'" in text
    assert "  - import users: 40 out of scope (none of its orgs is a mapped school)" in text
    assert "import classes: 1 held is 20.0% of 5 source records, over the 10% limit" in text


def test_markdown_and_html_list_them_too() -> None:
    markdown = render_markdown([plan()])
    assert "@@ import classes: 1 held @@" in markdown
    assert "- classes/k9: classes.csv:4:6: courseSourcedId: unknown course" in markdown
    assert "import users: 40 out of scope" in markdown
    html = render_html([plan()])
    assert "held records" in html and "classes/k9" in html and "40 out of scope" in html


def test_json_holds_them_structured() -> None:
    body = json.loads(to_json(plan()))
    assert body["held"][1]["depends_on"] == {"entity": "classes", "key": "k9"}
    assert (body["held"][0]["row"], body["held"][0]["column"]) == (4, 6)
    assert body["out_of_scope"] == [
        {
            "direction": "import",
            "entity": "users",
            "reason": "none of its orgs is a mapped school",
            "count": 40,
        }
    ]
    assert body["safety"]["breaches"][0]["action"] == "hold"


def test_a_plan_with_held_records_matches_the_plan_schema() -> None:
    from test_json_plan import errors

    assert errors(json.loads(to_json(plan()))) == []
