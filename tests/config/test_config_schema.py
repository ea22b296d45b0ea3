"""The activation JSON Schema: one file, valid draft 2020-12, in step with the catalog."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from passport.config import activation_schema
from passport.connectors import registry
from passport.connectors.base import load_schema
from passport.oneroster import ENTITIES, SPECS

ROOT = Path(__file__).parents[2]


def _properties(schema: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if not isinstance(schema, dict):
        return
    for name, sub in schema.get("properties", {}).items():
        yield f"{path}.{name}".lstrip("."), sub
        yield from _properties(sub, f"{path}.{name}")
    for key in ("items", "additionalProperties", "else"):
        yield from _properties(schema.get(key), path)


def test_the_schema_is_valid_draft_2020_12() -> None:
    Draft202012Validator.check_schema(activation_schema())


def test_the_top_level_schema_is_the_packaged_one() -> None:
    top = ROOT / "schemas" / "activation.schema.json"
    packaged = ROOT / "passport" / "schemas" / "activation.schema.json"
    assert top.read_bytes() == packaged.read_bytes()
    assert json.loads(packaged.read_text()) == activation_schema()


def test_every_property_has_a_description() -> None:
    missing = [path for path, sub in _properties(activation_schema()) if "description" not in sub]
    assert missing == []


@pytest.mark.parametrize("entity", ENTITIES)
def test_attribute_enums_equal_the_catalog(entity: str) -> None:
    spec = activation_schema()["properties"]["attributes"]["properties"][entity]
    assert spec["else"]["items"]["enum"] == list(SPECS[entity].fields)


def test_attribute_entities_are_the_catalog() -> None:
    attributes = activation_schema()["properties"]["attributes"]["properties"]
    assert set(attributes) == set(ENTITIES)


@pytest.mark.parametrize("name", sorted(registry.applications()))
def test_application_schemas_are_valid_and_described(name: str) -> None:
    schema = registry.get(name).delivery_schema
    Draft202012Validator.check_schema(schema)
    assert all("description" in sub for _, sub in _properties(schema))


def test_application_schemas_are_shipped_and_linked() -> None:
    for name in ("oneroster-rest", "oneroster-csv"):
        packaged = ROOT / "passport" / "schemas" / "applications" / f"{name}.schema.json"
        top = ROOT / "schemas" / "applications" / f"{name}.schema.json"
        assert top.read_bytes() == packaged.read_bytes()
        assert load_schema(name) == json.loads(packaged.read_text())
