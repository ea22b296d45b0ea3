"""Held source records and what the scope leaves out, prepared for every rendering.

Renderers show them beside the changes: each held record with its place and reason, and
per entity the counts of records out of scope by reason. Reasons never hold a raw value of
a personal-data field (connectors leave those values out), so nothing here is masked.
"""

from __future__ import annotations

from dataclasses import dataclass

from passport.model import Held, Plan


@dataclass(frozen=True)
class HeldView:
    direction: str
    entity: str
    key: str
    where: str  # file:row:column, then the field, as far as known
    reason: str
    hint: str


def held_line(held: Held) -> str:
    """`file:row:col: field: reason`, as much of it as is known."""
    place = held.place()
    lead = f"{place}: " if place else ""
    field = f"{held.field}: " if held.field else ""
    return f"{lead}{field}{held.reason}"


def held_views(plan: Plan, limit: int) -> list[HeldView]:
    shown = plan.held[: limit or None]
    return [
        HeldView(h.direction.value, h.entity, h.key, held_line(h), h.reason, h.hint) for h in shown
    ]


def scope_lines(plan: Plan) -> list[str]:
    """One line per direction, entity and reason: how many records the scope leaves out."""
    return [
        f"{x.direction.value} {x.entity}: {x.count:,} out of scope ({x.reason})"
        for x in plan.out_of_scope
    ]
