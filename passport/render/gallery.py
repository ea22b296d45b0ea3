"""`passport gallery`: the table of applications, and one application's delivery settings."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Mapping
from typing import Any

from passport.connectors.base import Application
from passport.oneroster import ENTITIES

_DELTA = " (also only the changes since the last sync)"
_ATOMIC = " (a whole apply lands at once)"
_NO_MASKS = "no: it cannot take pseudonymised values"
_KINDS = {"string": "text", "integer": "whole number", "boolean": "true/false"}


def table(apps: list[Application]) -> str:
    """Every application on one line: name, title, modes, whether it takes the shield."""
    rows = [("NAME", "TITLE", "MODES", "PRIVACY SHIELD")]
    rows += [
        (
            app.name,
            app.title,
            ", ".join(app.modes()),
            "yes" if app.capabilities.accepts_masked else "no",
        )
        for app in apps
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)) for row in rows]
    lines = [f"{line}  {row[3]}" for line, row in zip(lines, rows, strict=True)]
    return "\n".join([*lines, "", "Details: passport gallery NAME"])


def _entities(names: frozenset[str]) -> str:
    if names == frozenset(ENTITIES):
        return "all entities"
    return ", ".join(e for e in ENTITIES if e in names) or "nothing"


def describe(app: Application) -> str:
    """One application: what it reads and writes, and each delivery setting."""
    caps = app.capabilities
    lines = [
        f"{app.name}: {app.title}",
        app.summary,
        "",
        f"Modes:          {', '.join(app.modes())}",
        f"Reads:          {_entities(caps.reads)}{_DELTA if caps.delta_reads else ''}",
        f"Writes:         {_entities(caps.writes)}{_ATOMIC if caps.atomic_writes else ''}",
        f"Privacy Shield: {'yes' if caps.accepts_masked else _NO_MASKS}",
        "",
        "Delivery settings:",
    ]
    schema = app.delivery_schema
    required = set(schema.get("required", []))
    for key, spec in schema.get("properties", {}).items():
        lines += _setting(app, key, spec, key in required)
    lines += ["", f"Start one: passport init NAME --application {app.name} --mode {app.modes()[0]}"]
    return "\n".join(lines)


def _setting(app: Application, key: str, spec: Mapping[str, Any], required: bool) -> list[str]:
    marks = [_type(spec)]
    if required:
        marks.append("required")
    if "default" in spec:
        marks.append(f"default {json.dumps(spec['default'])}")
    if key in app.secret_fields:
        marks.append("secret: ${env:NAME} or ${file:PATH}")
    if key in app.url_fields:
        marks.append("URL: https")
    text = textwrap.wrap(str(spec.get("description", "")), 74)
    return [f"  {key} ({', '.join(marks)})", *(f"      {line}" for line in text)]


def _type(spec: Mapping[str, Any]) -> str:
    if "enum" in spec:
        return " | ".join(json.dumps(v) for v in spec["enum"])
    kind = str(spec.get("type", "any"))
    if kind == "array":
        item = str(spec.get("items", {}).get("type", "any"))
        return f"list of {_KINDS.get(item, item)}"
    return _KINDS.get(kind, kind)
