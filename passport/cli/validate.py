"""`passport validate`: check activation files and say every problem at once."""

from __future__ import annotations

import click

from passport.cli.common import configs_option
from passport.cli.output import exit_with, handle_errors
from passport.config import validate_paths
from passport.errors import ExitCode
from passport.render.validate import FORMATS, render_report


@click.command("validate")
@click.argument("paths", nargs=-1, metavar="[PATH|NAME]...")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(FORMATS)),
    default="text",
    show_default=True,
    help="text for people, json for tools, github for GitHub Actions annotations.",
)
@configs_option("Folder searched for activation names, and validated when no PATH is given.")
@handle_errors
def validate(paths: tuple[str, ...], fmt: str, configs_dir: str) -> None:
    """Check activation files: YAML, the JSON Schema and the rules between settings.

    PATH is a file, a folder of *.yaml files, or an activation name such as
    canvas (configs/canvas.yaml). Every problem is reported at once, as
    file:line:col: setting: message. Exits 0 when every file is valid (warnings
    allowed), 1 when any has an error.
    """
    report = validate_paths(paths, configs_dir)
    click.echo(render_report(report, fmt))
    exit_with(ExitCode.OK if report.ok else ExitCode.ERROR)
