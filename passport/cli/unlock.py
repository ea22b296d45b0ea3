"""`passport unlock`: release an apply lock left behind."""

from __future__ import annotations

import click

from passport import runner
from passport.cli.common import store_options
from passport.cli.output import handle_errors


@click.command("unlock")
@click.argument("name")
@click.option("--id", "lock_id", required=True, help="The lock's id, as `passport locks` lists it.")
@store_options
@handle_errors
def unlock_command(name: str, lock_id: str, store_url: str | None, configs_dir: str) -> None:
    """Release the apply lock of activation NAME.

    Use it only when the holder is gone (a killed pipeline on another machine). The id
    must match, so a lock taken since is never released by mistake.
    """
    settings = runner.Settings(store_url=store_url, configs_dir=configs_dir)
    lock = runner.unlock(name, lock_id, settings)
    click.echo(f"Released {lock.describe()}.")
