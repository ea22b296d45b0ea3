"""`passport apply`: carry a plan out and record the run."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from passport import runner
from passport.cli.common import TerminalProgress, date_options, settings, store_options
from passport.cli.durations import parse_duration
from passport.cli.output import handle_errors
from passport.cli.plan import show_pii_allowed
from passport.errors import ExitCode
from passport.model import Plan
from passport.planfile import read_plan
from passport.render.history import render_run
from passport.render.text import render_text


def _is_plan_file(target: str) -> bool:
    path = Path(target)
    return path.suffix.lower() == ".json" and path.is_file()


@click.command("apply")
@click.argument("target", metavar="ACTIVATION|PLANFILE")
@click.option("--yes", "-y", is_flag=True, help="Apply without asking for confirmation.")
@click.option("--force", is_flag=True, help="Apply even though safety thresholds are breached.")
@click.option(
    "--lock-timeout",
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
@click.option("--full", is_flag=True, help="Read the application in full, ignoring watermarks.")
@click.option("--show-pii", is_flag=True, help="Show personal data in clear (terminal only).")
@store_options
@date_options
@handle_errors
def apply_command(
    target: str,
    yes: bool,
    force: bool,
    lock_timeout: str,
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
    options = runner.ApplyOptions(force=force, lock_timeout_s=parse_duration(lock_timeout))
    ref = target
    if _is_plan_file(target):
        saved = read_plan(Path(target))
        options.saved = saved.fingerprint
        options.saved_activation = saved.activation
        options.saved_checksum = saved.checksum
        ref = saved.activation
    else:
        if not yes and not sys.stdin.isatty():
            raise click.UsageError(
                "not on a terminal: pass --yes to apply without confirmation, "
                "or apply a saved plan file"
            )

        def confirm(plan: Plan) -> bool:
            progress.clear()
            click.echo(render_text(plan, limit=limit, show_pii=pii))
            if not plan.has_changes or yes:
                return True
            return click.confirm("Apply these changes?", default=False)

        options.confirm = confirm
    result = runner.apply(ref, config, options)
    progress.clear()
    if result.run is None:
        if result.plan.has_changes:
            click.echo("Apply cancelled. Nothing was changed.")
            sys.exit(ExitCode.ERROR)
        return
    click.echo(render_run(result.run))
    if result.run.status != "succeeded":
        sys.exit(ExitCode.ERROR)
