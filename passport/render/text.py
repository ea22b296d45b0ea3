"""The terminal rendering of a plan, Terraform-style: + create, ~ update, - delete."""

from __future__ import annotations

from functools import cache

import jinja2

from passport.model import Plan
from passport.render.view import conflict_views, groups, totals_line


@cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("passport.render", "templates"),
        autoescape=False,  # plain text; the HTML renderer uses an autoescaping environment
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


def render_text(plan: Plan, *, limit: int = 50, show_pii: bool = False) -> str:
    template = environment().get_template("plan.txt.j2")
    return template.render(
        plan=plan,
        groups=groups(plan.changes, limit, show_pii),
        suppressed=plan.suppressed[: limit or None],
        conflicts=conflict_views(plan.conflicts[: limit or None], show_pii),
        totals=totals_line(plan),
    )
