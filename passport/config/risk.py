"""One risk flag: its kind, its severity and the sentence a reviewer reads."""

from __future__ import annotations

from dataclasses import dataclass

from passport.config.excerpt import cut
from passport.model import Activation, Mode

__all__ = ["SEVERITIES", "Risk", "cut", "exports"]

SEVERITIES = ("low", "medium", "high")


@dataclass(frozen=True)
class Risk:
    kind: str  # new-activation | shield-off | shield-lowered | pii-shared | schools-added ...
    severity: str  # high | medium | low
    message: str

    def at_least(self, severity: str) -> bool:
        return SEVERITIES.index(self.severity) >= SEVERITIES.index(severity)


def exports(act: Activation) -> bool:
    return act.mode in (Mode.EXPORT, Mode.TWO_WAY)
