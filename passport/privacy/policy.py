"""The district's privacy settings, as plain data (`configs/privacy/district.yaml`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from passport.model import Mode
from passport.privacy.categories import CategoryMap, shipped

DISTRICT_FILE = "privacy/district.yaml"  # inside the configs folder


@dataclass(frozen=True)
class DistrictPolicy:
    source: str = ""  # the file it was read from; "" when the district has none
    # Modes whose activations must name a privacy agreement (`require_agreement`).
    require_agreement: frozenset[Mode] = frozenset()
    require_at: tuple[int, int] = (0, 0)  # line and column of `require_agreement`
    categories: CategoryMap = field(default_factory=shipped)

    def requires_agreement(self, mode: Mode) -> bool:
        return mode in self.require_agreement
