"""`passport schema`: print the activation JSON Schema (or an application's delivery schema)."""

from __future__ import annotations

import click

from passport.cli.output import handle_errors
from passport.config import activation_schema
from passport.connectors import registry
from passport.render.schema import render_schema


@click.command("schema")
@click.option(
    "--application",
    "application",
    metavar="NAME",
    help="Print this application's delivery schema instead (see `passport gallery`).",
)
@handle_errors
def schema(application: str | None) -> None:
    """Print the activation JSON Schema (draft 2020-12).

    Editors use it for completion and help on hover: save it with
    `passport schema > schemas/activation.schema.json` and start a file with
    `# yaml-language-server: $schema=../schemas/activation.schema.json`.
    """
    document = registry.get(application).delivery_schema if application else activation_schema()
    click.echo(render_schema(document))
