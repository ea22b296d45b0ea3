"""`passport diff`: what a change to activation files does, and whether it is risky."""

from __future__ import annotations

import click

from passport.cli.common import configs_option
from passport.cli.output import exit_with, handle_errors
from passport.config.diff import diff_configs
from passport.config.risks import SEVERITIES
from passport.errors import ExitCode
from passport.render import config_diff

RISKY = 2  # the exit code when a risky change is found


@click.command("diff")
@click.argument("paths", nargs=-1, metavar="[PATH|NAME]...")
@click.option(
    "--base",
    required=True,
    metavar="REF",
    help="The git ref to compare with: a branch, tag or commit (e.g. origin/main).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="text for people, markdown for a pull-request comment, json for tools.",
)
@click.option(
    "--fail-on",
    type=click.Choice(SEVERITIES),
    default="low",
    show_default=True,
    help="Exit 2 when a risky change of this severity or higher is found.",
)
@configs_option("Folder searched for activation names, and compared when no PATH is given.")
@handle_errors
def diff_command(
    paths: tuple[str, ...], base: str, fmt: str, fail_on: str, configs_dir: str
) -> None:
    """Compare activation files with their version at a git ref, by meaning.

    Both versions are loaded as `validate` loads them, so reformatting, reordering
    or spelling out a default changes nothing. Each changed setting is said in
    words, and risky changes are flagged high, medium or low: the privacy shield
    turned off or lowered, personal data newly shared, schools added, the mode
    widened, safety thresholds loosened, export_until extended, a new activation.
    The base is read with `git show REF:PATH`; nothing is checked out.

    Exits 0 with no risky change (at --fail-on or above), 2 with one, 1 when a
    file is not a valid activation or the ref is unknown.
    """
    found = diff_configs(base, paths, configs_dir)
    click.echo(config_diff.render(found, fmt, fail_on), nl=False)
    if found.invalid:
        exit_with(ExitCode.ERROR)
    exit_with(RISKY if found.risky(fail_on) else ExitCode.OK)
