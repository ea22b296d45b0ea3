"""The privacy report as text, Markdown (a pull request, a board report) and CSV.

Per activation: where the data goes, which schools, the shield and the agreement, then
each category (the Exhibit B view) with its fields and how each leaves. The Markdown
opens with the matrix of categories against activations: the rawest form in which any
field of the category reaches the application.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from passport.privacy.categories import UNCATEGORISED, Category
from passport.privacy.compliance import Finding
from passport.privacy.inventory import (
    CategoryShare,
    FieldShare,
    Inventory,
    Treatment,
    by_category,
)
from passport.privacy.report import PrivacyReport
from passport.render.privacy_json import filter_words

WORDS = {
    Treatment.RAW: "raw",
    Treatment.GENERALISED: "generalised",
    Treatment.PSEUDONYMISED: "pseudonymised",
    Treatment.DROPPED: "dropped",
    Treatment.NOT_SHARED: "not shared",
}
ARROWS = {"out": "out", "in": "in", "both": "both ways", "": "nothing flows"}
MODE_WORDS = {"import": "import (in)", "export": "export (out)", "two-way": "two-way (both)"}


def headline(report: PrivacyReport) -> str:
    count = len(report.inventories)
    text = f"{count} activation{'s' if count != 1 else ''}"
    beyond = [name for name, found in report.findings.items() if found]
    if beyond:
        text += f", {len(beyond)} beyond its agreement ({', '.join(beyond)})"
    if report.unreadable:
        text += f", {len(report.unreadable)} not readable"
    return text


def cell(share: CategoryShare, inventory: Inventory) -> str:
    """One matrix cell: how the category reaches the application."""
    if not share.fields:
        return "—"
    if inventory.direction == "in":
        return "in"
    if share.rawest is None:
        return "dropped"
    return WORDS[share.rawest]


def agreement_line(inventory: Inventory, found: list[Finding]) -> str:
    agreement = inventory.agreement
    if agreement is None:
        return "none"
    state = "within it" if not found else f"{len(found)} beyond it"
    return (
        f"{agreement.file}: {agreement.vendor}, signed {agreement.signed}, "
        f"expires {agreement.expires} ({state})"
    )


def facts(inventory: Inventory, found: list[Finding]) -> list[tuple[str, str]]:
    filters = ", ".join(filter_words(f) for f in inventory.filters) or "none"
    return [
        ("application", inventory.application),
        ("mode", MODE_WORDS[inventory.mode.value]),
        ("file", inventory.source),
        ("schools", ", ".join(inventory.schools) or "none"),
        ("filters", filters),
        ("privacy shield", inventory.shield),
        ("export until", inventory.export_until or "no end date"),
        ("agreement", agreement_line(inventory, found)),
    ]


def _category_title(category: Category) -> str:
    also = f" (Exhibit B: {'; '.join(category.exhibit_b)})" if category.exhibit_b else ""
    return f"{category.title}{also}"


def _not_shared(inventory: Inventory) -> str:
    whole = [
        e
        for e in dict.fromkeys(f.entity for f in inventory.fields)
        if e not in inventory.entities()
    ]
    parts = [f"{e} (entity)" for e in whole]
    for entity in inventory.entities():
        names = [
            f.field
            for f in inventory.fields
            if f.entity == entity and f.treatment is Treatment.NOT_SHARED
        ]
        if names:
            parts.append(f"{entity}: {', '.join(names)}")
    return "; ".join(parts) or "nothing: every field is shared"


def _uncategorised(report: PrivacyReport) -> str:
    """Shared fields no category names, which the district should map."""
    names = sorted(
        {f.name for i in report.inventories for f in i.shared() if f.category.id == UNCATEGORISED}
    )
    return ", ".join(f"`{n}`" for n in names) if names else "none"


# --- text ---------------------------------------------------------------------------------


def render_text(report: PrivacyReport) -> str:
    lines = [f"Privacy report: {headline(report)}"]
    lines.append(f"uncategorised fields: {_uncategorised(report).replace('`', '')}")
    for inventory in report.inventories:
        found = report.findings.get(inventory.activation, [])
        lines += ["", inventory.activation]
        lines += [f"  {label + ':':<16}{value}" for label, value in facts(inventory, found)]
        for share in by_category(inventory, report.categories.all()):
            if not share.fields:
                continue
            lines += ["", f"  {_category_title(share.category)}"]
            width = max(len(f.name) for f in share.fields)
            lines += [_text_row(f, width) for f in share.fields]
        lines += ["", f"  not shared: {_not_shared(inventory)}"]
        lines += [
            f"  beyond the agreement: {f.describe(inventory.agreement)}"
            for f in found
            if inventory.agreement
        ]
    for unreadable in report.unreadable:
        lines += ["", f"{unreadable.source}: not readable"]
        lines += [f"  {p}" for p in unreadable.problems]
    return "\n".join(lines) + "\n"


def _text_row(share: FieldShare, width: int) -> str:
    how = f"{WORDS[share.treatment]:<14} {ARROWS[share.direction]:<13}"
    return f"    {share.name:<{width}}  {how} {share.why}".rstrip()


# --- Markdown -----------------------------------------------------------------------------


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def _matrix(report: PrivacyReport) -> list[str]:
    names = [i.activation for i in report.inventories]
    head = ["category", *names]
    lines = [
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]
    shares = {i.activation: by_category(i, report.categories.all()) for i in report.inventories}
    for index, category in enumerate(report.categories.all()):
        row = [shares[i.activation][index] for i in report.inventories]
        if not any(s.fields for s in row):
            continue
        cells = [cell(s, i) for s, i in zip(row, report.inventories, strict=True)]
        lines.append(f"| {_md(category.title)} | " + " | ".join(cells) + " |")
    return lines


def _field_rows(fields: Iterable[FieldShare]) -> list[str]:
    return [
        f"| `{f.name}` | {WORDS[f.treatment]} | {ARROWS[f.direction]} | {_md(f.why)} |"
        for f in fields
    ]


def render_markdown(report: PrivacyReport) -> str:
    lines = [f"## Privacy report: {headline(report)}", ""]
    lines += [
        "What each application receives, by data-element category (after the NDPA's "
        "Exhibit B): the rawest form in which any field of the category leaves "
        "(raw, generalised, pseudonymised), `in` for what only comes into the store, "
        "`—` for nothing.",
        "",
    ]
    if report.inventories:
        lines += [*_matrix(report), "", f"Uncategorised fields: {_uncategorised(report)}.", ""]
    for inventory in report.inventories:
        found = report.findings.get(inventory.activation, [])
        lines += [f"### {inventory.activation}", ""]
        lines += [f"- **{label}**: {_md(value)}" for label, value in facts(inventory, found)]
        if found and inventory.agreement:
            lines += ["", "**Beyond the agreement:**", ""]
            lines += [f"- {_md(f.describe(inventory.agreement))}" for f in found]
        lines += ["", "<details><summary>Field by field</summary>", ""]
        lines += ["| field | treatment | direction | why |", "|---|---|---|---|"]
        for share in by_category(inventory, report.categories.all()):
            if share.fields:
                lines.append(f"| **{_md(_category_title(share.category))}** | | | |")
                lines += _field_rows(share.fields)
        lines += ["", f"Not shared: {_md(_not_shared(inventory))}.", "", "</details>", ""]
    for unreadable in report.unreadable:
        lines += [f"### {unreadable.source}: not readable", ""]
        lines += [f"- `{_md(str(p))}`" for p in unreadable.problems]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


# --- CSV ----------------------------------------------------------------------------------

CSV_COLUMNS = (
    "activation",
    "application",
    "mode",
    "entity",
    "field",
    "category",
    "exhibit_b",
    "treatment",
    "direction",
    "why",
)


def render_csv(report: PrivacyReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for inventory in report.inventories:
        for f in inventory.fields:
            writer.writerow(
                (
                    inventory.activation,
                    inventory.application,
                    inventory.mode.value,
                    f.entity,
                    f.field,
                    f.category.id,
                    "; ".join(f.category.exhibit_b),
                    f.treatment.value,
                    f.direction,
                    f.why,
                )
            )
    return out.getvalue()
