"""Checked activation data -> `passport.model.Activation` (plain frozen data)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from passport.canonical import digest
from passport.connectors.base import Application
from passport.model import (
    Activation,
    Agreement,
    ConflictPolicy,
    Direction,
    Filter,
    Limit,
    Mode,
    Safety,
    SafetyRule,
    SchoolMap,
    Shield,
    Window,
)


def normalise(data: Mapping[str, Any], app: Application) -> dict[str, Any]:
    """The data as loaded, with the application's delivery defaults filled in."""
    return {**data, "delivery": app.with_defaults(data["delivery"])}


def build_activation(
    data: Mapping[str, Any], app: Application, source: str, agreement: Agreement | None = None
) -> Activation:
    """Build from data that passed every check (so its shape is known), with the privacy
    agreement it names already loaded."""
    data = normalise(data, app)
    schools = data["schools"]
    return Activation(
        name=data["name"],
        application=data["application"],
        mode=Mode(data["mode"]),
        delivery=data["delivery"],
        schools=tuple(SchoolMap(p["app"], p["store"]) for p in schools.get("map", [])),
        school_auto=schools.get("auto"),
        attributes={
            entity: value if value == "all" else tuple(value)
            for entity, value in data["attributes"].items()
        },
        filters=tuple(_filter(rule) for rule in data.get("filters", [])),
        export_until=_date(data.get("export_until")),
        shield=_shield(data.get("privacy_shield", {})),
        conflicts=ConflictPolicy(data.get("conflicts", ConflictPolicy.STORE_WINS)),
        authority={str(k): str(v) for k, v in (data.get("authority") or {}).items()},
        safety=_safety(data.get("safety", {})),
        rollover=tuple(_window(window) for window in data.get("rollover", [])),
        agreement=agreement,
        source=source,
        digest=digest(data if agreement is None else {**data, "agreement": _terms(agreement)}),
    )


def _terms(agreement: Agreement) -> dict[str, Any]:
    """What a plan depends on in an agreement (so a saved plan goes stale when it moves)."""
    return {
        "expires": agreement.expires.isoformat(),
        "allowed": [[a.category, a.field, a.treatment] for a in agreement.allowed],
    }


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _filter(rule: Mapping[str, Any]) -> Filter:
    value = rule.get("value")
    return Filter(
        rule["entity"], rule["field"], rule["op"], list(value) if isinstance(value, list) else value
    )


def _shield(shield: Mapping[str, Any]) -> Shield:
    return Shield(
        enabled=shield.get("enabled", False),
        level=shield.get("level", 2),
        fields=dict(shield.get("fields", {})),
        key=shield.get("key"),
        email_domain=shield.get("email_domain"),
    )


def _limit(value: str | int | None) -> Limit | None:
    if value is None:
        return None
    if isinstance(value, str):
        return Limit(float(value.rstrip("%")), True)
    return Limit(float(value), False)


def _safety(safety: Mapping[str, Any]) -> Safety:
    default = Safety()
    return Safety(
        max_delete=_limit(safety["max_delete"]) if "max_delete" in safety else default.max_delete,
        max_update=_limit(safety["max_update"]) if "max_update" in safety else default.max_update,
        min_existing=safety.get("min_existing", default.min_existing),
        overrides=tuple(_rule(rule) for rule in safety.get("overrides", [])),
        max_held=_limit(safety["max_held"]) if "max_held" in safety else default.max_held,
    )


def _rule(rule: Mapping[str, Any]) -> SafetyRule:
    direction = rule.get("direction")
    return SafetyRule(
        max_delete=_limit(rule.get("max_delete")),
        max_update=_limit(rule.get("max_update")),
        min_existing=rule.get("min_existing"),
        max_held=_limit(rule.get("max_held")),
        entity=rule.get("entity"),
        direction=Direction(direction) if direction else None,
    )


def _window(window: Mapping[str, Any]) -> Window:
    return Window(
        kind=window["kind"],
        start=dt.date.fromisoformat(window["from"]),
        end=dt.date.fromisoformat(window["until"]),
        reason=window.get("reason"),
    )
