"""`passport diff` as text, Markdown (for a pull-request comment) or JSON."""

from __future__ import annotations

import html
import json
from collections import Counter
from typing import Any

from passport.config.diff import ConfigDiff, FileDiff
from passport.config.risks import SEVERITIES, Risk

MARKER = "passport-diff"
ICON = {"high": "🔴", "medium": "🟠", "low": "🟡"}


def _by_severity(found: list[Risk]) -> list[Risk]:
    return sorted(found, key=lambda r: -SEVERITIES.index(r.severity))


def headline(diff: ConfigDiff) -> str:
    """`2 changed, 1 added, 3 unchanged; 4 risky changes (2 high, 2 medium)`."""
    statuses = Counter(f.status for f in diff.files)
    order = ("changed", "added", "removed", "invalid", "unchanged")
    parts = [f"{statuses[s]} {s}" for s in order if statuses[s]] or ["no activations"]
    found = diff.risks
    if not found:
        return f"{', '.join(parts)}; no risky changes"
    counts = Counter(r.severity for r in found)
    levels = ", ".join(f"{counts[s]} {s}" for s in reversed(SEVERITIES) if counts[s])
    noun = "risky change" if len(found) == 1 else "risky changes"
    return f"{', '.join(parts)}; {len(found)} {noun} ({levels})"


# --- text ---------------------------------------------------------------------------------


def _file_text(item: FileDiff) -> list[str]:
    lines = [f"{item.file} ({item.name}): {item.status}"]
    lines += [f"  {change}" for change in item.changes]
    found = _by_severity([*item.risks])
    lines += [f"  ! {r.severity:<6}  {r.kind:<16}  {r.message}" for r in found]
    lines += [f"  {problem}" for problem in item.problems]
    return lines


def render_text(diff: ConfigDiff) -> str:
    lines = [f"passport diff against {diff.base}: {headline(diff)}"]
    quiet = [f.name for f in diff.files if f.status == "unchanged" and not f.risks]
    for item in diff.files:
        if item.name not in quiet:
            lines += ["", *_file_text(item)]
    if quiet:
        lines += ["", f"Unchanged: {', '.join(quiet)}"]
    return "\n".join(lines) + "\n"


# --- markdown -----------------------------------------------------------------------------


def _md(text: str) -> str:
    return html.escape(text, quote=False).replace("|", "\\|").replace("\n", " ")


def render_markdown(diff: ConfigDiff) -> str:
    names = sorted({f.name for f in diff.files})
    lines = [
        f"<!-- {MARKER}: {' '.join(names)} -->",
        "",
        f"### passport diff against `{_md(diff.base)}`",
        "",
        f"**{_md(headline(diff))}.**",
        "",
    ]
    found = [(f, r) for f in diff.files for r in _by_severity([*f.risks])]
    if found:
        lines += ["| severity | activation | risk |", "| --- | --- | --- |"]
        lines += [
            f"| {ICON[r.severity]} {r.severity} | `{_md(f.name)}` | {_md(r.message)} |"
            for f, r in found
        ]
        lines.append("")
    for item in diff.invalid:
        lines += ["> [!CAUTION]", f"> **`{_md(item.file)}` is not a valid activation:**"]
        lines += [f"> - {_md(p)}" for p in item.problems] + [""]
    changed = [f for f in diff.files if f.changes]
    if changed:
        lines += ["<details>", "<summary>What changed, setting by setting</summary>", ""]
        for item in changed:
            lines.append(f"- **{_md(item.name)}** (`{_md(item.file)}`): {item.status}")
            lines += [f"  - <code>{_md(change)}</code>" for change in item.changes]
        lines += ["", "</details>"]
    return "\n".join(lines).rstrip("\n") + "\n"


# --- json ---------------------------------------------------------------------------------


def diff_dict(diff: ConfigDiff, fail_on: str = "low") -> dict[str, Any]:
    statuses = Counter(f.status for f in diff.files)
    severities = Counter(r.severity for r in diff.risks)
    return {
        "base": diff.base,
        "risky": diff.risky(fail_on),
        "fail_on": fail_on,
        "summary": {
            **{s: statuses[s] for s in ("changed", "added", "removed", "unchanged", "invalid")},
            "risks": {s: severities[s] for s in reversed(SEVERITIES)},
        },
        "files": [
            {
                "file": f.file,
                "name": f.name,
                "status": f.status,
                "changes": list(f.changes),
                "risks": [
                    {"kind": r.kind, "severity": r.severity, "message": r.message}
                    for r in _by_severity([*f.risks])
                ],
                "problems": list(f.problems),
            }
            for f in diff.files
        ],
    }


def render_json(diff: ConfigDiff, fail_on: str = "low") -> str:
    return json.dumps(diff_dict(diff, fail_on), indent=2, ensure_ascii=False) + "\n"


def render(found: ConfigDiff, fmt: str, fail_on: str) -> str:
    """The report in `fmt`: text, markdown or json (which says what fails at `fail_on`)."""
    if fmt == "json":
        return render_json(found, fail_on)
    if fmt == "markdown":
        return render_markdown(found)
    return render_text(found)
