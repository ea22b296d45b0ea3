"""The History tab: a sync summary per run, as text or JSON. Runs hold no record values."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict
from typing import Any

import orjson

from passport.model import Run
from passport.oneroster import ENTITIES
from passport.render.inert import visible

COLUMNS = ("create", "update", "delete", "skip", "error")
HEADINGS = ("created", "updated", "deleted", "skipped", "errors")


def run_dict(run: Run) -> dict[str, Any]:
    data = asdict(run)
    data["counts"] = [asdict(c) for c in run.counts]
    data["errors"] = [asdict(e) for e in run.errors]
    return data


def run_json(run: Run) -> str:
    return orjson.dumps(run_dict(run), option=orjson.OPT_INDENT_2).decode()


def runs_json(runs: list[Run]) -> str:
    return orjson.dumps([run_dict(r) for r in runs], option=orjson.OPT_INDENT_2).decode()


def _table(rows: dict[tuple[str, ...], dict[str, int]], heads: tuple[str, ...]) -> list[str]:
    widths = [max([len(h)] + [len(k[i]) for k in rows]) for i, h in enumerate(heads)]
    line = "  " + "  ".join(h.ljust(w) for h, w in zip(heads, widths, strict=True))
    out = [line + "".join(f"{h:>9}" for h in HEADINGS)]
    for key, counts in rows.items():
        cells = "  ".join(k.ljust(w) for k, w in zip(key, widths, strict=True))
        out.append("  " + cells + "".join(f"{counts.get(c, 0):>9,}" for c in COLUMNS))
    return out


def totals(run: Run) -> dict[str, int]:
    sums: dict[str, int] = defaultdict(int)
    for c in run.counts:
        sums[c.action] += c.count
    return dict(sums)


def render_run(run: Run) -> str:
    lines = [f"Run {run.id}  {run.activation}  {run.mode}  {run.status}"]
    who = f"{run.user}@{run.host}" if run.host else run.user
    took = f", took {run.duration_s:.1f} s" if run.duration_s is not None else ""
    lines.append(f"  started {run.started_at} by {who}{took}")
    if run.git_commit:
        lines.append(f"  config at git commit {run.git_commit}")
    if run.plan_checksum:
        lines.append(f"  plan checksum {run.plan_checksum}")
    saved = run.extra.get("plan_file")
    if saved:
        how = (
            "its changes applied exactly as reviewed"
            if run.extra.get("as_reviewed")
            else "nothing of it applied"
        )
        lines.append(f"  saved plan {saved} (contract {run.extra.get('contract', '')}): {how}")
    if run.message:
        lines.append(f"  {visible(run.message)}")
    by_entity: dict[tuple[str, ...], dict[str, int]] = defaultdict(dict)
    by_school: dict[tuple[str, ...], dict[str, int]] = defaultdict(dict)
    rank = {e: i for i, e in enumerate(ENTITIES)}
    ordered = sorted(run.counts, key=lambda c: (c.direction, c.school, rank.get(c.entity, 99)))
    for c in ordered:
        cell = by_entity[(c.direction, c.entity)]
        cell[c.action] = cell.get(c.action, 0) + c.count
        if c.school:
            cell = by_school[(c.school, c.entity)]
            cell[c.action] = cell.get(c.action, 0) + c.count
    if by_entity:
        entity_rows = dict(sorted(by_entity.items(), key=lambda kv: (kv[0][0], rank[kv[0][1]])))
        lines += ["", *_table(entity_rows, ("direction", "entity"))]
    if by_school:
        lines += ["", "  Per school:", *_table(dict(by_school), ("school", "entity"))]
    if run.errors:
        lines += ["", f"  Errors ({len(run.errors)}):"]
        lines += [visible(f"    {e.entity}/{e.key} ({e.action}): {e.message}") for e in run.errors]
    return "\n".join(lines)


def render_runs(runs: list[Run]) -> str:
    if not runs:
        return "No runs yet."
    heads = ("run", "started", "activation", "mode", "status")
    rows = [(r.id, r.started_at, r.activation, r.mode, r.status) for r in runs]
    widths = [max([len(h)] + [len(row[i]) for row in rows]) for i, h in enumerate(heads)]
    out = [
        "  ".join(h.ljust(w) for h, w in zip(heads, widths, strict=True))
        + "".join(f"{h:>9}" for h in HEADINGS)
    ]
    for run, row in zip(runs, rows, strict=True):
        sums = totals(run)
        out.append(
            "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True))
            + "".join(f"{sums.get(c, 0):>9,}" for c in COLUMNS)
        )
    return "\n".join(out)
