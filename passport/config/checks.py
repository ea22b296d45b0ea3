"""Semantic checks: what the JSON Schema cannot say. Each check tolerates a shape the schema
already rejected (it skips what it cannot read), so every problem is found in one pass."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from passport.config.delivery import delivery_problems, secret_value_problem
from passport.config.document import Document
from passport.config.excerpt import cut, quoted
from passport.config.paths import JsonPath, did_you_mean
from passport.connectors import registry
from passport.connectors.base import Application
from passport.errors import ConfigError, Problem
from passport.model import Mode
from passport.oneroster import SPECS

_NO_VALUE_OPS = frozenset({"is-empty", "is-not-empty"})


def semantic_problems(doc: Document, stem: str, today: dt.date) -> list[Problem]:
    data: Mapping[str, Any] = doc.data
    problems = _name(doc, data, stem)
    app, found = _application(doc, data)
    problems += found
    if app:
        problems += delivery_problems(doc, data, app)
        problems += _capabilities(doc, data, app)
    problems += _schools(doc, data)
    problems += _filters(doc, data)
    problems += _shield(doc, data, app)
    problems += _dates(doc, data, today)
    problems += _safety(doc, data)
    return problems


def _name(doc: Document, data: Mapping[str, Any], stem: str) -> list[Problem]:
    name = data.get("name")
    if isinstance(name, str) and name != stem:
        message = f"{quoted(name)} does not match the file name: use name: {cut(stem)}"
        return [doc.problem(("name",), message)]
    return []


def _application(
    doc: Document, data: Mapping[str, Any]
) -> tuple[Application | None, list[Problem]]:
    name = data.get("application")
    if not isinstance(name, str):
        return None, []
    try:
        return registry.get(name), []
    except ConfigError as error:  # its reason names the application as written: cut it
        return None, [doc.problem(("application",), error.reason.replace(name, cut(name)))]


def _capabilities(doc: Document, data: Mapping[str, Any], app: Application) -> list[Problem]:
    mode = data.get("mode")
    if mode not in set(Mode):
        return []
    if Mode(mode) not in app.modes():
        can = ", ".join(app.modes()) or "nothing"
        return [doc.problem(("mode",), f"{app.name} cannot run in {mode} mode (it can: {can})")]
    problems = []
    attributes = data.get("attributes")
    for entity in attributes if isinstance(attributes, Mapping) else ():
        if entity in SPECS and not _supports(app, Mode(mode), entity):
            message = f"{app.name} cannot {_verb(Mode(mode))} {entity}"
            problems.append(doc.problem(("attributes", entity), message, key=True))
    return problems


def _supports(app: Application, mode: Mode, entity: str) -> bool:
    reads = entity in app.capabilities.reads
    writes = entity in app.capabilities.writes
    return {Mode.IMPORT: reads, Mode.EXPORT: writes, Mode.TWO_WAY: reads and writes}[mode]


def _verb(mode: Mode) -> str:
    return {Mode.IMPORT: "read", Mode.EXPORT: "write", Mode.TWO_WAY: "read and write"}[mode]


def _schools(doc: Document, data: Mapping[str, Any]) -> list[Problem]:
    schools = data.get("schools")
    pairs = schools.get("map") if isinstance(schools, Mapping) else None
    problems: list[Problem] = []
    seen: dict[tuple[str, str], int] = {}
    for index, pair in enumerate(pairs if isinstance(pairs, list) else []):
        if not isinstance(pair, Mapping):
            continue
        for side in ("app", "store"):
            school = pair.get(side)
            if not isinstance(school, str):
                continue
            where: JsonPath = ("schools", "map", index, side)
            if (side, school) in seen:
                line = doc.locate(("schools", "map", seen[(side, school)], side))[0]
                message = f"{side} school {quoted(school)} is mapped twice (first on line {line})"
                problems.append(doc.problem(where, message))
            else:
                seen[(side, school)] = index
    return problems


def _filters(doc: Document, data: Mapping[str, Any]) -> list[Problem]:
    filters = data.get("filters")
    problems = []
    for index, rule in enumerate(filters if isinstance(filters, list) else []):
        if isinstance(rule, Mapping):
            problems += _filter(doc, ("filters", index), rule)
    return problems


def _filter(doc: Document, path: JsonPath, rule: Mapping[str, Any]) -> list[Problem]:
    problems = []
    entity, name = rule.get("entity"), rule.get("field")
    if entity in SPECS and isinstance(name, str) and name not in SPECS[entity].fields:
        hint = did_you_mean(name, SPECS[entity].fields)
        unknown = f"{quoted(name)} is not a field of {entity}{hint}"
        problems.append(doc.problem((*path, "field"), unknown))
    message, at = _filter_value(rule)
    if message:
        where = path if at == "rule" else (*path, "value")
        problems.append(doc.problem(where, message, key=at != "value"))
    return problems


def _filter_value(rule: Mapping[str, Any]) -> tuple[str | None, str]:
    """What is wrong with a rule's value for its op, and where to point: at the rule,
    the value's key or the value."""
    op, value = rule.get("op"), rule.get("value")
    if not isinstance(op, str):
        return None, "rule"
    op = cut(op)
    if "value" not in rule:
        return (None if op in _NO_VALUE_OPS else f"'value' is required for {op}"), "rule"
    if op in _NO_VALUE_OPS:
        return f"{op} takes no value", "key"
    if op == "in":
        return (None if isinstance(value, list) else "in takes a list of values"), "value"
    if isinstance(value, list):
        return f"{op} takes one value, not a list", "value"
    if op in {"before", "after"} and isinstance(value, str) and _date(value) is None:
        return f"{quoted(value)} is not a date; {op} compares dates (YYYY-MM-DD)", "value"
    return None, "rule"


