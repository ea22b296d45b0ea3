"""Risk flags on what an activation takes: records let through, fields shared, schools.

- a filter removed or widened (medium): records it kept out now flow (removing a role
  filter exports guardians and administrators);
- attributes widened for any entity (medium when the activation exports, else low): more
  fields flow; personal data newly shared is flagged on its own (`pii-shared`);
- a school mapping changed (medium): one school's records now go to, or come from,
  another.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from passport.config.risk import Risk, cut, exports
from passport.model import Activation, Filter
from passport.oneroster import SPECS

_VALUE_OPS = frozenset({"equals", "in", "contains", "starts-with", "before", "after"})


# --- filters -------------------------------------------------------------------------------


def _values(rule: Filter) -> list[str]:
    value = rule.value
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _admits(rule: Filter, value: str) -> bool:
    """Whether `rule` lets through a record whose field holds just `value`."""
    target = "" if rule.value is None or isinstance(rule.value, list) else str(rule.value)
    return {
        "equals": value == target,
        "not-equals": value != target,
        "in": value in _values(rule),
        "contains": target in value,
        "starts-with": value.startswith(target),
        "before": value < target,
        "after": value > target,
        "is-not-empty": True,
        "is-empty": False,
    }[rule.op]


def implies(head: Filter, base: Filter) -> bool:
    """True when every record `head` lets through, `base` let through too (so `head` is
    `base` or narrower). Unsure answers are False: the change is shown for review."""
    if (head.entity, head.field) != (base.entity, base.field):
        return False
    if (head.op, head.value) == (base.op, base.value):
        return True
    if base.op in ("not-equals", "is-empty"):
        return False  # a list field holding one excluded value and another: no proof
    if head.op in ("equals", "in"):
        return all(_admits(base, v) for v in _values(head))
    same = head.op == base.op
    target, bound = str(head.value), str(base.value)
    if same and head.op == "contains":
        return bound in target
    if same and head.op == "starts-with":
        return target.startswith(bound)
    if same and head.op == "before":
        return target <= bound
    if same and head.op == "after":
        return target >= bound
    return base.op == "is-not-empty" and head.op in _VALUE_OPS


def _rule(rule: Filter) -> str:
    value = "" if rule.value is None else " " + json.dumps(rule.value, ensure_ascii=False)
    return cut(f"{rule.entity}.{rule.field} {rule.op}{value}")


def filter_risks(base: Activation, head: Activation) -> list[Risk]:
    found = []
    for rule in base.filters:
        if any(implies(new, rule) for new in head.filters):
            continue
        same = [r for r in head.filters if (r.entity, r.field) == (rule.entity, rule.field)]
        if same:
            now = "; ".join(_rule(r) for r in same)
            message = f"filter widened: {_rule(rule)} → {now}"
            found.append(Risk("filter-widened", "medium", message))
        else:
            message = f"filter removed: {_rule(rule)} (records it kept out now flow)"
            found.append(Risk("filter-removed", "medium", message))
    return found


# --- attributes ------------------------------------------------------------------------------


def _fields(entity: str, chosen: str | tuple[str, ...] | None) -> set[str]:
    if chosen is None:
        return set()
    return set(SPECS[entity].fields) if isinstance(chosen, str) else set(chosen)


def attribute_risks(base: Activation, head: Activation, reported: Sequence[str]) -> list[Risk]:
    """Fields shared now that were not, except those `reported` already (as personal data)."""
    parts = []
    for entity, chosen in sorted(head.attributes.items()):
        if entity not in SPECS:
            continue
        before = base.attributes.get(entity)
        new = _fields(entity, chosen) - _fields(entity, before)
        new -= {name.partition(".")[2] for name in reported if name.startswith(f"{entity}.")}
        if not new:
            continue
        if before is None:
            parts.append(
                f"{entity} now shared ({'all' if chosen == 'all' else ', '.join(sorted(new))})"
            )
        else:
            parts.append(f"{entity}: {', '.join(sorted(new))}")
    if not parts:
        return []
    severity = "medium" if exports(head) else "low"
    message = cut(f"attributes widened: {'; '.join(parts)}", 400)
    return [Risk("attributes-widened", severity, message)]


# --- schools ----------------------------------------------------------------------------------


def remapped_schools(base: Activation, head: Activation) -> list[Risk]:
    """Pairs that now join a known application school or store school to another one."""
    app_to_store = {m.app: m.store for m in base.schools}
    store_to_app = {m.store: m.app for m in base.schools}
    changed = []
    for pair in head.schools:
        was_store = app_to_store.get(pair.app)
        was_app = store_to_app.get(pair.store)
        if was_store is not None and was_store != pair.store:
            changed.append(f"app {cut(pair.app)}: store {cut(was_store)} → {cut(pair.store)}")
        elif was_app is not None and was_app != pair.app:
            changed.append(f"store {cut(pair.store)}: app {cut(was_app)} → {cut(pair.app)}")
    if not changed:
        return []
    return [Risk("schools-remapped", "medium", f"schools remapped: {', '.join(changed)}")]


def known_school(base: Activation, app: str, store: str) -> bool:
    """Whether either side of a pair is mapped already (a remap, not an addition)."""
    return any(m.app == app or m.store == store for m in base.schools)
