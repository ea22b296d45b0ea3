"""The privacy audit (what applies sent, from the history) as text, Markdown and CSV.

Counts and field names only; the runs are named by id and start time.
"""

from __future__ import annotations

import csv
import io

from passport.privacy.audit import Audit, AuditRow


def period(audit: Audit) -> str:
    who = audit.activation or "every activation"
    if audit.since and audit.until:
        return f"{who}, {audit.since} to {audit.until}"
    if audit.since:
        return f"{who}, since {audit.since}"
    if audit.until:
        return f"{who}, until {audit.until}"
    return f"{who}, every run recorded"


def headline(audit: Audit) -> str:
    count = len(audit.runs)
    return f"{period(audit)}: {count} run{'s' if count != 1 else ''}"


def _empty(audit: Audit) -> str:
    return "Nothing was sent in this period."


def _columns(row: AuditRow) -> tuple[str, str, str, str, str, str]:
    return (
        row.activation,
        row.category.title,
        row.name,
        row.treatment,
        f"{row.records:,}",
        f"{row.runs:,}",
    )


HEADS = ("activation", "category", "field", "treatment", "records", "runs")


def render_text(audit: Audit) -> str:
    lines = [f"Privacy audit: {headline(audit)}"]
    if not audit.rows:
        return "\n".join([*lines, _empty(audit)]) + "\n"
    rows = [HEADS, *(_columns(r) for r in audit.rows)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADS))]
    for row in rows:
        left = "  ".join(c.ljust(w) for c, w in zip(row[:4], widths[:4], strict=True))
        right = "  ".join(c.rjust(w) for c, w in zip(row[4:], widths[4:], strict=True))
        lines.append(f"  {left}  {right}")
    lines += ["", "Runs counted:"]
    lines += [f"  {r.id}  {r.started_at}  {r.activation}  {r.status}" for r in audit.runs]
    return "\n".join(lines) + "\n"


def render_markdown(audit: Audit) -> str:
    lines = [f"## Privacy audit: {headline(audit)}", ""]
    lines += [
        "What the applies recorded in the history sent, per field: how many records "
        "carried it, in which form. Counts and names only, never values.",
        "",
    ]
    if not audit.rows:
        return "\n".join([*lines, _empty(audit)]) + "\n"
    lines += ["| " + " | ".join(HEADS) + " |", "|---|---|---|---|---:|---:|"]
    for row in audit.rows:
        activation, category, name, treatment, records, runs = _columns(row)
        lines.append(f"| {activation} | {category} | `{name}` | {treatment} | {records} | {runs} |")
    lines += ["", "<details><summary>Runs counted</summary>", ""]
    lines += [f"- `{r.id}` {r.started_at} {r.activation} ({r.status})" for r in audit.runs]
    lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


CSV_COLUMNS = ("activation", "entity", "field", "category", "treatment", "records", "runs")


def render_csv(audit: Audit) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in audit.rows:
        writer.writerow(
            (r.activation, r.entity, r.field, r.category.id, r.treatment, r.records, r.runs)
        )
    return out.getvalue()
