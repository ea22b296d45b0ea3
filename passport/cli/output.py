"""How the CLI reports errors: one message per problem, a hint, an exit code; no tracebacks."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import click

from passport.errors import ExitCode, PassportError

P = ParamSpec("P")
R = TypeVar("R")


def report(error: PassportError) -> None:
    for problem in error.problems:
        click.echo(str(problem), err=True)
    if not error.problems or error.reason not in {str(p) for p in error.problems}:
        click.echo(f"Error: {error.reason}", err=True)
    if error.hint:
        click.echo(f"Hint: {error.hint}", err=True)


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
