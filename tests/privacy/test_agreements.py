"""Agreements as code, through `passport validate` on real files: an activation over its
agreement fails naming both lines; a district can require agreements."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from privacy_files import LMS

from passport.cli import main

ROOT = Path(__file__).parents[2]


AGREEMENT = """\
version: 1
vendor: Example LMS
signed: 2025-07-01
expires: 2030-06-30
allow:
  - category: course-catalogue
  - category: enrollment
  - category: identifiers
  - category: name
    treatment: pseudonymised
  - field: users.email
    treatment: pseudonymised
"""


def validate(*args: str | Path) -> Result:
    return CliRunner().invoke(main, ["validate", *map(str, args)])


@pytest.fixture
def configs(tmp_path: Path) -> Path:
    folder = tmp_path / "configs"
    (folder / "agreements").mkdir(parents=True)
    (folder / "lms.yaml").write_text(LMS)
    (folder / "agreements" / "lms.yaml").write_text(AGREEMENT)
    return folder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_an_activation_within_its_agreement_is_valid(configs: Path) -> None:
    result = validate(configs)
    assert result.exit_code == 0, result.output
    assert result.output == "1 file valid\n"


def test_sharing_a_field_the_agreement_does_not_allow_names_both_lines(configs: Path) -> None:
    edit(configs / "lms.yaml", "email]", "email, phone]")
    result = validate(configs)
    assert result.exit_code == 1
    lms, agreement = configs / "lms.yaml", configs / "agreements" / "lms.yaml"
    assert result.output.splitlines()[0] == (
        f"{lms}:11:47: attributes.users[4]: sends users.phone (contact) raw, which no entry "
        f"of {agreement}:5 (allow) allows"
    )


def test_sharing_rawer_than_allowed_names_the_allowing_line(configs: Path) -> None:
    edit(configs / "lms.yaml", "  level: 2\n", "  level: 2\n  fields: {users.email: keep}\n")
    result = validate(configs)
    assert result.exit_code == 1
    lms, agreement = configs / "lms.yaml", configs / "agreements" / "lms.yaml"
    assert result.output.splitlines()[0] == (
        f'{lms}:16:12: privacy_shield.fields["users.email"]: sends users.email (contact) raw, '
        f"but {agreement}:11:5 allows it only pseudonymised"
    )


def test_turning_the_shield_off_breaks_the_agreement_field_by_field(configs: Path) -> None:
    edit(configs / "lms.yaml", "enabled: true", "enabled: false")
    result = validate(configs)
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if "sends" in line]
    assert [e.split(": sends ")[1].split(" ")[0] for e in errors] == [
        "users.givenName",
        "users.familyName",
        "users.email",
    ]
    assert all("allows it only pseudonymised" in e for e in errors)


def test_a_generalised_date_is_within_a_pseudonymised_allowance_only_if_allowed() -> None:
    from passport.model import Allowance
    from passport.privacy.compliance import allows
    from passport.privacy.inventory import Treatment

    generalised = Allowance("demographics", None, "generalised")
    assert allows(generalised, Treatment.GENERALISED)
    assert allows(generalised, Treatment.PSEUDONYMISED)
    assert not allows(generalised, Treatment.RAW)
    assert not allows(None, Treatment.PSEUDONYMISED)


def test_the_agreement_file_problems_are_located_in_it(configs: Path) -> None:
    edit(configs / "agreements" / "lms.yaml", "category: name", "category: names")
    edit(configs / "agreements" / "lms.yaml", "treatment: pseudonymised", "treatment: hidden")
    result = validate(configs)
    assert result.exit_code == 1
    agreement = configs / "agreements" / "lms.yaml"
    assert result.output.splitlines()[:2] == [
        f"{agreement}:9:15: allow[3].category: 'names' is not a known category "
        "(did you mean 'name'?)",
        f"{agreement}:10:16: allow[3].treatment: 'hidden' is not one of 'raw', "
        "'generalised' or 'pseudonymised'",
    ]


def test_an_agreement_that_expires_before_it_was_signed_is_an_error(configs: Path) -> None:
    edit(configs / "agreements" / "lms.yaml", "expires: 2030-06-30", "expires: 2024-06-30")
    result = validate(configs)
    assert result.exit_code == 1
    agreement = configs / "agreements" / "lms.yaml"
    assert (
        f"{agreement}:4:10: expires: the agreement expires (2024-06-30) before it was "
        "signed (2025-07-01)"
    ) in result.output


def test_a_missing_agreement_file_is_an_error_at_the_activation(configs: Path) -> None:
    (configs / "agreements" / "lms.yaml").unlink()
    result = validate(configs)
    assert result.exit_code == 1
    lms = configs / "lms.yaml"
    agreement = configs / "agreements" / "lms.yaml"
    assert f"{lms}:18:14: privacy.agreement: no agreement file {agreement}" in result.output


def test_an_expired_agreement_warns_that_nothing_will_be_exported(configs: Path) -> None:
    edit(configs / "agreements" / "lms.yaml", "signed: 2025-07-01", "signed: 2020-07-01")
    edit(configs / "agreements" / "lms.yaml", "expires: 2030-06-30", "expires: 2021-06-30")
    result = validate(configs)
    assert result.exit_code == 0
    assert "warning: privacy.agreement: the agreement expired on 2021-06-30" in result.output


def test_a_district_can_require_an_agreement_for_every_export(configs: Path) -> None:
    (configs / "privacy").mkdir()
    (configs / "privacy" / "district.yaml").write_text(
        "version: 1\nrequire_agreement: [export, two-way]\n"
    )
    assert validate(configs).exit_code == 0
    edit(configs / "lms.yaml", "privacy:\n  agreement: agreements/lms.yaml\n", "")
    result = validate(configs)
    assert result.exit_code == 1
    district = configs / "privacy" / "district.yaml"
    assert result.output.splitlines()[0] == (
        f"{configs / 'lms.yaml'}:4:7: mode: export activations need a privacy agreement "
        f"({district}:2:20 requires one): add privacy.agreement: agreements/lms.yaml"
    )


def test_the_district_maps_its_own_fields_for_agreements(configs: Path) -> None:
    (configs / "privacy").mkdir()
    (configs / "privacy" / "district.yaml").write_text(
        "version: 1\nfields:\n  users.email: identifiers\n"
    )
    edit(
        configs / "agreements" / "lms.yaml",
        "  - field: users.email\n    treatment: pseudonymised\n",
        "",
    )
    result = validate(configs)
    assert result.exit_code == 0, result.output  # email is an identifier here, allowed raw


def test_a_broken_district_file_is_said_once(configs: Path, tmp_path: Path) -> None:
    shutil.copy(configs / "lms.yaml", configs / "lms2.yaml")
    edit(configs / "lms2.yaml", "name: lms", "name: lms2")
    (configs / "privacy").mkdir()
    (configs / "privacy" / "district.yaml").write_text("version: 1\nrequire: [export]\n")
    result = validate(configs)
    lines = [line for line in result.output.splitlines() if "district.yaml" in line]
    assert lines == [
        f"{configs / 'privacy' / 'district.yaml'}:2:1: require: 'require' is not a known setting"
    ]


def test_the_repository_configs_are_within_their_agreements() -> None:
    result = validate(ROOT / "configs")
    assert result.exit_code == 0, result.output
