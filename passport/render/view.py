"""A plan prepared for reading: grouped, capped and masked. Templates only lay it out."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from passport.errors import Problem
from passport.model import (
    Action,
    Change,
    Changes,
    ChangeStream,
    Conflict,
    Direction,
    Fields,
    Plan,
    Suppressed,
)
from passport.oneroster import ENTITIES
from passport.planfile.masking import CHANGED, hidden, shown
from passport.render.inert import shorten, visible

SYMBOL = {
    Action.CREATE: "+",
    Action.UPDATE: "~",
    Action.DELETE: "-",
    Action.LINK: "=",
    Action.FORGET: "=",
}
VERB = {
    Action.CREATE: "create",
    Action.UPDATE: "update",
    Action.DELETE: "delete",
    Action.LINK: "link",
    Action.FORGET: "forget",
}
NONE = "(none)"  # the field is not set on that side
REASONS_SHOWN = 5  # held-back reasons named on a plan's last line
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
        f"{name}={shorten(visible(shown(change.entity, name, value, show_pii)), 60)}"
        for name, value in change.shown_identity().items()
    ]
    return " ".join(parts)


def _field_lines(change: Change, show_pii: bool) -> tuple[FieldLine, ...]:
    # An update, or a link that writes what makes the record the other side's (Google's
    # join key on an account matched by address).
    if change.action is not Action.UPDATE and not (change.action is Action.LINK and change.changed):
        return ()
    lines = []
    before, after = change.before or {}, change.after or {}
    for name in change.changed:
        if hidden(change.entity, name, show_pii):
            lines.append(FieldLine(name, "", CHANGED))
            continue
        old = shown(change.entity, name, before.get(name), show_pii) if name in before else NONE
        new = shown(change.entity, name, after.get(name), show_pii) if name in after else NONE
        lines.append(FieldLine(visible(name), visible(old), visible(new)))
    return tuple(lines)


def change_view(change: Change, show_pii: bool) -> ChangeView:
    return ChangeView(
        symbol=SYMBOL[change.action],
        action=VERB[change.action],
        entity=change.entity,
        key=visible(change.key),
        label=_label(change, show_pii),
        fields=_field_lines(change, show_pii),
        reason=visible(change.reason),
    )


def groups(changes: Changes, limit: int, show_pii: bool) -> list[GroupView]:
    """Changes grouped by direction, entity and action, in plan order; at most `limit`
    records shown per group (0: all)."""
    if limit and isinstance(changes, ChangeStream):
        return _groups_in_part(changes, limit, show_pii)
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


def _groups_in_part(changes: ChangeStream, limit: int, show_pii: bool) -> list[GroupView]:
    """`groups` of a plan too large to hold: the totals from its counts, and each part of
    the plan (an entity's writes or deletes in one direction) read only as far as its
    groups need records to show."""
    tally = changes.tally()
    out: list[GroupView] = []
    for deletes, entities in ((False, ENTITIES), (True, ENTITIES[::-1])):
        for entity in entities:
            for direction in sorted(Direction, key=lambda d: d.value):
                totals = {
                    a: n
                    for (d, e, a), n in tally.items()
                    if n and d is direction and e == entity and (a is Action.DELETE) == deletes
                }
                if totals:
                    part = (entity, direction, deletes)
                    out += _part_groups(changes, part, totals, limit, show_pii)
    return out


def _part_groups(
    changes: ChangeStream,
    part: tuple[str, Direction, bool],
    totals: dict[Action, int],
    limit: int,
    show_pii: bool,
) -> list[GroupView]:
    entity, direction, deletes = part
    index: dict[Action, GroupView] = {}
    short = len(totals)  # groups still to fill
    for change in changes.of(entity, direction, deletes=deletes):
        group = index.get(change.action)
        if group is None:
            group = GroupView(
                direction.value, entity, change.action.value, SYMBOL[change.action], 0
            )
            group.total = totals[change.action]
            index[change.action] = group
        if len(group.changes) < limit:
            group.changes.append(change_view(change, show_pii))
            if len(group.changes) == min(limit, group.total):
                short -= 1
                if not short:
                    break
    return list(index.values())


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
    return visible(shown(entity, name, values.get(name), show_pii)) if name in values else NONE


def conflict_views(conflicts: Iterable[Conflict], show_pii: bool) -> list[ConflictView]:
    return [
        ConflictView(
            entity=c.entity,
            key=visible(c.key),
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


def held_reasons(held: Iterable[Suppressed]) -> list[tuple[str, int]]:
    """How many changes each reason holds back, the most first."""
    counts = Counter(x.reason for x in held)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def quiet_line(plan: Plan) -> str:
    """The last line of a plan with nothing to do: why nothing, when it is not agreement."""
    if plan.offline:
        return f"Planned offline: {one_line(plan.offline)}."
    if plan.suppressed:
        reasons = held_reasons(plan.suppressed)
        shown_reasons = [f"{n:,} × {one_line(reason)}" for reason, n in reasons[:REASONS_SHOWN]]
        rest = reasons[REASONS_SHOWN:]
        if rest:
            held = sum(n for _, n in rest)
            shown_reasons.append(f"{held:,} for {len(rest):,} more reasons")
        total = len(plan.suppressed)
        noun = "change is" if total == 1 else "changes are"
        return f"No changes will be made: {total:,} {noun} held back ({'; '.join(shown_reasons)})."
    if plan.notes:
        return f"No changes will be made: {'; '.join(one_line(n) for n in plan.notes)}."
    return "No changes. The store and the application agree for this activation."


def totals_line(plan: Plan) -> str:
    if not plan.changes and not plan.conflicts:
        return quiet_line(plan)
    line = (
        f"Plan: {plan.count(Action.CREATE):,} to create, "
        f"{plan.count(Action.UPDATE):,} to update, {plan.count(Action.DELETE):,} to delete."
    )
    links, gone = plan.count(Action.LINK), plan.count(Action.FORGET)
    writing = sum(1 for c in plan.changes if c.action is Action.LINK and c.changed) if links else 0
    if links - writing:
        line += f" {links - writing:,} identical records to link (no data changes)."
    if writing:
        line += f" {writing:,} existing records to link (what joins them written)."
    if gone:
        line += f" {gone:,} records gone from both sides to forget."
    return line


# --- many plans at once: the summary table and the totals -------------------------------


@dataclass(frozen=True)
class Failure:
    """An activation that could not be planned, and why (already in words)."""

    source: str  # the activation file (or name) that failed
    message: str
    problems: tuple[Problem, ...] = ()  # each with its place, when the error has them
    hint: str | None = None


@dataclass(frozen=True)
class SummaryRow:
    """One line of the summary table: an activation's entity in one direction.

    `blocked` counts what apply would refuse: the changes over a safety threshold plus
    the conflicts left for a person to decide."""

    activation: str
    direction: str
    entity: str
    create: int = 0
    update: int = 0
    delete: int = 0
    conflicts: int = 0
    blocked: int = 0
    held: int = 0

    @property
    def active(self) -> bool:
        counts = (self.create, self.update, self.delete, self.conflicts, self.blocked, self.held)
        return any(counts)


def summary_rows(plan: Plan) -> list[SummaryRow]:
    """The plan's rows with anything to say, in the plan's summary order."""
    over: dict[tuple[str, str], int] = {}
    for b in plan.breaches:
        ident = (b.direction.value, b.entity)
        over[ident] = over.get(ident, 0) + b.count
    stuck: dict[str, int] = {}
    for c in plan.conflicts:
        if c.blocking:
            stuck[c.entity] = stuck.get(c.entity, 0) + 1
    rows = []
    for s in plan.summaries:
        ident = (s.direction.value, s.entity)
        clashes = stuck.get(s.entity, 0) if s.conflicts else 0
        row = SummaryRow(
            plan.activation,
            *ident,
            s.create,
            s.update,
            s.delete,
            s.conflicts,
            over.get(ident, 0) + clashes,
            s.suppressed,
        )
        if row.active:
            rows.append(row)
    return rows


@dataclass(frozen=True)
class SetTotals:
    """Sums over every plan of a run of `passport plan`."""

    activations: int = 0
    create: int = 0
    update: int = 0
    delete: int = 0
    link: int = 0
    forget: int = 0
    conflicts: int = 0
    held: int = 0
    blocked: int = 0  # activations that apply would refuse
    changed: int = 0  # activations with anything to do
    failed: int = 0

    @property
    def changes(self) -> int:
        return self.create + self.update + self.delete


def set_totals(plans: Iterable[Plan], failures: Iterable[Failure] = ()) -> SetTotals:
    plans, failed = list(plans), len(list(failures))
    return SetTotals(
        activations=len(plans) + failed,
        create=sum(p.count(Action.CREATE) for p in plans),
        update=sum(p.count(Action.UPDATE) for p in plans),
        delete=sum(p.count(Action.DELETE) for p in plans),
        link=sum(p.count(Action.LINK) for p in plans),
        forget=sum(p.count(Action.FORGET) for p in plans),
        conflicts=sum(len(p.conflicts) for p in plans),
        held=sum(len(p.suppressed) for p in plans),
        blocked=sum(1 for p in plans if p.blocked),
        changed=sum(1 for p in plans if p.has_changes),
        failed=failed,
    )


def set_line(totals: SetTotals) -> str:
    """`3 activations: 1,200 to create, 3 to update, 0 to delete; 1 blocked, 1 failed.`"""
    noun = "activation" if totals.activations == 1 else "activations"
    text = (
        f"{totals.activations} {noun}: {totals.create:,} to create, "
        f"{totals.update:,} to update, {totals.delete:,} to delete"
    )
    extra = [
        f"{n:,} {word}"
        for n, word in (
            (totals.conflicts, "conflicts" if totals.conflicts != 1 else "conflict"),
            (totals.held, "held back"),
            (totals.blocked, "blocked"),
            (totals.failed, "failed"),
        )
        if n
    ]
    return text + ("; " + ", ".join(extra) if extra else "") + "."


def one_line(text: str) -> str:
    """Text safe to place on one line of a rendering: what is not printable escaped."""
    return visible(text)
