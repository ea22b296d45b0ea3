"""`passport history`: the sync summary of past runs."""

from __future__ import annotations

import click
import orjson

from passport.cli.common import store_options
from passport.cli.output import handle_errors
from passport.errors import PassportError
from passport.render.history import render_run, render_runs, run_dict
from passport.runner import Settings, opened_store


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
    settings = Settings(store_url=store_url, configs_dir=configs_dir)
    if args and args[0] == "show":
        if len(args) != 2:
            raise click.UsageError("usage: passport history show RUN")
        with opened_store(settings) as store:
            run = store.run(args[1])
        if run is None:
            raise PassportError(f"no run {args[1]!r} in the store", "see `passport history`")
        if fmt == "json":
            click.echo(orjson.dumps(run_dict(run), option=orjson.OPT_INDENT_2).decode())
        else:
            click.echo(render_run(run))
        return
    if len(args) > 1:
        raise click.UsageError("usage: passport history [NAME] | passport history show RUN")
    with opened_store(settings) as store:
        runs = store.runs(args[0] if args else None, limit)
    if fmt == "json":
        click.echo(orjson.dumps([run_dict(r) for r in runs], option=orjson.OPT_INDENT_2).decode())
    else:
        click.echo(render_runs(runs))
