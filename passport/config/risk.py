"""One risk flag: its kind, its severity and the sentence a reviewer reads."""

from __future__ import annotations

from dataclasses import dataclass

from passport.model import Activation, Mode

SEVERITIES = ("low", "medium", "high")
EXCERPT = 200  # characters of a config value a risk sentence repeats


@dataclass(frozen=True)
class Risk:
    kind: str  # new-activation | shield-off | shield-lowered | pii-shared | schools-added ...
    severity: str  # high | medium | low
    message: str

    def at_least(self, severity: str) -> bool:
        return SEVERITIES.index(self.severity) >= SEVERITIES.index(severity)


def exports(act: Activation) -> bool:
    return act.mode in (Mode.EXPORT, Mode.TWO_WAY)


def cut(text: str, limit: int = EXCERPT) -> str:
    """`text`, or its first `limit` characters and "…"."""
    return text if len(text) <= limit else text[:limit] + "…"
