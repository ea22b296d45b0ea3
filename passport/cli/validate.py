"""`passport validate`: check activation files and say every problem at once."""

from __future__ import annotations

import json
from typing import Any

import click

from passport.cli.output import exit_with, handle_errors
from passport.config import Report, validate_paths
from passport.errors import ExitCode, Problem


@click.command("validate")
@click.argument("paths", nargs=-1, metavar="[PATH|NAME]...")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="text for people, json for tools, github for GitHub Actions annotations.",
)
@click.option(
    "--configs-dir",
    default="configs",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder searched for activation names, and validated when no PATH is given.",
)
@handle_errors
def validate(paths: tuple[str, ...], fmt: str, configs_dir: str) -> None:
    """Check activation files: YAML, the JSON Schema and the rules between settings.

    PATH is a file, a folder of *.yaml files, or an activation name such as
    canvas (configs/canvas.yaml). Every problem is reported at once, as
    file:line:col: setting: message. Exits 0 when every file is valid (warnings
    allowed), 1 when any has an error.
    """
    report = validate_paths(paths, configs_dir)
    click.echo({"text": as_text, "json": as_json, "github": as_github}[fmt](report))
    exit_with(ExitCode.OK if report.ok else ExitCode.ERROR)


def as_text(report: Report) -> str:
    return "\n".join([*(str(p) for p in report.problems), report.summary()])


def as_json(report: Report) -> str:
    files = [
        {
            "file": result.file,
            "valid": result.ok,
            "name": result.activation.name if result.activation else result.name,
            "application": result.activation.application if result.activation else None,
            "mode": str(result.activation.mode) if result.activation else None,
        }
        for result in report.results
    ]
    document: dict[str, Any] = {
        "valid": report.ok,
        "summary": report.summary(),
        "errors": len(report.errors),
        "warnings": len(report.warnings),
        "files": files,
        "problems": [_problem(p) for p in report.problems],
    }
    return json.dumps(document, indent=2)


def _problem(problem: Problem) -> dict[str, Any]:
    return {
        "file": problem.file,
        "line": problem.line,
        "col": problem.col,
        "path": problem.path,
        "message": problem.message,
        "severity": problem.severity,
    }


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _annotation(problem: Problem) -> str:
    properties = []
    if problem.file:
        properties.append(f"file={_escape_property(problem.file)}")
    if problem.line:
        properties.append(f"line={problem.line}")
    if problem.col:
        properties.append(f"col={problem.col}")
    level = "error" if problem.is_error else "warning"
    message = f"{problem.path}: {problem.message}" if problem.path else problem.message
    head = f"::{level} {','.join(properties)}" if properties else f"::{level}"
    return f"{head}::{_escape_data(message)}"


def as_github(report: Report) -> str:
    return "\n".join([*(_annotation(p) for p in report.problems), report.summary()])
