"""The wiring of `passport privacy`: activation files (config) -> inventories (privacy), and
the store's run history -> the audit of what was sent. The CLI renders what these return."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from passport.config import validate_paths
from passport.config.district import load_district
from passport.privacy.audit import Audit, RunEntry, audit_of
from passport.privacy.compliance import Finding, findings
from passport.privacy.inventory import Inventory, inventory_of
from passport.privacy.report import PrivacyReport, Unreadable
from passport.runner.settings import Settings, opened_store

EVERY_RUN = 1_000_000  # `Store.runs` lists newest first up to a limit: the audit reads all


def report(
    paths: Sequence[str], configs_dir: str = "configs", today: dt.date | None = None
) -> PrivacyReport:
    """The data-sharing inventory of the activations `paths` name (none: `configs_dir`)."""
    checked = validate_paths(paths, configs_dir, today)
    policy, _ = load_district(Path(configs_dir))
    inventories: list[Inventory] = []
    found: dict[str, list[Finding]] = {}
    unreadable: list[Unreadable] = []
    for result in checked.results:
        activation = result.activation or result.built
        if activation is None:
            unreadable.append(Unreadable(result.file, result.errors))
            continue
        own, _ = load_district(Path(activation.source).parent)
        inventory = inventory_of(activation, own.categories)
        inventories.append(inventory)
        found[inventory.activation] = findings(inventory)
    return PrivacyReport(tuple(inventories), found, tuple(unreadable), policy, checked.problems)


def audit(
    settings: Settings,
    activation: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> Audit:
    """What the applies recorded in the store's history sent, in the period."""
    policy, _ = load_district(Path(settings.configs_dir))
    with opened_store(settings) as store:
        runs = store.runs(activation, EVERY_RUN)
    entries = [RunEntry(r.id, r.activation, r.started_at, r.status, r.extra) for r in runs]
    return audit_of(
        entries,
        policy.categories,
        activation,
        since.isoformat() if since else None,
        until.isoformat() if until else None,
    )
