"""`passport init`: write a commented starter activation."""

from __future__ import annotations

from pathlib import Path

import click

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
@click.option(
    "--dir",
    "folder",
    default="configs",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write NAME.yaml into (created if missing).",
)
@handle_errors
def init(name: str, application: str, mode: str, folder: Path) -> None:
    """Write a starter activation NAME.yaml that validates as written.

    Secrets are written as ${env:...} references; set those variables before
    running plan. An existing file is never overwritten.
    """
    path = write_starter(name, application, mode, folder)
    click.echo(f"Wrote {path}. Edit it, then run: passport validate {path}")
