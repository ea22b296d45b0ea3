"""`passport gallery`: the applications passport can connect, and their delivery settings."""

from __future__ import annotations

import click

from passport.cli.output import handle_errors
from passport.connectors import registry
from passport.render.gallery import describe, table


@click.command("gallery")
@click.argument("name", required=False)
@handle_errors
def gallery(name: str | None) -> None:
    """List the applications you can activate, or describe one.

    With NAME, shows the application's delivery settings: type, default, and
    whether each is required, a secret (write ${env:NAME} or ${file:PATH}) or a URL.
    """
    if name:
        click.echo(describe(registry.get(name)))
    else:
        click.echo(table(list(registry.applications().values())))
