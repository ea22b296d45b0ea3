"""`passport store`: the store itself — migrate its schema, copy it to another store."""

from __future__ import annotations

import click

from passport import runner
from passport.cli.common import TerminalProgress, store_option
from passport.cli.output import handle_errors
from passport.render.store import render_copied, render_migrated


@click.group("store")
def store_group() -> None:
    """Manage the store: migrate its schema, copy it to another store.

    \b
    A store is a SQLite file (the default, .passport/store.db) or a PostgreSQL schema:
      postgresql://user@host:5432/db?schema=district_a
    The password comes by reference, postgresql://user:${env:NAME}@host/db, or from
    libpq's own PGPASSWORD or ~/.pgpass; a plain password in the URL is refused.
    """


@store_group.command("migrate")
@store_option
@handle_errors
def migrate_command(store_url: str | None) -> None:
    """Create the store's schema, or apply the migrations it lacks.

    Every command does this on its own when it opens a store; run it first to set a
    shared PostgreSQL store up from a deploy step, with rights to create tables.
    """
    done = runner.migrate_store(runner.Settings(store_url=store_url))
    click.echo(render_migrated(done.url, done.applied, done.version))


@store_group.command("copy")
@click.argument("source", metavar="FROM")
@click.argument("target", metavar="TO")
@handle_errors
def copy_command(source: str, target: str) -> None:
    """Copy the whole store FROM into the new, empty store TO, then verify the copy.

    Records, base, watermarks and run history move in one transaction; the copy is
    read back and compared (counts and digests) before this reports success. FROM's
    activations are locked meanwhile, so no apply runs during the copy.

    \b
    passport store copy .passport/store.db 'postgresql://ci@db/passport?schema=district_a'
    """
    progress = TerminalProgress()
    try:
        copied = runner.copy_whole_store(source, target, progress)
    finally:
        progress.clear()
    click.echo(render_copied(copied.source, copied.target, copied.contents))
