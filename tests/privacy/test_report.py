"""`passport privacy report` in every format, on the repository's own configs and on
activations that break their agreements."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from jsonschema import Draft202012Validator

from passport.cli import main
from passport.oneroster import SPECS

ROOT = Path(__file__).parents[2]
SCHEMA = json.loads((ROOT / "schemas" / "privacy.schema.json").read_text())


def report(*args: str | Path, code: int = 0) -> Result:
    result = CliRunner().invoke(main, ["privacy", "report", *map(str, args)])
    assert result.exit_code == code, result.output
    return result


def document(*args: str | Path, code: int = 0) -> dict:  # type: ignore[type-arg]
    found = json.loads(report(*args, "--format", "json", code=code).stdout)
    Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER).validate(found)
    return found  # type: ignore[no-any-return]


@pytest.fixture
def configs(tmp_path: Path) -> Path:
    folder = tmp_path / "configs"
    shutil.copytree(ROOT / "configs", folder)
    return folder


def test_the_json_report_of_the_repository_configs_follows_its_schema() -> None:
    found = document(ROOT / "configs")
    by_name = {a["name"]: a for a in found["activations"]}
    assert sorted(by_name) == ["canvas", "sample-lms", "sample-sis"]
    assert [a["within_agreement"] for a in found["activations"]] == [True, True, None]
    every = sum(1 + len(s.fields) for s in SPECS.values())
    assert all(len(a["fields"]) == every for a in found["activations"])
    email = {
        a["name"]: next(f for f in a["fields"] if (f["entity"], f["field"]) == ("users", "email"))
        for a in found["activations"]
    }
    assert (email["canvas"]["treatment"], email["canvas"]["direction"]) == ("pseudonymised", "out")
    assert (email["sample-sis"]["treatment"], email["sample-sis"]["direction"]) == ("raw", "in")


def test_csv_has_a_row_per_activation_and_field(configs: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(report(configs, "--format", "csv").stdout)))
    assert len(rows) == 3 * sum(1 + len(s.fields) for s in SPECS.values())
    phone = [r for r in rows if r["activation"] == "canvas" and r["field"] == "phone"]
    assert [(r["category"], r["treatment"], r["direction"]) for r in phone] == [
        ("contact", "not-shared", "")
    ]


def test_markdown_opens_with_the_category_matrix(configs: Path) -> None:
    text = report(configs, "--format", "markdown").stdout
    assert text.startswith("## Privacy report: 3 activations\n")
    assert "| category | canvas | sample-lms | sample-sis |" in text
    assert "| Names | pseudonymised | pseudonymised | in |" in text
    assert "| Demographics | — | — | in |" in text
    assert "Uncategorised fields: none." in text


def test_an_activation_beyond_its_agreement_is_shown_and_fails(configs: Path) -> None:
    canvas = configs / "canvas.yaml"
    canvas.write_text(canvas.read_text().replace("users.phone: drop", "users.email: keep"))
    found = document(configs, code=1)
    (activation,) = [a for a in found["activations"] if a["name"] == "canvas"]
    assert activation["within_agreement"] is False
    assert [(f["field"], f["kind"], f["allowed"]) for f in activation["findings"]] == [
        ("users.email", "rawer", "pseudonymised")
    ]
    text = report(configs, code=1).stdout
    assert "1 beyond its agreement (canvas)" in text
    assert "beyond the agreement: sends users.email (contact) raw, but" in text


def test_a_field_mapped_to_no_known_category_is_uncategorised(configs: Path) -> None:
    from passport.config import load_activation
    from passport.privacy.categories import shipped
    from passport.privacy.inventory import inventory_of

    act = load_activation(configs / "canvas.yaml")
    plain = shipped().extended([], {"users.email": "no-such-category"})
    rows = {f.name: f for f in inventory_of(act, plain).shared()}
    assert rows["users.email"].category.id == "uncategorised"


def test_an_unreadable_file_is_listed_and_fails(configs: Path) -> None:
    (configs / "broken.yaml").write_text("version: 1\nname: broken\nmode: both\n")
    text = report(configs, code=1).stdout
    assert "broken.yaml: not readable" in text
    assert "3 activations" in text.splitlines()[0]


def test_filter_values_of_personal_fields_are_hidden(configs: Path) -> None:
    lms = configs / "sample-lms.yaml"
    lms.write_text(
        lms.read_text().replace(
            "    value: [student, teacher]\n",
            "    value: [student, teacher]\n  - {entity: users, field: email, op: "
            "starts-with, value: ada.lovelace}\n",
        )
    )
    text = report(configs, "sample-lms").stdout
    assert "users.role in [student, teacher]" in text
    assert "users.email starts-with (sensitive)" in text and "ada.lovelace" not in text
