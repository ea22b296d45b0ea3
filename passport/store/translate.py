"""Driver errors as StoreErrors that name the store and say what to do, for every backend.

A user sees `StoreError(reason, hint)` for every problem with a store (a damaged file, a
lost connection, a refused privilege), never a driver's traceback. The mechanism lives
here once; each backend gives its own `Translation`: the driver's error class and the
rules that know its messages, tried in order, the first that matches winning.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from passport.errors import StoreError

# (the driver's error, its message in lower case) -> whether a rule applies
Test = Callable[[Exception, str], bool]


def any_word(*words: str) -> Test:
    """The message holds one of `words` (lower case)."""
    return lambda exc, low: any(word in low for word in words)


def all_words(*words: str) -> Test:
    """The message holds every one of `words` (lower case)."""
    return lambda exc, low: all(word in low for word in words)


def always(exc: Exception, low: str) -> bool:
    return True


def kind(*classes: type[Exception]) -> Test:
    """The error is one of `classes`."""
    return lambda exc, low: isinstance(exc, classes)


@dataclass(frozen=True, slots=True)
class Rule:
    """An error that passes `test` becomes `reason` and `hint`, where `{where}` is the
    store (its path, or its URL without a password) and `{text}` the driver's message."""

    test: Test
    reason: str
    hint: str = ""


FALLBACK = Rule(always, "store error at {where}: {text}")


@dataclass(frozen=True, slots=True)
class Translation:
    driver: type[Exception]  # the driver's root error class (sqlite3.Error, psycopg.Error)
    rules: tuple[Rule, ...]
    fallback: Rule = FALLBACK

    def error(self, exc: Exception, where: str) -> StoreError:
        text = first_line(exc)
        low = text.lower()
        rule = next((r for r in self.rules if r.test(exc, low)), self.fallback)
        hint = _fill(rule.hint, where, text)
        return StoreError(_fill(rule.reason, where, text), hint or None)

    @contextmanager
    def around(self, where: str) -> Iterator[None]:
        """Turn the driver's errors raised inside into StoreErrors naming `where`."""
        try:
            yield
        except self.driver as exc:
            raise self.error(exc, where) from exc


def first_line(exc: Exception) -> str:
    """The first line of a driver's message (PostgreSQL adds DETAIL and HINT lines)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def _fill(template: str, where: str, text: str) -> str:
    # Not str.format: hints hold literal braces (`${env:NAME}`).
    return template.replace("{where}", where).replace("{text}", text)
