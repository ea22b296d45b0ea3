"""`--format json`: one plan's document, or a plan set when several activations are planned.

One plan is exactly the saved-plan document (`passport.planfile.document`, where its
encoding and checksum live). Several activations planned at once make a plan set: every
plan whole, the sums, and the failures. The shape is documented by
schemas/plan.schema.json (docs/plan-json.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from passport import __version__
from passport.model import PLAN_FORMAT_VERSION, Plan
from passport.planfile.document import sealed, to_json
from passport.render.view import Failure, set_totals

__all__ = ["plan_set_dict", "plan_set_json", "render_json", "to_json"]


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


def render_json(
    plans: Sequence[Plan], failures: Sequence[Failure], *, show_pii: bool, single: bool
) -> str:
    """`single` (one activation asked for, and planned): that plan's document; otherwise
    the plan set."""
    if single and len(plans) == 1 and not failures:
        return to_json(plans[0], show_pii).decode()
    return plan_set_json(plans, failures, show_pii).decode()
