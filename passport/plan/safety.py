"""Safety thresholds: a plan that would delete or rewrite too much of a district is held.

`plan` reports every breach with its numbers; `apply` refuses unless forced. Thresholds
apply once a side holds at least `min_existing` records this activation manages, so a
first import (nothing existing) is never held. `max_held` bounds the source records held
back (a percent of the entity's source records, once there are `min_existing` of them), so
a broken export still stops. A complete listing that is empty and would delete what this
activation brought in is a breach whatever the thresholds.
"""

from __future__ import annotations

from collections.abc import Iterable

from passport.model import HOLD, Action, Breach, Direction, EntitySummary, Limit, Safety


def _rule_value(safety: Safety, name: str, direction: Direction, entity: str) -> Limit | int | None:
    best: tuple[int, Limit | int | None] = (-1, getattr(safety, name))
    for rule in safety.overrides:
        if rule.entity not in (None, entity) or rule.direction not in (None, direction):
            continue
        value = getattr(rule, name)
        if value is None:
            continue
        specificity = (rule.entity is not None) * 2 + (rule.direction is not None)
        if specificity >= best[0]:
            best = (specificity, value)
    return best[1]


def _over(limit: Limit, count: int, existing: int) -> bool:
    if limit.percent:
        return existing > 0 and 100.0 * count / existing > limit.amount
    return count > limit.amount


def breaches(safety: Safety, summaries: Iterable[EntitySummary]) -> list[Breach]:
    found: list[Breach] = []
    for s in summaries:
        floor = _rule_value(safety, "min_existing", s.direction, s.entity)
        least = floor if isinstance(floor, int) else 0
        held = _held_breach(safety, s, least)
        if held is not None:
            found.append(held)
        if s.existing < least:
            continue
        for action, count, name in (
            (Action.DELETE, s.delete, "max_delete"),
            (Action.UPDATE, s.update, "max_update"),
        ):
            limit = _rule_value(safety, name, s.direction, s.entity)
            if isinstance(limit, Limit) and count and _over(limit, count, s.existing):
                found.append(Breach(s.direction, s.entity, action, count, s.existing, str(limit)))
    return found


def _held_breach(safety: Safety, s: EntitySummary, least: int) -> Breach | None:
    limit = _rule_value(safety, "max_held", s.direction, s.entity)
    total = s.source_total
    if not isinstance(limit, Limit) or not s.held or (limit.percent and total < least):
        return None
    if _over(limit, s.held, total):
        return Breach(s.direction, s.entity, HOLD, s.held, total, str(limit))
    return None


def empty_listing_breaches(
    summaries: Iterable[EntitySummary], empty: set[tuple[Direction, str]]
) -> list[Breach]:
    """An empty complete listing (a header-only bulk file) that would delete records."""
    reason = "the source lists none of them, so every one this activation brought in goes"
    return [
        Breach(s.direction, s.entity, Action.DELETE, s.delete, s.existing, "", reason)
        for s in summaries
        if (s.direction, s.entity) in empty and s.delete
    ]
