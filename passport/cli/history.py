"""`passport history`: the sync summary of past runs."""

from __future__ import annotations

import click

from passport import runner
from passport.cli.common import store_options
from passport.cli.output import handle_errors
from passport.render.history import render_run, render_runs, run_json, runs_json


@click.command("history")
@click.argument("args", nargs=-1, metavar="[NAME] | show RUN")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="How to print the history.",
)
@click.option(
    "--limit", type=click.IntRange(min=1), default=20, show_default=True, help="Runs listed."
)
@store_options
@handle_errors
def history_command(
    args: tuple[str, ...], fmt: str, limit: int, store_url: str | None, configs_dir: str
) -> None:
    """List past runs, newest first, or show one run's sync summary.

    \b
    passport history              every activation's runs
    passport history NAME         one activation's runs
    passport history show RUN     one run: per entity and school, and its errors
    """
    settings = runner.Settings(store_url=store_url, configs_dir=configs_dir)
    if args and args[0] == "show":
        if len(args) != 2:
            raise click.UsageError("usage: passport history show RUN")
        run = runner.find_run(settings, args[1])
        click.echo(run_json(run) if fmt == "json" else render_run(run))
        return
    if len(args) > 1:
        raise click.UsageError("usage: passport history [NAME] | passport history show RUN")
    runs = runner.history(settings, args[0] if args else None, limit)
    click.echo(runs_json(runs) if fmt == "json" else render_runs(runs))
