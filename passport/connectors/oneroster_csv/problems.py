"""Collects located problems up to a limit, then counts the rest; raises them as one error."""

from __future__ import annotations

from passport.errors import BundleError, Problem

LIMIT = 50
HINT = "fix the export in the source system, or ask its vendor for a valid OneRoster CSV bundle"


class Problems:
    """Errors and warnings of one bundle; errors past `limit` are only counted."""

    def __init__(self, limit: int = LIMIT) -> None:
        self.limit = limit
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []
        self.more = 0
        self._warned: set[tuple[str, str]] = set()

    def error(self, file: str, message: str, row: int = 0, col: int = 0, column: str = "") -> None:
        if len(self.errors) >= self.limit:
            self.more += 1
            return
        self.errors.append(Problem(file, message, row, col, column))

    def warn(
        self, file: str, message: str, row: int = 0, col: int = 0, column: str = "", once: str = ""
    ) -> None:
        """A warning; with `once`, only the first warning of that kind per file is kept."""
        if once:
            if (file, once) in self._warned:
                return
            self._warned.add((file, once))
        self.warnings.append(Problem(file, message, row, col, column, severity="warning"))

    @property
    def full(self) -> bool:
        return len(self.errors) >= self.limit

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self, where: str) -> None:
        """Raise a BundleError carrying every collected error (and "and N more")."""
        if not self.errors:
            return
        problems = list(self.errors)
        total = len(problems) + self.more
        noun = "problem" if total == 1 else "problems"
        reason = f"the OneRoster bundle {where} cannot be read: {total} {noun}"
        if self.more:
            problems.append(Problem(problems[-1].file, f"and {self.more} more"))
            reason += f" (first {len(self.errors)} shown, and {self.more} more)"
        self.errors = []
        self.more = 0
        raise BundleError(reason, HINT, tuple(problems))
