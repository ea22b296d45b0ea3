"""Field-level three-way merge of one record: store view, application view, base.

All three are in store space and in the outgoing view (projected, narrowed, shielded), so
equal values mean "the same as the application would see it". Per field:

| store vs app | app vs base | store vs base | result                               |
|--------------|-------------|---------------|--------------------------------------|
| equal        |             |               | nothing (a false conflict is none)   |
| differ       | equal       |               | the store changed: it flows out      |
| differ       |             | equal         | the application changed: it flows in |
| differ       | differ      | differ        | a conflict, settled by the policy    |

With no base (the first sync), every differing field is a conflict. A field with an
`authority` (the activation's `authority:`, or the application's own defaults) is
settled by it whenever the two sides differ: `app` takes the application's value in,
`store` sends the store's out; it is never a conflict. A shielded field
never flows in: the application holds a pseudonym, so its value is neither a change nor a
conflict; the store's value flows out when the store changed it (or with no base).

`newest` compares the two sides' dateLastModified; when either is missing, the store wins.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from passport.model import ConflictPolicy, Fields, Value

RESOLUTION = {
    ConflictPolicy.STORE_WINS: "store-wins: the store's value is kept and sent out",
    ConflictPolicy.APP_WINS: "app-wins: the application's value is taken in",
}


@dataclass
class FieldMerge:
    to_store: dict[str, Value | None] = field(default_factory=dict)  # None: remove
    to_app: dict[str, Value | None] = field(default_factory=dict)
    conflicts: list[str] = field(default_factory=list)
    resolution: str = ""


def newest_side(store_modified: str | None, app_modified: str | None) -> str:
    """ "app" when the application's copy is strictly newer, else "store"."""
    if store_modified and app_modified and app_modified > store_modified:
        return "app"
    return "store"


def merge_fields(
    store: Fields,
    app: Fields,
    base: Fields | None,
    shielded: Collection[str],
    policy: ConflictPolicy,
    store_modified: str | None = None,
    app_modified: str | None = None,
    authority: Mapping[str, str] | None = None,
) -> FieldMerge:
    """`authority`: field -> "app" | "store", the side that settles it whenever the two
    differ, with or without a base: never a conflict."""
    out = FieldMerge()
    settled = authority or {}
    for name in sorted(set(store) | set(app) | set(base or {})):
        ours, theirs = store.get(name), app.get(name)
        if ours == theirs:
            continue
        agreed = base.get(name) if base is not None else None
        if name in shielded:
            if base is None or ours != agreed:
                out.to_app[name] = ours
            continue
        side = settled.get(name)
        if side == "app":
            out.to_store[name] = theirs
            continue
        if side == "store":
            out.to_app[name] = ours
            continue
        if base is not None and theirs == agreed:
            out.to_app[name] = ours
        elif base is not None and ours == agreed:
            out.to_store[name] = theirs
        else:
            out.conflicts.append(name)
    if out.conflicts:
        _settle(out, store, app, policy, store_modified, app_modified)
    return out


def _settle(
    out: FieldMerge,
    store: Fields,
    app: Fields,
    policy: ConflictPolicy,
    store_modified: str | None,
    app_modified: str | None,
) -> None:
    if policy is ConflictPolicy.STOP:
        return
    winner = "store" if policy is ConflictPolicy.STORE_WINS else "app"
    out.resolution = RESOLUTION.get(policy, "")
    if policy is ConflictPolicy.NEWEST:
        winner = newest_side(store_modified, app_modified)
        out.resolution = (
            f"newest: the {'store' if winner == 'store' else 'application'}'s copy is newer"
        )
        if not (store_modified and app_modified):
            out.resolution = "newest: a side lacks dateLastModified, so the store's value is kept"
    for name in out.conflicts:
        if winner == "store":
            out.to_app[name] = store.get(name)
        else:
            out.to_store[name] = app.get(name)
