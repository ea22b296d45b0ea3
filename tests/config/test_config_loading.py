"""Loading activations: configs/, the Activation built, discovery, file-level failures."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from passport.config import check_file, find_activations, load_activation, validate_paths
from passport.errors import ConfigError
from passport.model import (
    ConflictPolicy,
    Direction,
    Limit,
    Mode,
    SafetyRule,
    SchoolMap,
    Window,
)

ROOT = Path(__file__).parents[2]
CONFIGS = ROOT / "configs"
TODAY = dt.date(2026, 11, 29)

MINIMAL = """\
version: 1
name: {name}
application: oneroster-csv
mode: import
delivery: {{path: bundle}}
schools: {{auto: same-id}}
attributes: {{users: all}}
"""


def write(folder: Path, name: str, text: str | None = None) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(MINIMAL.format(name=name) if text is None else text)
    return path


@pytest.mark.parametrize("path", sorted(CONFIGS.glob("*.yaml")), ids=lambda p: p.name)
def test_every_example_config_validates(path: Path) -> None:
    result = check_file(path)
    assert [str(p) for p in result.problems] == []
    assert result.activation is not None


def test_one_example_per_mode() -> None:
    report = validate_paths([CONFIGS])
    assert report.ok
    assert {a.mode for a in report.activations} == set(Mode)


def test_canvas_builds_the_model() -> None:
    canvas = load_activation(CONFIGS / "canvas.yaml", TODAY)
    assert canvas.name == "canvas"
    assert canvas.mode is Mode.TWO_WAY
    assert canvas.schools == (SchoolMap("0001", "sch-001"), SchoolMap("0002", "sch-002"))
    assert canvas.school_auto is None
    assert canvas.attributes["classes"] == "all"
    assert canvas.attributes["users"][:3] == ("enabledUser", "orgSourcedIds", "role")
    assert canvas.export_until == dt.date(2030, 6, 30)
    assert canvas.conflicts is ConflictPolicy.STOP
    assert canvas.shield.enabled and canvas.shield.level == 2
    assert canvas.shield.key == "${env:PASSPORT_SHIELD_KEY}"
    assert dict(canvas.shield.fields) == {"users.phone": "drop"}
    assert canvas.safety.max_delete == Limit(5, True)
    assert canvas.safety.overrides == (
        SafetyRule(max_delete=Limit(1, True), direction=Direction.IMPORT),
        SafetyRule(max_delete=Limit(20, True), entity="enrollments", direction=Direction.EXPORT),
    )
    # secrets stay references; the application's defaults are filled in
    assert canvas.delivery["client_secret"] == "${env:CANVAS_CLIENT_SECRET}"
    assert canvas.delivery["auth"] == "oauth2"
    assert canvas.delivery["timeout_s"] == 30
    assert canvas.source == str(CONFIGS / "canvas.yaml")
    assert len(canvas.digest) == 32


def test_sample_sis_rollover_and_safety_defaults() -> None:
    sis = load_activation(CONFIGS / "sample-sis.yaml", TODAY)
    assert sis.school_auto == "same-id"
    assert sis.rollover == (
        Window(
            "no-deletes",
            dt.date(2027, 6, 15),
            dt.date(2027, 8, 15),
            "summer rollover; the SIS holds next year's partial roster",
        ),
    )
    assert sis.delivery == {
        "path": "../.passport/sample/sis",
        "version": "1.1",
        "processing": "bulk",
    }


def test_defaults_when_optional_settings_are_left_out(tmp_path: Path) -> None:
    activation = load_activation(write(tmp_path, "minimal"), TODAY)
    assert activation.safety.max_delete == Limit(10, True)
    assert activation.safety.min_existing == 10
    assert activation.conflicts is ConflictPolicy.STORE_WINS
    assert not activation.shield.enabled
    assert activation.filters == () and activation.rollover == ()


def test_the_digest_follows_the_content(tmp_path: Path) -> None:
    first = load_activation(write(tmp_path, "same"), TODAY).digest
    assert load_activation(write(tmp_path, "same"), TODAY).digest == first
    changed = MINIMAL.format(name="same").replace("users: all", "users: all, classes: all")
    assert load_activation(write(tmp_path, "same", changed), TODAY).digest != first


def test_unquoted_dates_stay_dates(tmp_path: Path) -> None:
    text = MINIMAL.format(name="dates").replace("import", "export") + "export_until: 2027-06-30\n"
    activation = load_activation(write(tmp_path, "dates", text), TODAY)
    assert activation.export_until == dt.date(2027, 6, 30)


def test_names_must_be_unique_across_files(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    first = write(tmp_path / "a", "dup")
    second = tmp_path / "dup.yml"
    second.write_text(MINIMAL.format(name="dup"))
    report = validate_paths([first, second])
    assert [str(p) for p in report.problems] == [
        f"{second}:2:7: name: the name 'dup' is already used by {first}"
    ]
    assert len(report.activations) == 1


def test_load_activation_raises_with_every_problem() -> None:
    with pytest.raises(ConfigError) as raised:
        load_activation(Path(__file__).parent / "bad-many-errors.yaml", TODAY)
    assert len(raised.value.problems) == 7
    assert "7 errors" in raised.value.reason


def test_a_folder_without_yaml_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    report = validate_paths([tmp_path])
    assert [str(p) for p in report.problems] == [
        f"{tmp_path}: has no activation files (*.yaml, *.yml)"
    ]
    assert not report.ok
    assert report.summary() == "0 files valid (1 error)"


def test_a_folder_given_as_a_file_is_a_problem(tmp_path: Path) -> None:
    folder = tmp_path / "x.yaml"
    folder.mkdir()
    assert [p.message for p in check_file(folder).problems] == [
        "is a folder, not an activation file"
    ]


def test_an_unreadable_file_is_a_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "locked")

    def refuse(self: Path, *args: object, **kwargs: object) -> object:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", refuse)
    assert [p.message for p in check_file(path).problems] == ["cannot read: Permission denied"]


def test_non_utf8_text_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "latin.yaml"
    path.write_bytes(b"name: caf\xe9\n")
    assert [p.message for p in check_file(path).problems] == [
        "is not UTF-8 text (bad byte at offset 9)"
    ]


def test_alias_bombs_are_refused(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 6)]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    assert [p.message for p in check_file(path).problems] == [
        "is too large: aliases expand to more than 50000 nodes"
    ]


def test_non_text_keys_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "keys.yaml"
    path.write_text(MINIMAL.format(name="keys") + "on: 1\n")
    assert [str(p).removeprefix(f"{path}:") for p in check_file(path).problems] == [
        "8:1: a key must be text: quote 'on'"
    ]


def test_find_activations_by_name_file_and_folder(tmp_path: Path) -> None:
    canvas = write(tmp_path, "canvas")
    other = write(tmp_path, "other")
    assert find_activations(["canvas"], tmp_path) == [canvas]
    assert find_activations([canvas], tmp_path) == [canvas]
    assert find_activations([tmp_path, canvas], tmp_path) == [canvas, other]
    assert find_activations([], tmp_path) == [canvas, other]


def test_a_name_wins_over_a_folder_of_the_same_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    configs = tmp_path / "configs"
    configs.mkdir()
    lms = write(configs, "lms")
    (tmp_path / "lms").mkdir()  # the lms bundle, next to configs/
    monkeypatch.chdir(tmp_path)
    assert find_activations(["lms"], "configs") == [Path("configs") / "lms.yaml"]
    assert lms.exists()


def test_find_activations_names_what_it_cannot_find(tmp_path: Path) -> None:
    write(tmp_path, "canvas")
    with pytest.raises(ConfigError) as raised:
        find_activations(["canvsa", "missing/x.yaml"], tmp_path)
    assert [str(p) for p in raised.value.problems] == [
        f"no activation named 'canvsa' in {tmp_path}/ (did you mean 'canvas'?)",
        "missing/x.yaml: no such file or folder",
    ]


def test_the_documented_example_validates(tmp_path: Path) -> None:
    doc = (ROOT / "docs" / "activation.md").read_text()
    example = doc.split("## A complete example", 1)[1].split("```yaml\n", 1)[1].split("```")[0]
    path = tmp_path / "canvas.yaml"
    path.write_text(example)
    assert [str(p) for p in check_file(path, TODAY).problems] == []
