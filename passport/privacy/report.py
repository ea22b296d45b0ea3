"""The privacy report of a set of activations, as plain data for the renderers."""

from __future__ import annotations

from dataclasses import dataclass

from passport.errors import Problem
from passport.privacy.categories import CategoryMap
from passport.privacy.compliance import Finding
from passport.privacy.inventory import Inventory
from passport.privacy.policy import DistrictPolicy


@dataclass(frozen=True)
class Unreadable:
    """An activation file the report could not read, and why."""

    source: str
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class PrivacyReport:
    inventories: tuple[Inventory, ...]
    findings: dict[str, list[Finding]]  # activation -> fields sent beyond its agreement
    unreadable: tuple[Unreadable, ...]
    policy: DistrictPolicy  # of the configs folder: its categories and requirements
    problems: tuple[Problem, ...] = ()  # validate's errors and warnings, for the reader

    @property
    def categories(self) -> CategoryMap:
        return self.policy.categories

    @property
    def ok(self) -> bool:
        return not self.unreadable and not any(self.findings.values())
