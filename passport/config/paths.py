"""JSON paths as tuples, written the way a user reads them: `attributes.users[3]`."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from passport.config.excerpt import cut

JsonPath = tuple[str | int, ...]

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def format_path(path: Iterable[str | int]) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _PLAIN_KEY.match(part) and len(part) <= 64:
            text += f".{part}" if text else part
        else:
            text += f'["{cut(part, 64)}"]'
    return text


def did_you_mean(word: object, choices: Iterable[str]) -> str:
    """` (did you mean 'email'?)` for a close choice, else ``."""
    if not isinstance(word, str) or len(word) > 200:
        return ""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def one_of(choices: Iterable[object]) -> str:
    """`a, b or c` for a message."""
    items = [str(choice) for choice in choices]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} or {items[-1]}"
