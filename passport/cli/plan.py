"""`passport plan`: preview what an apply would change, for one activation or many."""

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
from passport.render.html import render_html
from passport.render.json_plan import plan_set_json, to_json
from passport.render.markdown import render_markdown
from passport.render.text import render_summary, render_text
from passport.render.view import Failure

FORMATS = ("text", "json", "markdown", "html")


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
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text for a terminal, json for tools, markdown for a pull-request comment, "
    "html for a standalone report.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Also save each plan as JSON for `passport apply FILE`: to FILE for one "
    "activation, as DIR/NAME.json when several are planned or DIR is a folder.",
)
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 0 with no changes, 1 on error, 2 with changes, 3 when changes are blocked "
    "(over every activation planned: any error, else any blocked, else any change).",
)
@click.option("--full", is_flag=True, help="Read the application in full, ignoring watermarks.")
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=50,
    show_default=True,
    help="Records shown per entity and action in text, markdown and html (0: all).",
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
    with none, every activation in the configs folder is planned. Each is planned
    on its own: one that fails is reported and the others still run. With several,
    a combined summary follows (text) or one document covers them all.
    """
    pii = show_pii_allowed(show_pii)
    progress = TerminalProgress()
    config = settings(store_url, configs_dir, as_of, progress, full)
    paths = runner.load_all(list(activations), config)
    folder = _out_folder(out, len(paths))
    plans: list[Plan] = []
    failures: list[Failure] = []
    for path in paths:
        plan = _plan_one(path, config, progress, failures)
        if plan is None:
            continue
        plans.append(plan)
        saved = _save(plan, out, folder)
        if fmt == "text":
            click.echo(render_text(plan, limit=limit, show_pii=pii))
        if saved is not None:
            message = f"Saved the plan to {saved}. Apply it with: passport apply {saved}"
            click.echo(message, err=fmt != "text")
    _print(fmt, plans, failures, limit, pii, out, len(paths))
    if detailed_exitcode:
        sys.exit(plan_exit_code(plans, len(failures)))
    if failures:
        sys.exit(ExitCode.ERROR)


def _plan_one(
    path: Path, config: runner.Settings, progress: TerminalProgress, failures: list[Failure]
) -> Plan | None:
    try:
        plan = runner.plan(path, config)
    except PassportError as error:
        progress.clear()
        click.echo(f"{path}: plan failed", err=True)
        report(error)
        failures.append(Failure(str(path), _words(error), error.problems, error.hint))
        return None
    progress.clear()
    return plan


def _words(error: PassportError) -> str:
    lines = [str(p) for p in error.problems]
    if error.reason not in lines:
        lines.append(error.reason)
    if error.hint:
        lines.append(f"Hint: {error.hint}")
    return "\n".join(lines)


def _out_folder(out: Path | None, count: int) -> bool:
    """Whether --out names a folder (several plans, or an existing folder)."""
    if out is None:
        return False
    if count > 1 and (out.suffix.lower() == ".json" or out.is_file()):
        raise click.UsageError(f"--out {out}: several activations are planned; name a folder")
    return count > 1 or out.is_dir()


def _save(plan: Plan, out: Path | None, folder: bool) -> Path | None:
    if out is None:
        return None
    target = out / f"{plan.activation}.json" if folder else out
    write_plan(target, to_json(plan))
    return target


def _print(
    fmt: str,
    plans: list[Plan],
    failures: list[Failure],
    limit: int,
    pii: bool,
    out: Path | None,
    count: int,
) -> None:
    if fmt == "text":
        if count > 1:
            click.echo(render_summary(plans, failures))
    elif fmt == "json":
        if count == 1 and plans:
            click.echo(to_json(plans[0], pii).decode(), nl=False)
        else:
            click.echo(plan_set_json(plans, failures, pii).decode(), nl=False)
    elif fmt == "markdown":
        artifact = str(out) if out is not None else None
        text = render_markdown(plans, failures, limit=limit, show_pii=pii, artifact=artifact)
        click.echo(text, nl=False)
    else:
        click.echo(render_html(plans, failures, limit=limit, show_pii=pii), nl=False)
