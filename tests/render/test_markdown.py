"""The Markdown plan: the comment a bot posts on a pull request."""

from __future__ import annotations

import re
import time

from render_fixtures import SCRIPT, SECRETS, huge_plan, import_plan, quiet_plan, two_way_plan

from passport.render.markdown import COMMENT_LIMIT, marker, render_markdown
from passport.render.view import Failure


def test_the_marker_names_the_activation_set_in_any_order() -> None:
    one = render_markdown([import_plan(), two_way_plan()])
    other = render_markdown([two_way_plan(), import_plan()])
    first = "<!-- passport-plan: canvas sample-sis -->"
    assert one.splitlines()[0] == other.splitlines()[0] == first
    assert marker(["b", "a", "b"]) == "<!-- passport-plan: a b -->"
    failed = render_markdown([quiet_plan()], [Failure("configs/canvas.yaml", "boom")])
    assert failed.startswith("<!-- passport-plan: canvas sample-lms -->\n")


def test_the_summary_table_is_outside_the_folded_details() -> None:
    text = render_markdown([import_plan(), two_way_plan()])
    table = text.index("| activation | direction | entity |")
    assert table < text.index("<details>")
    assert "| `canvas` | import | users | 0 | 0 | 0 | 1 | **1** |" in text
    assert text.count("<details>") == text.count("</details>") == 2
    assert text.count("```diff") == 2


def test_personal_data_is_masked_as_in_text() -> None:
    text = render_markdown([import_plan(), two_way_plan()])
    assert not [s for s in SECRETS if s in text]
    assert "givenName=(sensitive)" in text and "email: (changed)" in text


def test_no_value_escapes_its_line_or_the_code_block() -> None:
    text = render_markdown([import_plan()])
    assert f'title="{SCRIPT}"' in text  # inside the diff block, where it is code
    block = text[text.index("```diff") : text.rindex("```")]
    starts = ("@@", "+", "-", "!", "=", "#", "  ")
    assert all(line.startswith(starts) for line in block.splitlines()[1:])


def _fits(text: str) -> None:
    assert len(text) < COMMENT_LIMIT and len(text.encode()) < COMMENT_LIMIT


def test_a_million_changes_fit_in_one_comment() -> None:
    plan = huge_plan(1_000_000)
    started = time.perf_counter()
    text = render_markdown([plan], limit=0, artifact="plans/huge-sis.json")
    took = time.perf_counter() - started
    _fits(text)
    assert took < 10
    assert "**Cut to fit a pull-request comment**" in text
    assert "The full plan is saved as `plans/huge-sis.json`" in text
    left = dict(re.findall(r"> - `huge-sis` import (\w+): (.*)", text))
    assert set(left) == {"users", "enrollments", "classes"}
    for counts in left.values():  # every kind of change shows some records
        numbers = [int(n.replace(",", "")) for n in re.findall(r"([\d,]+) to", counts)]
        assert len(numbers) == 3 and all(100_000 < n < 111_111 for n in numbers)
    for head in re.findall(r"@@ import (\w+): 111,111 to (\w+) @@", text):
        assert head in {(e, a) for e in left for a in ("create", "update", "delete")}


def test_the_default_limit_also_fits() -> None:
    text = render_markdown([huge_plan(1_000_000)])
    _fits(text)
    assert "# … and 111,061 more users to create" in text
    assert "**Cut to fit" not in text
    assert "_Save the full plan with `passport plan --out FILE` to see every record._" in text


def test_many_activations_share_the_room() -> None:
    plans = [huge_plan(90_000), import_plan(), two_way_plan()]
    text = render_markdown(plans, limit=0)
    _fits(text)
    assert "+ users/u-ada" in text and "! classes/cl-7" in text
