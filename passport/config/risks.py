"""Risk flags: config changes that widen what leaves the district or loosen its guards.

Each flag has a kind, a severity (high, medium, low) and a sentence. They are read off
the two loaded activations, not off the text, so a reformatted file raises nothing and
a default spelled out raises nothing either.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from passport.config.delivery_risks import delivery_risks
from passport.config.risk import SEVERITIES, Risk, cut, exports
from passport.config.scope_risks import (
    attribute_risks,
    filter_risks,
    known_school,
    remapped_schools,
)
from passport.connectors import registry
from passport.errors import PassportError
from passport.mapping.shield import rules_for
from passport.model import Activation, Direction, Limit, Mode, Safety
from passport.oneroster import ENTITIES, SPECS, is_pii

__all__ = ["SEVERITIES", "Risk", "exports", "risks", "shared_pii"]

STRENGTH = {"drop": 3, "mask": 2, "generalize": 1}  # keep / no rule: 0


def risks(base: Activation | None, head: Activation) -> list[Risk]:
    """Every risk of going from `base` (None: the activation is new) to `head`."""
    if base is None:
        kind = f"{head.mode.value} activation {head.name} ({head.application})"
        new = Risk("new-activation", "high" if exports(head) else "medium", f"new {kind}")
        return [new, *_pii(None, head), *_application(None, head)]
    pii = newly_shared_pii(base, head)
    return [
        *delivery_risks(base, head),
        *_shield(base, head),
        *_pii(base, head),
        *attribute_risks(base, head, list(pii)),
        *filter_risks(base, head),
        *_schools(base, head),
        *remapped_schools(base, head),
        *_mode(base, head),
        *_safety(base.safety, head.safety, _directions(head)),
        *_export_until(base, head),
        *_application(base, head),
    ]


def _application(base: Activation | None, head: Activation) -> list[Risk]:
    """The application's own flags (google-workspace: a password template made of personal
    data)."""
    try:
        app = registry.get(head.application)
    except PassportError:
        return []
    if app.risks is None:
        return []
    before = base.delivery if base is not None and base.application == head.application else None
    return [
        Risk(kind, severity, message)
        for kind, severity, message in app.risks(before, head.delivery)
    ]


# --- the Privacy Shield and personal data ---------------------------------------------


def _weakened(base: Activation, head: Activation) -> list[str]:
    before, after = rules_for(base.shield), rules_for(head.shield)
    return [
        f"{name} {before[name]} → {after.get(name, 'keep')}"
        for name in sorted(before)
        if STRENGTH.get(after.get(name, "keep"), 0) < STRENGTH.get(before[name], 0)
    ]


def _shield(base: Activation, head: Activation) -> list[Risk]:
    severity = "high" if exports(head) else "low"
    weaker = _weakened(base, head)
    detail = f": {', '.join(weaker)}" if weaker else ""
    if base.shield.enabled and not head.shield.enabled:
        return [Risk("shield-off", severity, f"privacy shield turned off{detail}")]
    if head.shield.enabled and head.shield.level < base.shield.level:
        levels = f"{base.shield.level} → {head.shield.level}"
        return [Risk("shield-lowered", severity, f"privacy shield level lowered {levels}{detail}")]
    if weaker:
        return [Risk("shield-lowered", severity, f"privacy shield weakened{detail}")]
    return []


def _fields(entity: str, chosen: str | tuple[str, ...]) -> tuple[str, ...]:
    return SPECS[entity].fields if isinstance(chosen, str) else chosen


def shared_pii(act: Activation | None) -> dict[str, str]:
    """Personal-data fields that leave the district -> `clear` or how the shield masks them."""
    if act is None or not exports(act):
        return {}
    rules = rules_for(act.shield)
    found = {}
    for entity, chosen in act.attributes.items():
        for name in _fields(entity, chosen):
            how = rules.get(f"{entity}.{name}", "clear")
            if is_pii(entity, name) and how != "drop":
                found[f"{entity}.{name}"] = how
    return found


def newly_shared_pii(base: Activation | None, head: Activation) -> dict[str, str]:
    before, after = shared_pii(base), shared_pii(head)
    return {name: how for name, how in after.items() if name not in before}


def _pii(base: Activation | None, head: Activation) -> list[Risk]:
    new = newly_shared_pii(base, head)
    if not new:
        return []
    clear = sorted(n for n, how in new.items() if how == "clear")
    masked = sorted(f"{n} ({how})" for n, how in new.items() if how != "clear")
    parts = ([f"in clear: {', '.join(clear)}"] if clear else []) + (
        [f"pseudonymised: {', '.join(masked)}"] if masked else []
    )
    message = f"personal data newly shared with {head.application}: {'; '.join(parts)}"
    return [Risk("pii-shared", "high" if clear else "medium", message)]


# --- scope, mode and dates --------------------------------------------------------------


def _schools(base: Activation, head: Activation) -> list[Risk]:
    found = []
    if head.school_auto and not base.school_auto:
        message = f"schools: every school is now taken (auto: {head.school_auto})"
        found.append(Risk("schools-added", "medium", message))
    added = [
        f"{cut(m.app)} → {cut(m.store)}"
        for m in head.schools
        if not known_school(base, m.app, m.store)
    ]
    if added:
        found.append(Risk("schools-added", "medium", f"schools added: {', '.join(added)}"))
    return found


def _mode(base: Activation, head: Activation) -> list[Risk]:
    if base.mode is Mode.IMPORT and exports(head):
        message = f"mode widened import → {head.mode.value}: records now leave the district"
        return [Risk("mode-widened", "high", message)]
    if base.mode is Mode.EXPORT and head.mode is Mode.TWO_WAY:
        message = "mode widened export → two-way: the application now writes into the store"
        return [Risk("mode-widened", "medium", message)]
    return []


def _export_until(base: Activation, head: Activation) -> list[Risk]:
    if not exports(head) or base.export_until is None:
        return []
    if head.export_until is None:
        message = f"export_until removed (was {base.export_until}): exports no longer stop"
        return [Risk("export-extended", "medium", message)]
    if head.export_until > base.export_until:
        message = f"export_until extended {base.export_until} → {head.export_until}"
        return [Risk("export-extended", "medium", message)]
    return []


# --- safety thresholds ------------------------------------------------------------------


def _directions(act: Activation) -> list[Direction]:
    return {
        Mode.IMPORT: [Direction.IMPORT],
        Mode.EXPORT: [Direction.EXPORT],
        Mode.TWO_WAY: [Direction.IMPORT, Direction.EXPORT],
    }[act.mode]


def effective(safety: Safety, name: str, direction: Direction, entity: str) -> object:
    """The value of one threshold for one direction and entity: the most specific rule
    that sets it wins (as `passport.plan.safety` applies it)."""
    best: tuple[int, object] = (-1, getattr(safety, name))
    for rule in safety.overrides:
        if rule.entity not in (None, entity) or rule.direction not in (None, direction):
            continue
        value = getattr(rule, name)
        specificity = (rule.entity is not None) * 2 + (rule.direction is not None)
        if value is not None and specificity >= best[0]:
            best = (specificity, value)
    return best[1]


def _looser(name: str, old: object, new: object) -> str | None:
    """`high`, `medium` or `low` when `new` is looser than `old`; None when it is not."""
    if name == "min_existing":
        return "medium" if isinstance(old, int) and isinstance(new, int) and new > old else None
    if isinstance(old, Limit) and new is None:
        return "high"
    if isinstance(old, Limit) and isinstance(new, Limit):
        if old.percent != new.percent:
            return "low"  # a percent against a count: cannot say which is looser
        return "medium" if new.amount > old.amount else None
    return None


def _safety(base: Safety, head: Safety, directions: Iterable[Direction]) -> list[Risk]:
    scopes: dict[tuple[str, str, str, str], list[tuple[str, str]]] = defaultdict(list)
    for direction in directions:
        for entity in ENTITIES:
            for name in ("max_delete", "max_update", "max_held", "min_existing"):
                old = effective(base, name, direction, entity)
                new = effective(head, name, direction, entity)
                severity = _looser(name, old, new)
                if severity:
                    key = (name, _show(old), _show(new), severity)
                    scopes[key].append((direction.value, entity))
    return [
        Risk("safety-loosened", severity, f"safety {name} loosened {old} → {new}{_where(where)}")
        for (name, old, new, severity), where in scopes.items()
    ]


def _show(value: object) -> str:
    return "no limit" if value is None else str(value)


def _where(scopes: list[tuple[str, str]]) -> str:
    parts = []
    for direction in ("import", "export"):
        entities = [entity for d, entity in scopes if d == direction]
        if len(entities) == len(ENTITIES):
            parts.append(f"{direction}: every entity")
        elif entities:
            parts.append(f"{direction}: {', '.join(entities)}")
    return f" ({'; '.join(parts)})"
