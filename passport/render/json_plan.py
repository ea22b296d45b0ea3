"""The JSON form of a plan: for pipelines and policy checks, and the saved-plan file.

Terraform-like: `format_version`, the activation, the fingerprint of the inputs, a summary,
`changes[]` with action, entity, key, direction, before, after and changed_fields, and
`safety`. Personal-data fields are listed under `sensitive` and their values left out.
A `checksum` over the rest of the document detects a truncated or edited file.
Several activations planned at once make a plan set: every plan, sums, and failures.
The shape is documented by schemas/plan.schema.json (docs/plan-json.md).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import orjson

from passport import __version__
from passport.canonical import digest_bytes
from passport.model import PLAN_FORMAT_VERSION, Action, Change, Fields, Plan
from passport.render.held import held_dict, out_of_scope_dicts
from passport.render.masking import hidden, hidden_fields
from passport.render.view import Failure, set_totals


def _values(entity: str, fields: Fields | None, show_pii: bool) -> dict[str, Any] | None:
    if fields is None:
        return None
    mask = hidden_fields(entity, show_pii)
    return {k: v for k, v in fields.items() if k not in mask}


def _sensitive(change: Change, identity: Fields, show_pii: bool) -> list[str]:
    mask = hidden_fields(change.entity, show_pii)
    if not mask:
        return []
    found = mask.intersection(change.before or ()).union(mask.intersection(change.after or ()))
    return sorted(found.union(mask.intersection(identity)))


def change_dict(change: Change, show_pii: bool = False) -> dict[str, Any]:
    identity = change.shown_identity()
    return {
        "action": change.action.value,
        "entity": change.entity,
        "key": change.key,
        "direction": change.direction.value,
        "before": _values(change.entity, change.before, show_pii),
        "after": _values(change.entity, change.after, show_pii),
        "changed_fields": list(change.changed),
        "identity": _values(change.entity, identity, show_pii),
        "school": change.school,
        "reason": change.reason or None,
        "sensitive": _sensitive(change, identity, show_pii),
    }


def plan_dict(plan: Plan, show_pii: bool = False) -> dict[str, Any]:
    totals = {a.value: plan.count(a) for a in Action}
    body: dict[str, Any] = {
        "format_version": plan.format_version,
        "passport_version": __version__,
        "activation": plan.activation,
        "application": plan.application,
        "mode": plan.mode.value,
        "created_at": plan.created_at,
        "fingerprint": {
            "config": plan.fingerprint.config,
            "store": plan.fingerprint.store,
            "app": plan.fingerprint.app,
        },
        "summary": {
            **totals,
            "suppressed": len(plan.suppressed),
            "held": len(plan.held),
            "entities": [
                {
                    "direction": s.direction.value,
                    "entity": s.entity,
                    "create": s.create,
                    "update": s.update,
                    "delete": s.delete,
                    "link": s.link,
                    "suppressed": s.suppressed,
                    "conflicts": s.conflicts,
                    "existing": s.existing,
                    "unchanged": s.unchanged,
                    "held": s.held,
                    "out_of_scope": s.out_of_scope,
                }
                for s in plan.summaries
            ],
        },
        "changes": [change_dict(c, show_pii) for c in plan.changes],
        "suppressed": [
            {
                "action": x.action.value,
                "entity": x.entity,
                "key": x.key,
                "direction": x.direction.value,
                "reason": x.reason,
            }
            for x in plan.suppressed
        ],
        "safety": {
            "blocked": plan.blocked,
            "breaches": [
                {
                    "direction": b.direction.value,
                    "entity": b.entity,
                    "action": str(b.action),
                    "count": b.count,
                    "existing": b.existing,
                    "limit": b.limit,
                    "message": str(b),
                }
                for b in plan.breaches
            ],
        },
        "conflicts": [
            {
                "entity": c.entity,
                "key": c.key,
                "kind": c.kind,
                "fields": list(c.fields),
                "resolution": c.resolution or None,
                "blocking": c.blocking,
                "store": _values(c.entity, c.store, show_pii),
                "app": _values(c.entity, c.app, show_pii),
                "base": _values(c.entity, c.base, show_pii),
                "sensitive": sorted(n for n in c.fields if hidden(c.entity, n, show_pii)),
            }
            for c in plan.conflicts
        ],
        "notes": list(plan.notes),
        "warnings": list(plan.warnings),
        "watermarks": dict(plan.watermarks),
        "held": [held_dict(h) for h in plan.held],
        "out_of_scope": out_of_scope_dicts(plan),
    }
    return body


def checksum(body: Mapping[str, Any]) -> str:
    rest = {k: v for k, v in body.items() if k != "checksum"}
    return digest_bytes(orjson.dumps(rest, option=orjson.OPT_SORT_KEYS))


@contextmanager
def _paused_gc() -> Iterator[None]:
    """Building a million small dicts makes the cycle collector run over and over (two
    thirds of the time); they hold no cycles, so it waits until they are built."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def sealed(plan: Plan, show_pii: bool = False) -> dict[str, Any]:
    """The plan's document with its checksum: what a saved plan file holds."""
    with _paused_gc():
        body = plan_dict(plan, show_pii)
    body["checksum"] = checksum(body)
    return body


def to_json(plan: Plan, show_pii: bool = False) -> bytes:
    return orjson.dumps(sealed(plan, show_pii), option=orjson.OPT_INDENT_2) + b"\n"


def plan_set_dict(
    plans: Sequence[Plan], failures: Sequence[Failure] = (), show_pii: bool = False
) -> dict[str, Any]:
    """Several activations planned at once: each plan whole (any one can be saved and
    applied on its own), the sums, and the activations that could not be planned."""
    totals = set_totals(plans, failures)
    return {
        "format_version": PLAN_FORMAT_VERSION,
        "passport_version": __version__,
        "summary": {
            "activations": totals.activations,
            "create": totals.create,
            "update": totals.update,
            "delete": totals.delete,
            "link": totals.link,
            "forget": totals.forget,
            "suppressed": totals.held,
            "conflicts": totals.conflicts,
            "changed": totals.changed,
            "blocked": totals.blocked,
            "failed": totals.failed,
        },
        "plans": [sealed(p, show_pii) for p in plans],
        "errors": [e for f in failures for e in failure_dicts(f)],
    }


def failure_dicts(failure: Failure) -> list[dict[str, Any]]:
    """One structured error per problem: {source, file, row, column, field, message, hint}."""
    if not failure.problems:
        return [
            {"source": failure.source, "file": "", "row": 0, "column": 0, "field": ""}
            | {"message": failure.message, "hint": failure.hint}
        ]
    return [
        {"source": failure.source, "file": p.file, "row": p.line, "column": p.col}
        | {"field": p.path, "message": p.message, "hint": failure.hint}
        for p in failure.problems
    ]


def plan_set_json(
    plans: Sequence[Plan], failures: Sequence[Failure] = (), show_pii: bool = False
) -> bytes:
    body = plan_set_dict(plans, failures, show_pii)
    return orjson.dumps(body, option=orjson.OPT_INDENT_2) + b"\n"
