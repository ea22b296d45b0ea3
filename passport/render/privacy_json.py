"""The privacy report and audit as JSON documents (`schemas/privacy.schema.json`).

Names, categories, treatments and counts only: never a record value. A filter's value is
shown only for fields that hold no personal data.
"""

from __future__ import annotations

import json
from typing import Any

from passport import __version__
from passport.model import Filter
from passport.oneroster import is_pii
from passport.privacy.audit import Audit
from passport.privacy.categories import Category
from passport.privacy.compliance import Finding
from passport.privacy.inventory import FieldShare, Inventory
from passport.privacy.report import PrivacyReport

FORMAT_VERSION = "1.0"
SENSITIVE = "(sensitive)"


def category_dict(category: Category) -> dict[str, Any]:
    return {
        "id": category.id,
        "title": category.title,
        "exhibit_b": list(category.exhibit_b),
        "personal": category.personal,
        "description": category.description,
    }


def filter_words(rule: Filter) -> str:
    """`users.role in [student, teacher]`, the value hidden for a personal-data field."""
    if rule.value is None:
        value = ""
    elif is_pii(rule.entity, rule.field):
        value = f" {SENSITIVE}"
    elif isinstance(rule.value, list):
        value = f" [{', '.join(rule.value)}]"
    else:
        value = f" {rule.value}"
    return f"{rule.entity}.{rule.field} {rule.op}{value}"


def _field(share: FieldShare) -> dict[str, Any]:
    return {
        "entity": share.entity,
        "field": share.field,
        "category": share.category.id,
        "treatment": share.treatment.value,
        "direction": share.direction or None,
        "why": share.why,
    }


def _finding(finding: Finding, inventory: Inventory) -> dict[str, Any]:
    agreement = inventory.agreement
    allowance = finding.allowance
    return {
        "field": finding.share.name,
        "treatment": finding.share.treatment.value,
        "kind": finding.kind,
        "allowed": allowance.treatment if allowance else None,
        "message": finding.describe(agreement) if agreement else "",
    }


def inventory_dict(inventory: Inventory, found: list[Finding]) -> dict[str, Any]:
    agreement = inventory.agreement
    return {
        "name": inventory.activation,
        "application": inventory.application,
        "mode": inventory.mode.value,
        "direction": inventory.direction,
        "source": inventory.source,
        "schools": list(inventory.schools),
        "filters": [filter_words(f) for f in inventory.filters],
        "privacy_shield": inventory.shield,
        "export_until": inventory.export_until,
        "agreement": None
        if agreement is None
        else {
            "file": agreement.file,
            "vendor": agreement.vendor,
            "signed": agreement.signed.isoformat(),
            "expires": agreement.expires.isoformat(),
        },
        "within_agreement": None if agreement is None else not found,
        "fields": [_field(f) for f in inventory.fields],
        "findings": [_finding(f, inventory) for f in found],
    }


def report_document(report: PrivacyReport) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "kind": "privacy-report",
        "passport_version": __version__,
        "district_settings": report.policy.source or None,
        "categories": [category_dict(c) for c in report.categories.all()],
        "activations": [
            inventory_dict(i, report.findings.get(i.activation, [])) for i in report.inventories
        ],
        "unreadable": [
            {"source": u.source, "problems": [str(p) for p in u.problems]}
            for u in report.unreadable
        ],
    }


def audit_document(audit: Audit) -> dict[str, Any]:
    categories = {r.category.id: r.category for r in audit.rows}
    return {
        "format_version": FORMAT_VERSION,
        "kind": "privacy-audit",
        "passport_version": __version__,
        "activation": audit.activation,
        "since": audit.since,
        "until": audit.until,
        "categories": [category_dict(c) for c in categories.values()],
        "runs": [
            {"id": r.id, "activation": r.activation, "started_at": r.started_at, "status": r.status}
            for r in audit.runs
        ],
        "fields": [
            {
                "activation": r.activation,
                "entity": r.entity,
                "field": r.field,
                "category": r.category.id,
                "treatment": r.treatment,
                "records": r.records,
                "runs": r.runs,
            }
            for r in audit.rows
        ],
    }


def render_json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
