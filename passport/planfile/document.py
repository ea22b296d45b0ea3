"""The JSON document of one plan: its encoding and its checksum.

Terraform-like: `format_version`, the activation, the fingerprint of the inputs, a summary,
`changes[]` with action, entity, key, direction, before, after and changed_fields, and
`safety`. Personal-data fields are listed under `sensitive` and their values left out.
A `checksum` over the rest of the document detects a truncated or damaged file.
The shape is documented by schemas/plan.schema.json (docs/plan-json.md).

`--format json` prints the document (`to_json`). A saved plan (`passport plan --out`,
read back by `passport apply FILE`) is the document plus its `contract` and `seal`
(`saved`, see `passport.planfile.contract`): only a sealed file can be applied.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import orjson

from passport import __version__
from passport.canonical import digest_bytes
from passport.model import Action, Change, Fields, Held, Plan, first_changes
from passport.planfile.contract import LISTED, contract, seal
from passport.planfile.masking import hidden, hidden_fields


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
        "app_key": change.app_key or None,
        "direction": change.direction.value,
        "before": _values(change.entity, change.before, show_pii),
        "after": _values(change.entity, change.after, show_pii),
        "changed_fields": list(change.changed),
        "identity": _values(change.entity, identity, show_pii),
        "school": change.school,
        "reason": change.reason or None,
        "sensitive": _sensitive(change, identity, show_pii),
    }


def _summary(plan: Plan) -> dict[str, Any]:
    totals = {a.value: plan.count(a) for a in Action}
    return {
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
    }


def _safety(plan: Plan) -> dict[str, Any]:
    return {
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
    }


def _conflicts(plan: Plan, show_pii: bool) -> list[dict[str, Any]]:
    return [
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
    ]


def plan_dict(plan: Plan, show_pii: bool = False, listed: int | None = None) -> dict[str, Any]:
    return {
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
        "summary": _summary(plan),
        "changes": [change_dict(c, show_pii) for c in first_changes(plan.changes, listed)],
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
        "safety": _safety(plan),
        "conflicts": _conflicts(plan, show_pii),
        "notes": list(plan.notes),
        "unread": list(plan.unread),
        "warnings": list(plan.warnings),
        "watermarks": dict(plan.watermarks),
        "offline": plan.offline or None,
        "held": [held_dict(h) for h in plan.held],
        "out_of_scope": out_of_scope_dicts(plan),
    }


def held_dict(held: Held) -> dict[str, Any]:
    """A held record (`held[]` in schemas/plan.schema.json): where and why, never a value."""
    depends = held.depends_on
    return {
        "direction": held.direction.value,
        "entity": held.entity,
        "key": held.key,
        "reason": held.reason,
        "file": held.file,
        "row": held.row,
        "column": held.column,
        "field": held.field,
        "hint": held.hint or None,
        "depends_on": {"entity": depends[0], "key": depends[1]} if depends else None,
    }


def out_of_scope_dicts(plan: Plan) -> list[dict[str, Any]]:
    return [
        {"direction": x.direction.value, "entity": x.entity, "reason": x.reason, "count": x.count}
        for x in plan.out_of_scope
    ]


def checksum(body: Mapping[str, Any]) -> str:
    """The digest of a plan document without its own `checksum` (and `seal`)."""
    rest = {k: v for k, v in body.items() if k not in ("checksum", "seal")}
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


def saved(plan: Plan, key: bytes) -> dict[str, Any]:
    """What a saved plan file holds: the reviewer's view (at most `LISTED` changes, personal
    data left out), the contract (the digest of the whole change set) and the seal."""
    with _paused_gc():
        body = plan_dict(plan, False, listed=LISTED)
    body["contract"] = contract(key, plan)
    body["checksum"] = checksum(body)
    body["seal"] = seal(key, body)
    return body


def to_json(plan: Plan, show_pii: bool = False) -> bytes:
    """The sealed document as indented JSON bytes, ending in a newline."""
    return orjson.dumps(sealed(plan, show_pii), option=orjson.OPT_INDENT_2) + b"\n"
