"""`passport locks`: the apply locks held in the store."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from passport import runner
from passport.cli.common import store_options
from passport.cli.output import handle_errors
from passport.render.locks import locks_json, render_locks


@click.command("locks")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for tools.",
)
@store_options
@handle_errors
def locks_command(fmt: str, store_url: str | None, configs_dir: str) -> None:
    """List the apply locks held: activation, holder, age, host, pid and lock id.

    A lock whose holder is gone (expired, or its process dead on this host) is marked;
    the next apply replaces it on its own. Release one held by a dead process on another
    machine with `passport unlock NAME --id ID`.
    """
    held = runner.held_locks(runner.Settings(store_url=store_url, configs_dir=configs_dir))
    now = datetime.now(UTC)
    render = locks_json if fmt == "json" else render_locks
    click.echo(render(held.locks, held.stale, now))
