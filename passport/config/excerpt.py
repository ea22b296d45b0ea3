"""How much of a config value a message repeats: a bounded excerpt, never the whole.

A 50 MB value must not come back whole in an error line, a diff sentence or a risk flag:
every place in `passport.config` that echoes what a file holds cuts it here first.
"""

from __future__ import annotations

VALUE_CHARS = 200  # of one value, key or name
MESSAGE_CHARS = 1_000  # of one whole message (a net under the cuts of each value)


def cut(text: str, limit: int = VALUE_CHARS) -> str:
    """`text`, or its first `limit` characters and "…"."""
    return text if len(text) <= limit else text[:limit] + "…"


def quoted(value: object, limit: int = VALUE_CHARS) -> str:
    """`'value'` for a message, cut: what repr() shows, bounded."""
    return repr(value) if len(str(value)) <= limit else repr(cut(str(value), limit))
