"""The privacy report and audit as one standalone HTML page each (no script, no assets).

The report's matrix is easy to scan: categories (the Exhibit B view) against
activations, each cell coloured by the rawest form the category leaves in, then every
field against every activation. The environment autoescapes; names, categories,
treatments and counts are all the page holds, never a record value.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import jinja2

from passport import __version__
from passport.privacy.audit import Audit
from passport.privacy.categories import Category
from passport.privacy.inventory import FieldShare, Inventory, by_category
from passport.privacy.report import PrivacyReport
from passport.render.privacy import WORDS, cell, facts, headline
from passport.render.privacy_audit import headline as audit_headline


@cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("passport.render", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@dataclass(frozen=True)
class MatrixRow:
    category: Category
    cells: list[tuple[str, str]]  # (text, css class) per activation


@dataclass(frozen=True)
class FieldGroup:
    category: Category
    rows: list[tuple[str, list[tuple[str, str]]]]  # field name, cells per activation


def _css(text: str) -> str:
    return {"—": "none", "not shared": "none", "in": "in"}.get(text, text.replace(" ", "-"))


def _matrix(report: PrivacyReport) -> list[MatrixRow]:
    categories = report.categories.all()
    shares = [by_category(i, categories) for i in report.inventories]
    rows = []
    for index, category in enumerate(categories):
        cells = [cell(s[index], i) for s, i in zip(shares, report.inventories, strict=True)]
        if category.id == "uncategorised" or any(c != "—" for c in cells):
            rows.append(MatrixRow(category, [(c, _css(c)) for c in cells]))
    return rows


def _field_cell(share: FieldShare | None, inventory: Inventory) -> tuple[str, str]:
    if share is None:
        return ("—", "none")
    text = "in" if share.direction == "in" else WORDS[share.treatment]
    return (text, _css(text))


def _fields(report: PrivacyReport) -> list[FieldGroup]:
    names: dict[str, list[str]] = {}
    for inventory in report.inventories:
        for share in inventory.shared():
            listed = names.setdefault(share.category.id, [])
            if share.name not in listed:
                listed.append(share.name)
    lookup = [{f.name: f for f in i.shared()} for i in report.inventories]
    groups = []
    for category in report.categories.all():
        rows = [
            (
                name,
                [
                    _field_cell(lk.get(name), i)
                    for lk, i in zip(lookup, report.inventories, strict=True)
                ],
            )
            for name in names.get(category.id, [])
        ]
        if rows:
            groups.append(FieldGroup(category, rows))
    return groups


def render_report_html(report: PrivacyReport) -> str:
    template = environment().get_template("privacy.html.j2")
    return template.render(
        kind="report",
        title=headline(report),
        report=report,
        matrix=_matrix(report),
        groups=_fields(report),
        facts=[
            (
                i,
                facts(i, report.findings.get(i.activation, [])),
                report.findings.get(i.activation, []),
            )
            for i in report.inventories
        ],
        version=__version__,
    )


def render_audit_html(audit: Audit) -> str:
    template = environment().get_template("privacy.html.j2")
    return template.render(
        kind="audit", title=audit_headline(audit), audit=audit, version=__version__
    )
