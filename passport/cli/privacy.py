"""`passport privacy`: the data-sharing inventory of activations, and the audit of what
applies sent. Parses, calls the privacy runner, renders, exits."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import click

from passport.cli.common import date_options, store_options
from passport.cli.output import exit_with, handle_errors
from passport.errors import ExitCode
from passport.privacy.audit import Audit
from passport.privacy.report import PrivacyReport
from passport.render import privacy as report_text
from passport.render import privacy_audit as audit_text
from passport.render.privacy_html import render_audit_html, render_report_html
from passport.render.privacy_json import audit_document, render_json, report_document
from passport.runner import Settings
from passport.runner import privacy as privacy_runner

FORMATS = ("text", "markdown", "html", "csv", "json")
DAY = click.DateTime(formats=["%Y-%m-%d"])

REPORTS: dict[str, Callable[[PrivacyReport], str]] = {
    "text": report_text.render_text,
    "markdown": report_text.render_markdown,
    "html": render_report_html,
    "csv": report_text.render_csv,
    "json": lambda report: render_json(report_document(report)),
}
AUDITS: dict[str, Callable[[Audit], str]] = {
    "text": audit_text.render_text,
    "markdown": audit_text.render_markdown,
    "html": render_audit_html,
    "csv": audit_text.render_csv,
    "json": lambda audit: render_json(audit_document(audit)),
}


def format_option(what: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="text",
        show_default=True,
        help=f"text, markdown (a pull request, a board report), html (one page), csv or json "
        f"(schemas/privacy.schema.json) {what}.",
    )


@click.group("privacy")
def privacy_group() -> None:
    """Which application receives which data, held against the signed agreements."""


@privacy_group.command("report")
@click.argument("paths", nargs=-1, metavar="[PATH|NAME]...")
@format_option("of the inventory")
@click.option(
    "--configs",
    "configs_dir",
    default="configs",
    show_default=True,
    metavar="DIR",
    help="Folder holding the activation files, for names given without a path.",
)
@date_options
@handle_errors
def report_command(
    paths: tuple[str, ...], fmt: str, configs_dir: str, as_of: datetime | None
) -> None:
    """The data-sharing inventory of every activation (or those named).

    Per application, entity and field: its data-element category (after the NDPA's
    Exhibit B), how it leaves (raw, generalised, pseudonymised, dropped, or not
    shared) and which way it flows (out, in, both), with the schools in scope and
    the agreement it is held to. Exits 1 when an activation sends more than its
    agreement allows or a file cannot be read.
    """
    found = privacy_runner.report(list(paths), configs_dir, as_of.date() if as_of else None)
    click.echo(REPORTS[fmt](found), nl=False)
    exit_with(ExitCode.OK if found.ok else ExitCode.ERROR)


@privacy_group.command("audit")
@click.option(
    "--application",
    "application",
    metavar="NAME",
    help="Only this activation (the application as the district connected it, e.g. canvas).",
)
@click.option("--since", type=DAY, metavar="YYYY-MM-DD", help="Runs started on or after this day.")
@click.option("--until", type=DAY, metavar="YYYY-MM-DD", help="Runs started on or before this day.")
@format_option("of the audit")
@store_options
@handle_errors
def audit_command(
    application: str | None,
    since: datetime | None,
    until: datetime | None,
    fmt: str,
    store_url: str | None,
    configs_dir: str,
) -> None:
    """What applies sent, from the run history: per activation, entity and field, how many
    records carried it and in which form. Counts and field names, never values; a field
    never sent never appears.

    \b
    passport privacy audit --application canvas --since 2026-01-01
    """
    settings = Settings(store_url=store_url, configs_dir=configs_dir)
    found = privacy_runner.audit(
        settings, application, since.date() if since else None, until.date() if until else None
    )
    click.echo(AUDITS[fmt](found), nl=False)
