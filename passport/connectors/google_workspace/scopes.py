"""The OAuth scopes each mode asks for: read-only for import, write for export and two-way."""

from __future__ import annotations

PREFIX = "https://www.googleapis.com/auth/admin.directory."

READ_SCOPES: tuple[str, ...] = (
    PREFIX + "user.readonly",
    PREFIX + "orgunit.readonly",
    PREFIX + "group.readonly",
    PREFIX + "group.member.readonly",
)
# The full scopes also allow reading, so export and two-way need nothing more.
WRITE_SCOPES: tuple[str, ...] = (
    PREFIX + "user",
    PREFIX + "orgunit",
    PREFIX + "group",
    PREFIX + "group.member",
)
MODES = ("import", "export", "two-way")


def scopes_for(mode: str) -> tuple[str, ...]:
    """The scopes an activation in `mode` needs, and no more."""
    if mode == "import":
        return READ_SCOPES
    if mode in ("export", "two-way"):
        return WRITE_SCOPES
    raise ValueError(f"unknown mode {mode!r}; expected one of {', '.join(MODES)}")
