"""The JSON plan against schemas/plan.schema.json, for plans built to cover every part."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from jsonschema import Draft202012Validator
from render_fixtures import SECRETS, blocked_plan, import_plan, quiet_plan, two_way_plan

from passport.model import Plan
from passport.planfile import read_plan, write_plan
from passport.render.json_plan import plan_set_json, to_json
from passport.render.view import Failure

ROOT = Path(__file__).parents[2]
SCHEMA_PATH = ROOT / "schemas" / "plan.schema.json"
VALIDATOR = Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
PLANS = [import_plan, blocked_plan, two_way_plan, quiet_plan]


def errors(document: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(document)]


def test_the_schema_is_the_packaged_one() -> None:
    assert SCHEMA_PATH.is_symlink()
    assert SCHEMA_PATH.resolve() == (ROOT / "passport" / "schemas" / "plan.schema.json")
    Draft202012Validator.check_schema(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


@pytest.mark.parametrize("make", PLANS, ids=lambda m: m.__name__)
def test_each_plan_matches_the_schema(make: Any) -> None:
    plan: Plan = make()
    document = json.loads(to_json(plan))
    assert errors(document) == []
    text = to_json(plan).decode()
    assert not [s for s in SECRETS if s in text]


def test_a_plan_set_matches_and_each_plan_in_it_is_a_plan_file(tmp_path: Path) -> None:
    failure = Failure("configs/broken.yaml", "configs/broken.yaml:3:7: mode: 'both'")
    document = json.loads(plan_set_json([make() for make in PLANS], [failure]))
    assert errors(document) == []
    assert document["summary"] == {
        "activations": 5,
        "create": 2,
        "update": 3,
        "delete": 31,
        "link": 1,
        "forget": 0,
        "suppressed": 1,
        "conflicts": 2,
        "changed": 3,
        "blocked": 2,
        "failed": 1,
    }
    one = tmp_path / "canvas.json"
    write_plan(one, orjson.dumps(document["plans"][2]))
    assert read_plan(one).activation == "canvas"


def test_the_schema_catches_drift() -> None:
    document = json.loads(to_json(import_plan()))
    document["changes"][0]["colour"] = "red"
    document["changes"][1]["action"] = "rename"
    del document["safety"]["blocked"]
    found = errors(document)
    assert found  # the strict schema names every unexpected or missing part
