"""The HTML report: one standalone page (no external assets) for reading a plan in a browser.

A summary, safety and conflict banners, a table per entity, and a filter by action made
of a few lines of inline script. The template environment autoescapes, so a record value
such as `<script>` shows as text. Values are grouped, capped and masked by `view`, the
same as the text plan.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import jinja2
from markupsafe import Markup

from passport import __version__
from passport.model import Action, Plan, Suppressed
from passport.planfile.masking import CHANGED, SENSITIVE
from passport.render.held import HeldView, held_views, scope_lines
from passport.render.inert import is_long, shorten, visible
from passport.render.view import (
    ConflictView,
    Failure,
    GroupView,
    SetTotals,
    SummaryRow,
    conflict_views,
    groups,
    set_line,
    set_totals,
    summary_rows,
    totals_line,
)

FILTERS = ("create", "update", "delete", "link", "forget", "conflict", "held")


def _inert(value: object) -> object:
    """Every `{{ }}` of the page: markup the template built stays; anything else (data,
    reasons, messages) shows its control and bidi characters as escapes, then is
    autoescaped."""
    return value if isinstance(value, Markup) else visible(str(value))


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("passport.render", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_inert,
    )
    env.filters["short"] = shorten
    env.tests["long"] = is_long
    return env


@cache
def script() -> tuple[Markup, str]:
    """The filter's script, and its hash for the page's Content-Security-Policy: the
    page runs this script and nothing else, even if a value slipped past escaping."""
    text = resources.files("passport.render").joinpath("templates/report.js").read_text("utf-8")
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    return Markup(text), f"sha256-{digest}"


@dataclass
class EntityTable:
    """One direction and entity of a plan: its groups of changes, one per action."""

    direction: str
    entity: str
    groups: list[GroupView] = field(default_factory=list)
    breaches: list[str] = field(default_factory=list)  # safety limits this part goes over

    @property
    def total(self) -> int:
        return sum(g.total for g in self.groups)

    @property
    def fields(self) -> bool:
        """Whether any listed record has field changes (a column for them)."""
        return any(c.fields for g in self.groups for c in g.changes)


@dataclass(frozen=True)
class PlanPage:
    plan: Plan
    totals: str
    rows: list[SummaryRow]
    tables: list[EntityTable]
    held: Sequence[Suppressed]
    conflicts: list[ConflictView]
    held_records: list[HeldView] = field(default_factory=list)
    out_of_scope: list[str] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"plan-{self.plan.activation}"


def _tables(plan: Plan, limit: int, show_pii: bool) -> list[EntityTable]:
    tables: dict[tuple[str, str], EntityTable] = {}
    for group in groups(plan.changes, limit, show_pii):
        ident = (group.direction, group.entity)
        tables.setdefault(ident, EntityTable(*ident)).groups.append(group)
    for breach in plan.breaches:
        table = tables.get((breach.direction.value, breach.entity))
        if table is not None:
            table.breaches.append(str(breach))
    return list(tables.values())


def page(plan: Plan, limit: int, show_pii: bool) -> PlanPage:
    return PlanPage(
        plan=plan,
        totals=totals_line(plan),
        rows=summary_rows(plan),
        tables=_tables(plan, limit, show_pii),
        held=plan.suppressed[: limit or None],
        conflicts=conflict_views(plan.conflicts[: limit or None], show_pii),
        held_records=held_views(plan, limit),
        out_of_scope=scope_lines(plan),
    )


def _cards(totals: SetTotals) -> list[tuple[str, int, str, str]]:
    blocked = "activation" if totals.blocked == 1 else "activations"
    failed = [("failed", totals.failed, "failed to plan", "blocked")] if totals.failed else []
    return [
        ("create", totals.create, "to create", "create"),
        ("update", totals.update, "to update", "update"),
        ("delete", totals.delete, "to delete", "delete"),
        ("conflicts", totals.conflicts, "conflicts", "conflict"),
        ("held", totals.held, "held back", "held"),
        ("blocked", totals.blocked, f"blocked {blocked}", "blocked"),
        *failed,
    ]


def _counts(plans: Sequence[Plan]) -> dict[str, int]:
    counts = dict.fromkeys(FILTERS, 0)
    for plan in plans:
        for action in Action:
            if n := plan.count(action):
                counts[action.value] = counts.get(action.value, 0) + n
        counts["conflict"] += len(plan.conflicts)
        counts["held"] += len(plan.suppressed)
    return counts


def render_html(
    plans: Sequence[Plan],
    failures: Sequence[Failure] = (),
    *,
    limit: int = 50,
    show_pii: bool = False,
) -> str:
    totals = set_totals(plans, failures)
    names = [p.activation for p in plans] + [Path(f.source).stem for f in failures]
    title = names[0] if len(names) == 1 else f"{len(names)} activations"
    code, digest = script()
    template = environment().get_template("plan.html.j2")
    return template.render(
        title=title,
        pages=[page(p, limit, show_pii) for p in plans],
        failures=[(Path(f.source).stem, f) for f in failures],
        cards=_cards(totals),
        summary=set_line(totals),
        counts=_counts(plans),
        created=max((p.created_at for p in plans), default=""),
        masked=(SENSITIVE, CHANGED, "(deleted)", "(none)"),
        version=__version__,
        limit=limit,
        script=code,
        script_hash=digest,
    )
