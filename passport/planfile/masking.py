"""Which values a plan document or a rendering may show. Personal data is masked unless
shown on purpose.

The saved plan, every rendering (text, markdown, JSON, HTML), history and logs go through
here, so a raw value of a personal-data field never reaches an output by accident. It
sits with the saved-plan format, below `render`, because a saved plan masks the same way.
"""

from __future__ import annotations

import json
from functools import cache

from passport.model import Value
from passport.oneroster import SPECS, is_pii

SENSITIVE = "(sensitive)"
CHANGED = "(changed)"


def hidden(entity: str, field_name: str, show_pii: bool = False) -> bool:
    return not show_pii and is_pii(entity, field_name)


@cache
def hidden_fields(entity: str, show_pii: bool = False) -> frozenset[str]:
    """Every field of `entity` a rendering leaves out (the same rule as `hidden`)."""
    spec = SPECS.get(entity)
    return frozenset() if show_pii or spec is None else spec.pii


def shown(entity: str, field_name: str, value: Value | None, show_pii: bool = False) -> str:
    """A value as a rendering prints it: JSON-quoted, or the sensitive marker."""
    if hidden(entity, field_name, show_pii):
        return SENSITIVE
    return json.dumps(value, ensure_ascii=False)
