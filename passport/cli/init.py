"""`passport init`: write a commented starter activation."""

from __future__ import annotations

from pathlib import Path

import click

from passport.cli.common import configs_option
from passport.cli.output import handle_errors
from passport.config.starter import write_starter
from passport.model import Mode


@click.command("init")
@click.argument("name")
@click.option(
    "--application",
    "-a",
    required=True,
    metavar="APP",
    help="The application to connect, from `passport gallery`.",
)
@click.option(
    "--mode",
    "-m",
    required=True,
    type=click.Choice([mode.value for mode in Mode]),
    help="import (application -> store), export (store -> application) or two-way.",
)
@configs_option("Folder to write NAME.yaml into (created if missing).", ("--configs-dir", "--dir"))
@handle_errors
def init(name: str, application: str, mode: str, configs_dir: str) -> None:
    """Write a starter activation NAME.yaml that validates as written.

    Secrets are written as ${env:...} references; set those variables before
    running plan. An existing file is never overwritten.
    """
    path = write_starter(name, application, mode, Path(configs_dir))
    click.echo(f"Wrote {path}. Edit it, then run: passport validate {path}")
