"""How the CLI reports errors (a message per problem, a hint, an exit code; no traceback)
and where a rendering goes (stdout, or a report file)."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, TypeVar

import click

from passport.errors import ExitCode, PassportError
from passport.planfile import write_plan
from passport.render.errors import render_error

P = ParamSpec("P")
R = TypeVar("R")


def report(error: PassportError) -> None:
    click.echo(render_error(error), err=True)


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn PassportError (and Ctrl-C) into a message and an exit code."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except PassportError as error:
            report(error)
            sys.exit(error.exit_code)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            sys.exit(130)

    return wrapper


def exit_with(code: int | ExitCode) -> None:
    sys.exit(int(code))


def emit(text: str, into: Path | None = None) -> None:
    """`text` (which ends in its own newline) to stdout, or written whole to a file."""
    if into is None:
        click.echo(text, nl=False)
        return
    try:
        write_plan(into, text.encode())
    except OSError as error:
        raise PassportError(f"cannot write {into}: {error.strerror or error}") from None
