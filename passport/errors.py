"""One error root for everything a user can cause; only the CLI turns it into output.

Every error carries a reason (what is wrong) and an optional hint (what to do).
Errors about a place in a file carry `Problem`s, each naming file, line, column and field.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    ERROR = 1
    CHANGES = 2  # with --detailed-exitcode: the plan has changes
    BLOCKED = 3  # with --detailed-exitcode: changes held by safety or conflicts


@dataclass(frozen=True, slots=True)
class Problem:
    """One located finding: `file:line:col: path: message`.

    `line` and `col` are 1-based; 0 means unknown. `path` is a dotted JSON path such as
    `attributes.users[3]`, or a record reference such as `users.csv row 12, column email`.
    """

    file: str
    message: str
    line: int = 0
    col: int = 0
    path: str = ""
    severity: str = "error"  # "error" | "warning"

    def __str__(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}"
            if self.col:
                where += f":{self.col}"
        lead = f"{where}: " if where else ""
        field = f"{self.path}: " if self.path else ""
        tag = "warning: " if self.severity == "warning" else ""
        return f"{lead}{tag}{field}{self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


class PassportError(Exception):
    """A problem in the user's input or environment. Never shown as a traceback."""

    exit_code: int = ExitCode.ERROR

    def __init__(
        self, reason: str, hint: str | None = None, problems: tuple[Problem, ...] = ()
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.hint = hint
        self.problems = problems

    def __str__(self) -> str:
        return self.reason


class ConfigError(PassportError):
    """An activation file cannot be read or does not validate."""


class SecretError(PassportError):
    """A secret reference cannot be resolved. Never includes the secret's value."""


class BundleError(PassportError):
    """A OneRoster CSV bundle cannot be read or written."""


class ConnectorError(PassportError):
    """An application could not be reached or answered with an error."""


class StoreError(PassportError):
    """The store cannot be opened, migrated, read or written."""


class PlanError(PassportError):
    """A plan cannot be made, read, or applied (stale, tampered, blocked)."""


class StalePlanError(PlanError):
    """A saved plan no longer matches the config, the store or the application."""


class BlockedError(PlanError):
    """Apply refused: a safety threshold is breached or a conflict needs a decision."""

    exit_code = ExitCode.BLOCKED


class LockError(PassportError):
    """Another apply holds the activation's lock."""
