"""A plan prepared for reading: grouped, capped and masked. Templates only lay it out."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from passport.model import Action, Change, Conflict, Direction, Fields, Plan
from passport.render.masking import CHANGED, hidden, shown

SYMBOL = {Action.CREATE: "+", Action.UPDATE: "~", Action.DELETE: "-", Action.LINK: "="}
VERB = {
    Action.CREATE: "create",
    Action.UPDATE: "update",
    Action.DELETE: "delete",
    Action.LINK: "link",
}
ARROW = {Direction.IMPORT: "application → store", Direction.EXPORT: "store → application"}


@dataclass(frozen=True)
class FieldLine:
    name: str
    before: str
    after: str


@dataclass(frozen=True)
class ChangeView:
    symbol: str
    action: str
    entity: str
    key: str
    label: str  # identifying fields, masked
    fields: tuple[FieldLine, ...]
    reason: str


@dataclass
class GroupView:
    direction: str
    entity: str
    action: str
    symbol: str
    total: int
    changes: list[ChangeView] = field(default_factory=list)

    @property
    def hidden_count(self) -> int:
        return self.total - len(self.changes)


def _label(change: Change, show_pii: bool) -> str:
    parts = [
        f"{name}={shown(change.entity, name, value, show_pii)}"
        for name, value in change.identity.items()
    ]
    return " ".join(parts)


def _field_lines(change: Change, show_pii: bool) -> tuple[FieldLine, ...]:
    if change.action is not Action.UPDATE:
        return ()
    lines = []
    before, after = change.before or {}, change.after or {}
    for name in change.changed:
        if hidden(change.entity, name, show_pii):
            lines.append(FieldLine(name, "", CHANGED))
            continue
        old = shown(change.entity, name, before.get(name)) if name in before else "(none)"
        new = shown(change.entity, name, after.get(name)) if name in after else "(none)"
        lines.append(FieldLine(name, old, new))
    return tuple(lines)


def change_view(change: Change, show_pii: bool) -> ChangeView:
    return ChangeView(
        symbol=SYMBOL[change.action],
        action=VERB[change.action],
        entity=change.entity,
        key=change.key,
        label=_label(change, show_pii),
        fields=_field_lines(change, show_pii),
        reason=change.reason,
    )


def groups(changes: Iterable[Change], limit: int, show_pii: bool) -> list[GroupView]:
    """Changes grouped by direction, entity and action, in plan order; at most `limit`
    records shown per group (0: all)."""
    out: list[GroupView] = []
    index: dict[tuple[str, str, str], GroupView] = {}
    for change in changes:
        ident = (change.direction.value, change.entity, change.action.value)
        group = index.get(ident)
        if group is None:
            group = GroupView(*ident, SYMBOL[change.action], 0)
            index[ident] = group
            out.append(group)
        group.total += 1
        if not limit or len(group.changes) < limit:
            group.changes.append(change_view(change, show_pii))
    return out


@dataclass(frozen=True)
class ConflictView:
    entity: str
    key: str
    kind: str
    fields: tuple[FieldLine, ...]  # before: store value, after: application value
    resolution: str
    blocking: bool


def _side(entity: str, name: str, values: Fields | None, show_pii: bool) -> str:
    if values is None:
        return "(deleted)"
    if hidden(entity, name, show_pii):
        return CHANGED
    return shown(entity, name, values.get(name)) if name in values else "(none)"


def conflict_views(conflicts: Iterable[Conflict], show_pii: bool) -> list[ConflictView]:
    return [
        ConflictView(
            entity=c.entity,
            key=c.key,
            kind=c.kind,
            fields=tuple(
                FieldLine(
                    name,
                    _side(c.entity, name, c.store, show_pii),
                    _side(c.entity, name, c.app, show_pii),
                )
                for name in c.fields
            ),
            resolution=c.resolution or "unresolved (conflicts: stop): apply refuses",
            blocking=c.blocking,
        )
        for c in conflicts
    ]


def totals_line(plan: Plan) -> str:
    if not plan.changes and not plan.conflicts:
        return "No changes. The store and the application agree for this activation."
    line = (
        f"Plan: {plan.count(Action.CREATE):,} to create, "
        f"{plan.count(Action.UPDATE):,} to update, {plan.count(Action.DELETE):,} to delete."
    )
    links = plan.count(Action.LINK)
    if links:
        line += f" {links:,} identical records to link (no data changes)."
    return line
