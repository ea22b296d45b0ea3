"""`passport schema`: a JSON Schema as editors and `> schemas/*.json` take it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def render_schema(document: Mapping[str, Any]) -> str:
    return json.dumps(document, indent=2)
