"""The validate, gallery, schema and init commands, as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from passport.cli import main

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
PLAIN_SECRETS = ("s3cr3t-do-not-print", "abc123-do-not-print")


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def test_validate_the_examples() -> None:
    result = run("validate", ROOT / "configs")
    assert result.exit_code == 0, result.output
    assert result.output == "3 files valid\n"


def test_validate_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = run("validate", "canvas", "sample-lms")
    assert (result.exit_code, result.output) == (0, "2 files valid\n")


def test_validate_defaults_to_configs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert run("validate").output == "3 files valid\n"


def test_validate_text_lists_problems_and_a_summary() -> None:
    bad = HERE / "bad-mode.yaml"
    result = run(
        "validate", ROOT / "configs" / "canvas.yaml", bad, HERE / "warn-export-until-past.yaml"
    )
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{bad}:4:7: mode: 'sync' is not one of 'import', 'export' or 'two-way'",
        f"{HERE / 'warn-export-until-past.yaml'}:11:15: warning: export_until: 2020-06-30"
        " has passed: nothing will be exported",
        "2 files valid, 1 with errors (1 error, 1 warning)",
    ]


def test_warnings_alone_exit_zero() -> None:
    result = run("validate", HERE / "warn-export-until-past.yaml")
    assert result.exit_code == 0
    assert result.output.splitlines()[-1] == "1 file valid (1 warning)"


def test_validate_json() -> None:
    bad = HERE / "bad-unknown-attribute.yaml"
    result = run("validate", "--format", "json", ROOT / "configs" / "canvas.yaml", bad)
    assert result.exit_code == 1
    document = json.loads(result.output)
    assert document["valid"] is False
    assert document["summary"] == "1 file valid, 1 with errors (1 error)"
    assert document["files"][0] == {
        "file": str(ROOT / "configs" / "canvas.yaml"),
        "valid": True,
        "name": "canvas",
        "application": "oneroster-rest",
        "mode": "two-way",
    }
    assert document["problems"] == [
        {
            "file": str(bad),
            "line": 10,
            "col": 34,
            "path": "attributes.users[2]",
            "message": "'emial' is not a known attribute of users (did you mean 'email'?)",
            "severity": "error",
        }
    ]


def test_validate_github_annotations() -> None:
    bad = HERE / "bad-http-url.yaml"
    warn = HERE / "warn-export-until-past.yaml"
    result = run("validate", "--format", "github", bad, warn)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"::error file={bad},line=6,col=16::delivery.service_url: must use https"
        " (http is allowed only for localhost, 127.0.0.0/8 and ::1)",
        f"::warning file={warn},line=11,col=15::export_until: 2020-06-30 has passed:"
        " nothing will be exported",
        "1 file valid, 1 with errors (1 error, 1 warning)",
    ]


def test_github_escapes_properties_and_data() -> None:
    from passport.errors import Problem
    from passport.render.validate import annotation

    problem = Problem("a,b:c.yaml", "50% off\nnext", 1, 2, "x")
    assert annotation(problem) == "::error file=a%2Cb%3Ac.yaml,line=1,col=2::x: 50%25 off%0Anext"
    assert annotation(Problem("", "no file")) == "::error::no file"


def test_validate_a_missing_path_exits_one(tmp_path: Path) -> None:
    result = run("validate", tmp_path / "nope.yaml")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{tmp_path / 'nope.yaml'}: no such file or folder",
        "0 files valid (1 error)",
    ]


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_plain_secrets_are_never_printed_by_validate(fmt: str, tmp_path: Path) -> None:
    odd = tmp_path / "odd-secrets.yaml"
    odd.write_text(
        "version: 1\nname: odd-secrets\napplication: oneroster-rest\nmode: import\n"
        "delivery:\n  service_url: https://x.example.edu/ims/oneroster\n"
        "  auth_url: https://x.example.edu/token\n"
        "  client_id: [s3cr3t-do-not-print]\n  client_secret: {v: s3cr3t-do-not-print}\n"
        "  secret_extra: s3cr3t-do-not-print\n"
        "schools: {auto: same-id}\nattributes: {users: all}\n"
        "privacy_shield: {enabled: true, key: s3cr3t-do-not-print}\n"
    )
    result = run("validate", "--format", fmt, HERE, odd)
    assert result.exit_code == 1
    assert "plain-text secret" in result.output
    for secret in PLAIN_SECRETS:
        assert secret not in result.output
        assert secret not in result.stderr


def test_secrets_from_the_environment_are_never_printed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CANVAS_CLIENT_SECRET", "s3cr3t-do-not-print")
    for args in (("validate", ROOT / "configs"), ("gallery",), ("gallery", "oneroster-rest")):
        assert "s3cr3t-do-not-print" not in run(*args).output


def test_gallery_lists_applications() -> None:
    result = run("gallery")
    assert result.exit_code == 0
    assert result.output.splitlines()[:4] == [
        "NAME              TITLE                 MODES                    PRIVACY SHIELD",
        "google-workspace  Google Workspace      import, export, two-way  no",
        "oneroster-csv     OneRoster CSV bundle  import, export, two-way  yes",
        "oneroster-rest    OneRoster REST        import, export, two-way  yes",
    ]


def test_gallery_describes_one_application() -> None:
    result = run("gallery", "oneroster-rest")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "oneroster-rest: OneRoster REST"
    assert "  service_url (text, required, URL: https)" in lines
    assert "  client_secret (text, required, secret: ${env:NAME} or ${file:PATH})" in lines
    assert '  version ("1.1" | "1.2", default "1.2")' in lines
    assert "  write (true/false, default false)" in lines


def test_gallery_describes_google_workspace() -> None:
    result = run("gallery", "google-workspace")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "google-workspace: Google Workspace"
    assert any(line.startswith("  ou_rules") for line in lines)
    assert any(line.startswith("  service_account_key (text, secret") for line in lines)


def test_gallery_unknown_name() -> None:
    result = run("gallery", "canvass")
    assert result.exit_code == 1
    assert result.output.startswith("Error: unknown application 'canvass'; known: ")
    assert "Hint: see `passport gallery`" in result.output


def test_schema_prints_the_activation_schema() -> None:
    result = run("schema")
    assert result.exit_code == 0
    packaged = ROOT / "passport" / "schemas" / "activation.schema.json"
    assert json.loads(result.output) == json.loads(packaged.read_text())


def test_schema_of_an_application() -> None:
    result = run("schema", "--application", "oneroster-csv")
    assert json.loads(result.output)["required"] == ["path"]


@pytest.mark.parametrize("application", ["oneroster-rest", "oneroster-csv", "google-workspace"])
@pytest.mark.parametrize("mode", ["import", "export", "two-way"])
def test_init_writes_a_starter_that_validates(
    application: str, mode: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("init", "my-app", "--application", application, "--mode", mode)
    assert result.exit_code == 0, result.output
    path = Path("configs") / "my-app.yaml"
    assert result.output == f"Wrote {path}. Edit it, then run: passport validate {path}\n"
    text = path.read_text()
    assert text.startswith("# yaml-language-server: $schema=../schemas/activation.schema.json\n")
    check = run("validate", path)
    assert (check.exit_code, check.output) == (0, "1 file valid\n")


def test_init_writes_secrets_as_references(tmp_path: Path) -> None:
    run("init", "canvas", "-a", "oneroster-rest", "-m", "two-way", "--dir", tmp_path)
    text = (tmp_path / "canvas.yaml").read_text()
    assert "client_secret: ${env:CANVAS_CLIENT_SECRET}" in text
    assert "key: ${env:PASSPORT_SHIELD_KEY}" in text


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    args = ("init", "lms", "-a", "oneroster-csv", "-m", "export", "--dir", tmp_path)
    assert run(*args).exit_code == 0
    (tmp_path / "lms.yaml").write_text("mine\n")
    result = run(*args)
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {tmp_path / 'lms.yaml'} already exists\nHint: pick another name or edit it\n"
    )
    assert (tmp_path / "lms.yaml").read_text() == "mine\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("Bad Name", "-a", "oneroster-csv", "-m", "import"), "'Bad Name' is not a valid"),
        (("x", "-a", "nope", "-m", "import"), "unknown application 'nope'"),
    ],
)
def test_init_rejects_bad_input(args: tuple[str, ...], message: str, tmp_path: Path) -> None:
    result = run("init", *args, "--dir", tmp_path)
    assert result.exit_code == 1
    assert message in result.output
    assert list(tmp_path.iterdir()) == []
