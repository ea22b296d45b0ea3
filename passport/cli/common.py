"""Options shared by the commands that touch the store, and terminal progress."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import click

from passport.runner import Settings
from passport.store.location import ENV_VAR

F = TypeVar("F", bound=Callable[..., Any])


def store_options(func: F) -> F:
    func = click.option(
        "--store",
        "store_url",
        envvar=ENV_VAR,
        metavar="URL",
        help="The store: a SQLite file path or URL (default .passport/store.db), or "
        f"postgresql://user@host/db?schema=NAME (also ${ENV_VAR}).",
    )(func)
    func = click.option(
        "--configs",
        "configs_dir",
        default="configs",
        show_default=True,
        metavar="DIR",
        help="Folder holding the activation files, for names given without a path.",
    )(func)
    return func


def date_options(func: F) -> F:
    return click.option(
        "--as-of",
        "as_of",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        metavar="YYYY-MM-DD",
        help="Evaluate dates (export_until, rollover windows) as of this day instead of today.",
    )(func)


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
