"""Options shared by the commands, the checks on where output goes, terminal progress."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import click

from passport.errors import PassportError
from passport.runner import Settings
from passport.store.location import ENV_VAR

F = TypeVar("F", bound=Callable[..., Any])


class AliasedOption(click.Option):
    """An option with old spellings that still work but stay out of `--help`."""

    def __init__(self, *args: Any, aliases: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.aliases = aliases

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        every = self.opts
        self.opts = [o for o in every if o not in self.aliases]
        try:
            return super().get_help_record(ctx)
        finally:
            self.opts = every


CONFIGS_HELP = "Folder holding the activation files, for names given without a path."


def configs_option(
    help: str = CONFIGS_HELP, aliases: tuple[str, ...] = ("--configs-dir",)
) -> Callable[[F], F]:
    """`--configs DIR`, the one name of the activation folder (`--configs-dir` still works)."""
    return click.option(
        "--configs",
        *aliases,
        "configs_dir",
        cls=AliasedOption,
        aliases=aliases,
        default="configs",
        show_default=True,
        metavar="DIR",
        type=click.Path(file_okay=False),
        help=help,
    )


def store_option(func: F) -> F:
    return click.option(
        "--store",
        "store_url",
        envvar=ENV_VAR,
        metavar="URL",
        help="The store: a SQLite file path or URL (default .passport/store.db), or "
        f"postgresql://user@host/db?schema=NAME (also ${ENV_VAR}).",
    )(func)


def store_options(func: F) -> F:
    return configs_option()(store_option(func))


def date_options(func: F) -> F:
    return click.option(
        "--as-of",
        "as_of",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        metavar="YYYY-MM-DD",
        help="Evaluate dates (export_until, rollover windows) as of this day instead of today.",
    )(func)


def show_pii_allowed(show_pii: bool, into_file: bool = False) -> bool:
    """`--show-pii` shows personal data on a terminal only, never into a file or pipe."""
    if show_pii and (into_file or not sys.stdout.isatty()):
        where = "a report file" if into_file else "a file or pipe"
        raise PassportError(
            f"--show-pii only works on a terminal, never into {where}",
            "run it in a terminal without redirecting its output, or leave --show-pii out "
            "(personal data then shows as (sensitive) or (changed))",
        )
    return show_pii


class TerminalProgress:
    """A single updating status line on stderr, only when stderr is a terminal."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()
        self._last = 0.0
        self._shown = False

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.2 and (total is None or done < total):
            return
        self._last = now
        count = f"{done:,}/{total:,}" if total else f"{done:,}"
        click.echo(f"\r\x1b[2K{stage}: {count}", nl=False, err=True)
        self._shown = True

    def clear(self) -> None:
        if self._shown:
            click.echo("\r\x1b[2K", nl=False, err=True)
            self._shown = False


def settings(
    store_url: str | None,
    configs_dir: str,
    as_of: Any = None,
    progress: TerminalProgress | None = None,
    full: bool = False,
) -> Settings:
    day: date | None = as_of.date() if as_of is not None else None
    return Settings(
        store_url=store_url,
        configs_dir=configs_dir,
        progress=progress or TerminalProgress(),
        today=day,
        full=full,
        notice=lambda message: click.echo(message, err=True),
    )
