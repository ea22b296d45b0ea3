"""`passport plan`: preview what an apply would change."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from passport import runner
from passport.cli.common import TerminalProgress, date_options, settings, store_options
from passport.cli.output import handle_errors, report
from passport.errors import ExitCode, PassportError
from passport.model import Plan
from passport.planfile import write_plan
from passport.render.json_plan import plan_dict, to_json
from passport.render.text import render_text


def plan_exit_code(plans: list[Plan], failed: int) -> ExitCode:
    if failed:
        return ExitCode.ERROR
    if any(p.blocked for p in plans):
        return ExitCode.BLOCKED
    if any(p.has_changes for p in plans):
        return ExitCode.CHANGES
    return ExitCode.OK


def show_pii_allowed(show_pii: bool) -> bool:
    if show_pii and not sys.stdout.isatty():
        raise click.UsageError("--show-pii only works on a terminal, never into a file or pipe")
    return show_pii


@click.command("plan")
@click.argument("activations", nargs=-1, metavar="[ACTIVATION]...")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="How to print the plan.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also save the plan as JSON to FILE, for `passport apply FILE`.",
)
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 0 with no changes, 1 on error, 2 with changes, 3 when changes are blocked.",
)
@click.option("--full", is_flag=True, help="Read the application in full, ignoring watermarks.")
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=50,
    show_default=True,
    help="Records shown per entity and action in text output (0: all).",
)
@click.option("--show-pii", is_flag=True, help="Show personal data in clear (terminal only).")
@store_options
@date_options
@handle_errors
def plan_command(
    activations: tuple[str, ...],
    fmt: str,
    out: Path | None,
    detailed_exitcode: bool,
    full: bool,
    limit: int,
    show_pii: bool,
    store_url: str | None,
    configs_dir: str,
    as_of: object,
) -> None:
    """Show which records an apply would create, update and delete, per entity.

    ACTIVATION is an activation name (configs/NAME.yaml), a file, or a folder;
    with none, every activation in the configs folder is planned.
    """
    pii = show_pii_allowed(show_pii)
    progress = TerminalProgress()
    config = settings(store_url, configs_dir, as_of, progress, full)
    paths = runner.load_all(list(activations), config)
    if out is not None and len(paths) != 1:
        raise click.UsageError("--out saves one plan: name exactly one activation")
    plans: list[Plan] = []
    failed = 0
    for path in paths:
        try:
            plan = runner.plan(path, config)
        except PassportError as error:
            progress.clear()
            click.echo(f"{path}: plan failed", err=True)
            report(error)
            failed += 1
            continue
        progress.clear()
        plans.append(plan)
        if out is not None:
            write_plan(out, to_json(plan))
        if fmt == "text":
            click.echo(render_text(plan, limit=limit, show_pii=pii))
            if out is not None:
                click.echo(f"Saved the plan to {out}. Apply it with: passport apply {out}")
    if fmt == "json":
        _print_json(plans, pii)
    if detailed_exitcode:
        sys.exit(plan_exit_code(plans, failed))
    if failed:
        sys.exit(ExitCode.ERROR)


def _print_json(plans: list[Plan], show_pii: bool) -> None:
    import orjson

    if len(plans) == 1:
        click.echo(to_json(plans[0], show_pii).decode(), nl=False)
    else:
        data = [plan_dict(p, show_pii) for p in plans]
        click.echo(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode())
