"""validate's privacy checks: the agreement an activation names, held against what it sends.

An activation over its agreement fails with one error per field, at the activation's line
that shares it (or the shield override that leaves it rawer), naming the agreement's line
that allows less. A district that requires agreements (`require_agreement` in
`configs/privacy/district.yaml`) fails an activation of that mode that names none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from passport.config.agreement import load_agreement
from passport.config.document import Document
from passport.config.paths import JsonPath
from passport.errors import Problem
from passport.model import Activation, Agreement, Mode
from passport.privacy.compliance import Finding, findings
from passport.privacy.inventory import KEY_FIELD, inventory_of
from passport.privacy.policy import DistrictPolicy

AT_AGREEMENT: JsonPath = ("privacy", "agreement")


def agreement_path(doc: Document) -> Path | None:
    """The agreement file an activation names, relative to the activation's folder."""
    privacy = doc.data.get("privacy")
    named = privacy.get("agreement") if isinstance(privacy, Mapping) else None
    if not isinstance(named, str):
        return None
    return Path(doc.file).parent / named


def read_agreement(doc: Document, policy: DistrictPolicy) -> tuple[Agreement | None, list[Problem]]:
    """The agreement an activation names, and the problems of reaching or reading it."""
    path = agreement_path(doc)
    if path is None:
        return None, []
    if not path.is_file():
        message = f"no agreement file {path}"
        return None, [doc.problem(AT_AGREEMENT, message)]
    agreement, problems = load_agreement(path, policy.categories)
    if agreement is None and not any(p.is_error for p in problems):
        problems.append(doc.problem(AT_AGREEMENT, f"{path} is not a valid agreement"))
    return agreement, problems


def privacy_problems(
    doc: Document, activation: Activation, policy: DistrictPolicy, today: dt.date
) -> list[Problem]:
    problems = _required(doc, activation, policy)
    agreement = activation.agreement
    if agreement is None or activation.mode is Mode.IMPORT:
        return problems
    if agreement.expired(today):
        message = f"the agreement expired on {agreement.expires}: nothing will be exported"
        problems.append(doc.problem(AT_AGREEMENT, message, severity="warning"))
    inventory = inventory_of(activation, policy.categories)
    for finding in findings(inventory):
        where, key = _where(doc.data, finding)
        problems.append(doc.problem(where, finding.describe(agreement), key=key))
    return problems


def _required(doc: Document, activation: Activation, policy: DistrictPolicy) -> list[Problem]:
    if activation.agreement is not None or not policy.requires_agreement(activation.mode):
        return []
    line, col = policy.require_at
    message = (
        f"{activation.mode} activations need a privacy agreement ({policy.source}:{line}:{col}"
        f" requires one): add privacy.agreement: agreements/{activation.name}.yaml"
    )
    return [doc.problem(("mode",), message)]


def _where(data: Mapping[str, Any], finding: Finding) -> tuple[JsonPath, bool]:
    """The activation's place that makes the field leave as it does."""
    share = finding.share
    shield = data.get("privacy_shield")
    overrides = shield.get("fields") if isinstance(shield, Mapping) else None
    if isinstance(overrides, Mapping) and share.name in overrides:
        return ("privacy_shield", "fields", share.name), True
    chosen = data.get("attributes", {}).get(share.entity)
    if share.field != KEY_FIELD and isinstance(chosen, list) and share.field in chosen:
        return ("attributes", share.entity, chosen.index(share.field)), False
    return ("attributes", share.entity), share.field == KEY_FIELD
