"""The terminal rendering of a plan, Terraform-style: + create, ~ update, - delete."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path

import jinja2

from passport.model import Plan
from passport.render.held import held_views, scope_lines
from passport.render.inert import shorten, visible
from passport.render.view import (
    Failure,
    conflict_views,
    groups,
    set_line,
    set_totals,
    summary_rows,
    totals_line,
)


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("passport.render", "templates"),
        autoescape=False,  # plain text; the HTML renderer uses an autoescaping environment
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        # Every value printed goes through `visible`: no control or bidi character from
        # data reaches the terminal as itself.
        finalize=lambda value: visible(str(value)),
    )
    env.filters["short"] = shorten
    return env


def render_text(plan: Plan, *, limit: int = 50, show_pii: bool = False) -> str:
    template = environment().get_template("plan.txt.j2")
    return template.render(
        plan=plan,
        groups=groups(plan.changes, limit, show_pii),
        suppressed=plan.suppressed[: limit or None],
        conflicts=conflict_views(plan.conflicts[: limit or None], show_pii),
        totals=totals_line(plan),
        held=held_views(plan, limit),
        out_of_scope=scope_lines(plan),
    )


def render_texts(
    plans: Sequence[Plan],
    failures: Sequence[Failure] = (),
    *,
    limit: int = 50,
    show_pii: bool = False,
    summary: bool = False,
) -> str:
    """Each plan in turn, then (`summary`, for several activations) the combined summary."""
    parts = [render_text(plan, limit=limit, show_pii=show_pii) for plan in plans]
    if summary:
        parts.append(render_summary(plans, failures))
    return "\n".join(parts)


def render_saved(paths: Iterable[Path]) -> str:
    """Where `--out` saved each plan, and how to apply it."""
    return "\n".join(f"Saved the plan to {p}. Apply it with: passport apply {p}" for p in paths)


def render_summary(plans: Sequence[Plan], failures: Sequence[Failure] = ()) -> str:
    """The combined summary printed after several plans: one line per activation's entity
    and direction with anything to do, then the totals."""
    width = max([len("activation")] + [len(p.activation) for p in plans])
    width = max([width] + [len(Path(f.source).stem) for f in failures])
    head = ("direction", "entity", "create", "update", "delete", "conflicts", "blocked")
    lines = [f"  {'activation':<{width}}  " + _cells(head)]
    for plan in plans:
        rows = summary_rows(plan)
        for r in rows:
            counts = (r.create, r.update, r.delete, r.conflicts, r.blocked)
            cells = (r.direction, r.entity, *(f"{n:,}" for n in counts))
            lines.append(f"  {r.activation:<{width}}  " + _cells(cells))
        if not rows:
            lines.append(f"  {plan.activation:<{width}}  no changes")
    for failure in failures:
        lines.append(f"  {Path(failure.source).stem:<{width}}  plan failed ({failure.source})")
    return "\n".join([f"Summary of {set_line(set_totals(plans, failures))}", *lines])


def _cells(cells: Sequence[str]) -> str:
    direction, entity, *counts = cells
    return f"{direction:<9}  {entity:<16}" + "".join(f"{c:>11}" for c in counts)
