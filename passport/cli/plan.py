"""`passport plan`: preview what an apply would change, for one activation or many."""

from __future__ import annotations

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
from passport.cli.output import emit, exit_with, handle_errors, report
from passport.errors import PassportError
from passport.render.report import FORMATS, SUFFIXES, render_report
from passport.render.text import render_saved


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
    metavar="FILE|DIR",
    help="Also save each plan for `passport apply FILE`, always as JSON: to FILE for one "
    "activation, as DIR/NAME.json when several are planned or DIR is a folder.",
)
@click.option(
    "--report",
    "report_file",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="FILE",
    help="Write the --format rendering to FILE instead of the terminal (several "
    "activations make one report).",
)
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 0 with no changes, 1 on error, 2 with changes, 3 when changes are blocked "
    "(over every activation planned: any error, else any blocked, else any change).",
)
@click.option(
    "--full",
    is_flag=True,
    help="Read the application in full: ignore watermarks, and read source files that "
    "did not change since the last apply too.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=50,
    show_default=True,
    help="Records shown per entity and action in text, markdown and html (0: all).",
)
@click.option("--show-pii", is_flag=True, help="Show personal data in clear (terminal only).")
@click.option(
    "--trusted-base",
    metavar="REF",
    help="Connect only activations whose delivery hosts and secret references are the ones "
    "they have at git REF (the protected branch); plan the others offline, reading nothing "
    "and resolving no secret. For plans of pull requests.",
)
@store_options
@date_options
@handle_errors
def plan_command(
    activations: tuple[str, ...],
    fmt: str,
    out: Path | None,
    report_file: Path | None,
    detailed_exitcode: bool,
    full: bool,
    limit: int,
    show_pii: bool,
    trusted_base: str | None,
    store_url: str | None,
    configs_dir: str,
    as_of: object,
) -> None:
    """Show which records an apply would create, update and delete, per entity.

    ACTIVATION is an activation name (configs/NAME.yaml), a file, or a folder;
    with none, every activation in the configs folder is planned. Each is planned
    on its own: one that fails is reported and the others still run. With several,
    a combined summary follows (text) or one document covers them all.

    \b
    --out FILE     the plan `passport apply FILE` takes (JSON, whatever --format says)
    --report FILE  the --format rendering, e.g. --format html --report plan.html
    """
    _check_report(report_file, fmt)
    pii = show_pii_allowed(show_pii, into_file=report_file is not None)
    progress = TerminalProgress()

    def failed(failure: runner.FailedPlan) -> None:
        progress.clear()
        click.echo(f"{failure.source}: plan failed", err=True)
        report(failure.error)

    config = settings(store_url, configs_dir, as_of, progress, full)
    config.trusted_base = trusted_base
    found = runner.plan_many(list(activations), config, out=out, on_failure=failed)
    progress.clear()
    artifact = str(out) if out is not None else None
    rendered = render_report(
        fmt,
        found.plans,
        found.failures,
        limit=limit,
        show_pii=pii,
        several=found.several,
        artifact=artifact,
    )
    emit(rendered, report_file)
    if found.saved:
        click.echo(render_saved(found.saved), err=fmt != "text" or report_file is not None)
    if report_file is not None:
        click.echo(f"Wrote the {fmt} report to {report_file}.", err=True)
    exit_with(found.exit_code(detailed_exitcode))


def _check_report(report_file: Path | None, fmt: str) -> None:
    """A report file named for another format than --format is a mistake worth a word."""
    if report_file is None:
        return
    named = SUFFIXES.get(report_file.suffix.lower())
    if named is not None and named != fmt:
        raise PassportError(
            f"--report {report_file}: the file name says {named}, but --format is {fmt}",
            f"add --format {named}, or name the file for {fmt}",
        )
