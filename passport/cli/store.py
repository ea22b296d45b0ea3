"""`passport store`: the store itself — migrate its schema, copy it to another store."""

from __future__ import annotations

import click

from passport.cli.common import TerminalProgress
from passport.cli.output import handle_errors
from passport.store import open_store
from passport.store.copy import Contents, copy_store
from passport.store.location import ENV_VAR
from passport.store.migrations import MIGRATIONS


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
@click.option(
    "--store",
    "store_url",
    envvar=ENV_VAR,
    metavar="URL",
    help=f"The store: a SQLite file path or URL, or a postgresql:// URL (also ${ENV_VAR}).",
)
@handle_errors
def migrate_command(store_url: str | None) -> None:
    """Create the store's schema, or apply the migrations it lacks.

    Every command does this on its own when it opens a store; run it first to set a
    shared PostgreSQL store up from a deploy step, with rights to create tables.
    """
    store = open_store(store_url)
    try:
        applied = store.migrated
        url = store.url
    finally:
        store.close()
    version = len(MIGRATIONS)
    if applied:
        listed = ", ".join(str(v) for v in applied)
        click.echo(f"Migrated the store at {url} to schema version {version} ({listed}).")
    else:
        click.echo(f"The store at {url} is up to date (schema version {version}).")


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
    origin = open_store(source, create=False)
    try:
        destination = open_store(target)
        try:
            copied = copy_store(origin, destination, progress)
            names = (origin.url, destination.url)
        finally:
            destination.close()
    finally:
        progress.clear()
        origin.close()
    click.echo(f"Copied {names[0]} to {names[1]} and verified it:")
    click.echo(summary(copied))


def summary(copied: Contents) -> str:
    lines = [f"  {entity:<16} {count:>12,} records" for entity, count in copied.records.items()]
    base = sum(count for count, _ in copied.base.values())
    activations = sorted({activation for activation, _ in copied.base})
    marks = sum(len(m) for m in copied.watermarks.values())
    lines.append(f"  {'base':<16} {base:>12,} rows of {len(activations)} activation(s)")
    lines.append(f"  {'watermarks':<16} {marks:>12,}")
    lines.append(f"  {'runs':<16} {copied.runs:>12,}")
    lines.append("  counts and digests match")
    return "\n".join(lines)
