"""`passport apply`: carry a plan out and record the run."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from passport import runner
from passport.cli.common import (
    TerminalProgress,
    date_options,
    settings,
    show_pii_allowed,
    store_options,
)
from passport.cli.durations import duration
from passport.cli.output import exit_with, handle_errors
from passport.errors import ExitCode, PassportError
from passport.model import Plan
from passport.render.history import render_run
from passport.render.text import render_text


@click.command("apply")
@click.argument("target", metavar="ACTIVATION|PLANFILE")
@click.option("--yes", "-y", is_flag=True, help="Apply without asking for confirmation.")
@click.option("--force", is_flag=True, help="Apply even though safety thresholds are breached.")
@click.option(
    "--lock-timeout",
    callback=duration,
    default="0s",
    show_default=True,
    metavar="DURATION",
    help="How long to wait for another apply of the same activation (e.g. 30s, 5m).",
)
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=50,
    show_default=True,
    help="Records shown per entity and action in the plan shown before applying (0: all).",
)
@click.option(
    "--full",
    is_flag=True,
    help="Read the application in full: ignore watermarks, and read source files that "
    "did not change since the last apply too.",
)
@click.option("--show-pii", is_flag=True, help="Show personal data in clear (terminal only).")
@store_options
@date_options
@handle_errors
def apply_command(
    target: str,
    yes: bool,
    force: bool,
    lock_timeout: float,
    limit: int,
    full: bool,
    show_pii: bool,
    store_url: str | None,
    configs_dir: str,
    as_of: object,
) -> None:
    """Apply the changes of an activation's plan to the store or the application.

    With an activation it plans, shows the plan and asks before applying (use --yes in
    pipelines). With a plan file saved by `passport plan --out`, it applies only if the
    config, the store and the application are still as they were when it was made.
    """
    pii = show_pii_allowed(show_pii)
    progress = TerminalProgress()
    config = settings(store_url, configs_dir, as_of, progress, full)
    options = runner.ApplyOptions(force=force, lock_timeout_s=lock_timeout)
    if runner.is_saved_plan(target):
        result = runner.apply_saved(Path(target), config, options)
    else:
        if not yes and not sys.stdin.isatty():
            raise PassportError(
                "apply asks before it changes anything, and there is no terminal to ask on",
                "pass --yes to apply without confirmation, or apply a plan file saved "
                "with `passport plan --out FILE`",
            )

        def confirm(plan: Plan) -> bool:
            progress.clear()
            click.echo(render_text(plan, limit=limit, show_pii=pii))
            if not plan.has_changes or yes:
                return True
            return click.confirm("Apply these changes?", default=False)

        options.confirm = confirm
        result = runner.apply_activation(target, config, options)
    progress.clear()
    if result.run is None:
        if result.plan.has_changes:
            click.echo("Apply cancelled. Nothing was changed.")
            exit_with(ExitCode.ERROR)
        return
    click.echo(render_run(result.run))
    if result.run.status != "succeeded":
        exit_with(ExitCode.ERROR)
