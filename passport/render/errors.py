"""A PassportError in words: each located problem, the reason, the hint. No traceback."""

from __future__ import annotations

from passport.errors import PassportError
from passport.render.inert import visible


def render_error(error: PassportError) -> str:
    """What a user reads on stderr: `file:line:col: ...` lines, `Error: ...`, `Hint: ...`."""
    lines = [str(p) for p in error.problems]
    if not error.problems or error.reason not in lines:
        lines.append(f"Error: {error.reason}")
    if error.hint:
        lines.append(f"Hint: {error.hint}")
    # A problem may quote a file or a server: no control or bidi character reaches the
    # terminal as itself.
    return "\n".join(visible(line) for line in lines)


def error_words(error: PassportError) -> str:
    """The same, without the `Error:` label: a failure's message inside a plan document."""
    lines = [str(p) for p in error.problems]
    if error.reason not in lines:
        lines.append(error.reason)
    if error.hint:
        lines.append(f"Hint: {error.hint}")
    return "\n".join(visible(line) for line in lines)
