"""Privacy agreement files (`privacy.agreement: agreements/canvas.yaml`) -> `Agreement`.

Read like an activation: YAML with a line mark on every node, the JSON Schema
(`schemas/agreement.schema.json`), then the checks the schema cannot make (a category
passport does not know, a field of no entity, an expiry before the signing).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, cast

from passport.config.document import Document, load_document
from passport.config.paths import did_you_mean
from passport.config.schema import schema_problems
from passport.errors import ConfigError, Problem
from passport.model import Agreement, Allowance
from passport.oneroster import SPECS
from passport.privacy.categories import CategoryMap
from passport.privacy.inventory import KEY_FIELD


@functools.cache
def agreement_schema() -> dict[str, Any]:
    text = resources.files("passport").joinpath("schemas/agreement.schema.json")
    return cast(dict[str, Any], json.loads(text.read_text(encoding="utf-8")))


def load_agreement(path: Path, categories: CategoryMap) -> tuple[Agreement | None, list[Problem]]:
    """The agreement in `path`, or None and every problem of the file."""
    try:
        doc = load_document(path)
    except ConfigError as error:
        return None, list(error.problems)
    problems = schema_problems(doc, doc.data, agreement_schema())
    problems += _entry_problems(doc, categories)
    if problems:
        return None, problems
    return _build(doc), _date_problems(doc)


def _entry_problems(doc: Document, categories: CategoryMap) -> list[Problem]:
    allow = doc.data.get("allow")
    problems: list[Problem] = []
    for index, entry in enumerate(allow if isinstance(allow, list) else []):
        if not isinstance(entry, Mapping):
            continue
        category = entry.get("category")
        if isinstance(category, str) and not categories.known(category):
            known = [c.id for c in categories.all()]
            message = f"'{category}' is not a known category{did_you_mean(category, known)}"
            problems.append(doc.problem(("allow", index, "category"), message))
        name = entry.get("field")
        if isinstance(name, str):
            problems += _field_problem(doc, ("allow", index, "field"), name)
    return problems


def _field_problem(doc: Document, where: tuple[str | int, ...], name: str) -> list[Problem]:
    entity, _, field_name = name.partition(".")
    if entity not in SPECS:
        message = f"'{entity}' is not a OneRoster entity{did_you_mean(entity, SPECS)}"
        return [doc.problem(where, message)]
    known = (KEY_FIELD, *SPECS[entity].fields)
    if field_name not in known:
        hint = did_you_mean(field_name, known)
        message = f"'{field_name}' is not a field of {entity} passport knows{hint}"
        return [doc.problem(where, message, severity="warning")]
    return []


def _date_problems(doc: Document) -> list[Problem]:
    signed, expires = (dt.date.fromisoformat(doc.data[k]) for k in ("signed", "expires"))
    if expires < signed:
        message = f"the agreement expires ({expires}) before it was signed ({signed})"
        return [doc.problem(("expires",), message)]
    return []


def _build(doc: Document) -> Agreement:
    data = doc.data
    allowed = []
    for index, entry in enumerate(data["allow"]):
        line, col = doc.locate(("allow", index))
        allowed.append(
            Allowance(
                category=entry.get("category"),
                field=entry.get("field"),
                treatment=entry.get("treatment", "raw"),
                line=line,
                col=col,
            )
        )
    return Agreement(
        file=doc.file,
        vendor=data["vendor"],
        signed=dt.date.fromisoformat(data["signed"]),
        expires=dt.date.fromisoformat(data["expires"]),
        allowed=tuple(allowed),
        line=doc.locate(("allow",), key=True)[0],
    )
