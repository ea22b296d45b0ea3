"""Safety thresholds: a plan that would delete or rewrite too much of a district is held.

`plan` reports every breach with its numbers; `apply` refuses unless forced. Thresholds
apply once a side holds at least `min_existing` records this activation manages, so a
first import (nothing existing) is never held.
"""

from __future__ import annotations

from collections.abc import Iterable

from passport.model import Action, Breach, Direction, EntitySummary, Limit, Safety


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
        if s.existing < (floor if isinstance(floor, int) else 0):
            continue
        for action, count, name in (
            (Action.DELETE, s.delete, "max_delete"),
            (Action.UPDATE, s.update, "max_update"),
        ):
            limit = _rule_value(safety, name, s.direction, s.entity)
            if isinstance(limit, Limit) and count and _over(limit, count, s.existing):
                found.append(Breach(s.direction, s.entity, action, count, s.existing, str(limit)))
    return found