def _shield(doc: Document, data: Mapping[str, Any], app: Application | None) -> list[Problem]:
    shield = data.get("privacy_shield")
    if not isinstance(shield, Mapping):
        return []
    problems = _shield_fields(doc, shield.get("fields"))
    if "key" in shield:
        message = secret_value_problem(shield["key"], declared=True)
        if message:
            problems.append(doc.problem(("privacy_shield", "key"), message))
    if shield.get("enabled") is not True:
        return problems
    at = ("privacy_shield", "enabled")
    if app and not app.capabilities.accepts_masked:
        problems.append(doc.problem(at, f"{app.name} cannot take pseudonymised values"))
    if "key" not in shield:
        message = "an enabled shield needs a key; add key: ${env:PASSPORT_SHIELD_KEY}"
        problems.append(doc.problem(("privacy_shield",), message, key=True))
    if data.get("mode") == Mode.IMPORT:
        message = "has no effect in import mode: the shield masks only what leaves the store"
        problems.append(doc.problem(at, message, severity="warning"))
    return problems


def _shield_fields(doc: Document, fields: Any) -> list[Problem]:
    problems = []
    for name in fields if isinstance(fields, Mapping) else ():
        entity, _, field = str(name).partition(".")
        if not field:
            continue  # the schema's propertyNames says so
        where = ("privacy_shield", "fields", name)
        if entity not in SPECS:
            message = f"{quoted(entity)} is not a OneRoster entity{did_you_mean(entity, SPECS)}"
            problems.append(doc.problem(where, message, key=True))
        elif field not in SPECS[entity].fields:
            hint = did_you_mean(field, SPECS[entity].fields)
            problems.append(
                doc.problem(where, f"{quoted(field)} is not a field of {entity}{hint}", key=True)
            )
    return problems


def _dates(doc: Document, data: Mapping[str, Any], today: dt.date) -> list[Problem]:
    problems = []
    until = _date(data.get("export_until"))
    if until and until < today:
        message = f"{until} has passed: nothing will be exported"
        problems.append(doc.problem(("export_until",), message, severity="warning"))
    if until and data.get("mode") == Mode.IMPORT:
        message = "has no effect in import mode"
        problems.append(doc.problem(("export_until",), message, severity="warning"))
    windows = data.get("rollover")
    for index, window in enumerate(windows if isinstance(windows, list) else []):
        if not isinstance(window, Mapping):
            continue
        start, end = _date(window.get("from")), _date(window.get("until"))
        if start and end and end < start:
            message = f"the window ends ({end}) before it starts ({start})"
            problems.append(doc.problem(("rollover", index, "until"), message))
    return problems


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _safety(doc: Document, data: Mapping[str, Any]) -> list[Problem]:
    safety = data.get("safety")
    if not isinstance(safety, Mapping):
        return []
    rules: list[tuple[JsonPath, Any]] = [(("safety",), safety)]
    overrides = safety.get("overrides")
    for index, rule in enumerate(overrides if isinstance(overrides, list) else []):
        rules.append((("safety", "overrides", index), rule))
    problems = []
    for path, rule in rules:
        for limit in ("max_delete", "max_update", "max_held"):
            value = rule.get(limit) if isinstance(rule, Mapping) else None
            if isinstance(value, str) and _percent(value) > 100:
                problems.append(doc.problem((*path, limit), f"{cut(value)} is more than 100%"))
    return problems


def _percent(value: str) -> float:
    try:
        return float(value.rstrip("%"))
    except ValueError:
        return 0.0
