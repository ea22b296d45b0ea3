"""Builds the Plan of one activation from its two sides and its base.

Entities are planned in dependency order so that scope decisions about later entities
(an enrollment is in scope when its class and user are) can rest on earlier ones.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from passport.mapping.fields import FieldMap, OneRosterFields
from passport.mapping.scope import Scope
from passport.mapping.sharing import Outgoing, Sharing, no_transform
from passport.model import (
    Action,
    Activation,
    Change,
    Conflict,
    Direction,
    EntitySummary,
    Fingerprint,
    Held,
    Mode,
    OutOfScope,
    Plan,
    Record,
    SourceMark,
    Suppressed,
)
from passport.oneroster import ENTITIES
from passport.plan.changes import EntityPlan
from passport.plan.exporting import (
    ExportInputs,
    desired_index,
    plan_export_entity,
    plan_first_export,
)
from passport.plan.fingerprint import Tally
from passport.plan.holding import Holds, circular_orgs, held_of
from passport.plan.importing import ImportSource, plan_import_entity
from passport.plan.reading import read_orgs_in_app
from passport.plan.safety import breaches, empty_listing_breaches
from passport.plan.sources import AppSide, Progress, StoreSide, no_progress
from passport.plan.spill import ChangeLog
from passport.plan.twoway import TwoWayInputs, plan_two_way_entity
from passport.plan.unchanged import KEPT, SourceChain, kept_keys, mark, settled, skipped
from passport.plan.windows import apply_windows, export_closed


@dataclass
class PlanInputs:
    activation: Activation
    app: AppSide
    store: StoreSide
    today: date
    now: str  # ISO 8601 UTC, the plan's creation time
    readable: Collection[str] = ENTITIES  # what the application can read
    writable: Collection[str] = ENTITIES  # what the application can write
    outgoing: Outgoing = no_transform
    progress: Progress = no_progress
    # The application's field map; None: a OneRoster application (the identity, school
    # ids mapped).
    fields: FieldMap | None = None
    # Read every source file, also those unchanged since the last apply (`plan --full`).
    full: bool = False

    def sharing(self, scope: Scope) -> Sharing:
        act = self.activation
        return Sharing.of(act, scope, self.fields or OneRosterFields.of(act), self.outgoing)


@dataclass
class _Collected:
    changes: ChangeLog = field(default_factory=ChangeLog)
    suppressed: list[Suppressed] = field(default_factory=list)
    existing: dict[tuple[Direction, str], int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    watermarks: dict[str, str] = field(default_factory=dict)

    conflicts: list[Conflict] = field(default_factory=list)
    held: list[Held] = field(default_factory=list)
    unchanged: dict[tuple[Direction, str], int] = field(default_factory=dict)
    out_of_scope: list[OutOfScope] = field(default_factory=list)
    empty: set[tuple[Direction, str]] = field(default_factory=set)  # complete, empty listings
    sources: list[SourceMark] = field(default_factory=list)  # what apply remembers (import)
    skipped: list[str] = field(default_factory=list)  # entities not read: unchanged files
    suspends: Counter[tuple[Direction, str]] = field(default_factory=Counter)

    def add(self, directions: Iterable[Direction], entity: str, part: EntityPlan) -> None:
        self.changes.absorb(part.changes)
        self.suppressed.extend(part.suppressed)
        self.conflicts.extend(part.conflicts)
        self.held.extend(part.held)
        if part.suspends:
            self.suspends[(Direction.EXPORT, entity)] += part.suspends
        for direction in directions:
            self.existing[(direction, entity)] = part.existing
            self.unchanged[(direction, entity)] = part.unchanged
            self.out_of_scope += [
                OutOfScope(direction, entity, reason, count)
                for reason, count in sorted(part.out_of_scope.items())
            ]

    def hold_exports(self, reason: str) -> None:
        """Keep every export-direction change out of the plan, listed with the reason."""
        kept, held = ChangeLog(), list[Change]()
        for c in self.changes.appended():
            (held if c.direction is Direction.EXPORT else kept).append(c)
        self.changes.close()
        self.changes = kept
        self.suppressed += [
            Suppressed(c.entity, c.key, c.action, c.direction, reason) for c in held
        ]


def build_plan(inputs: PlanInputs) -> Plan:
    act = inputs.activation
    store_tally, app_tally = Tally(), Tally()
    collected = _Collected()
    closed = export_closed(act, inputs.today)
    if closed:
        collected.notes.append(closed)
    if act.mode is Mode.IMPORT:
        _plan_import(inputs, collected, store_tally, app_tally)
    elif act.mode is Mode.EXPORT and not closed:
        _plan_export(inputs, collected, store_tally, app_tally)
    elif act.mode is Mode.TWO_WAY:
        _plan_two_way(inputs, collected, store_tally, app_tally)
        if closed:
            collected.hold_exports(closed)
    if act.mode is not Mode.IMPORT:
        collected.notes += _losses(inputs.fields)
    changes, suppressed = apply_windows(
        act.rollover, inputs.today, collected.changes, collected.suppressed
    )
    summaries = _summaries(collected, changes, suppressed)
    found = breaches(act.safety, _suspensions_as_deletes(summaries, collected.suspends))
    over = {(b.direction, b.entity) for b in found if b.action == Action.DELETE}
    found += [
        b
        for b in empty_listing_breaches(summaries, collected.empty)
        if (b.direction, b.entity) not in over
    ]
    return Plan(
        activation=act.name,
        application=act.application,
        mode=act.mode,
        created_at=inputs.now,
        fingerprint=Fingerprint(act.digest, store_tally.hexdigest(), app_tally.hexdigest()),
        changes=changes if changes.spilled else tuple(changes),
        suppressed=tuple(suppressed),
        summaries=tuple(summaries),
        breaches=tuple(found),
        conflicts=tuple(collected.conflicts),
        notes=tuple(collected.notes),
        watermarks=collected.watermarks,
        held=tuple(sorted(collected.held, key=_held_order)),
        out_of_scope=tuple(collected.out_of_scope),
        sources=_settled_sources(collected.sources, suppressed),
        unread=tuple(collected.skipped),
    )


def _settled_sources(
    marks: list[SourceMark], suppressed: list[Suppressed]
) -> tuple[SourceMark, ...]:
    """The marks apply may remember: none for an entity with a change held back, by a
    rollover window above all. Its files may stay the same while the window ends, and the
    next plan must read them to plan the changes it held."""
    withheld = {s.entity for s in suppressed}
    return tuple(SourceMark(m.entity, "", "") if m.entity in withheld else m for m in marks)


def _suspensions_as_deletes(
    summaries: list[EntitySummary], suspends: Counter[tuple[Direction, str]]
) -> list[EntitySummary]:
    """Safety thresholds count a suspension (an account of a user gone from the store,
    suspended rather than deleted) as the delete it stands for."""
    if not suspends:
        return summaries
    return [
        replace(s, delete=s.delete + suspends[(s.direction, s.entity)])
        if (s.direction, s.entity) in suspends
        else s
        for s in summaries
    ]


def _prepare(inputs: PlanInputs, sharing: Sharing, entity: str) -> None:
    """An application of its own shape (Google) that links records and gives them
    addresses before they are compared gets the plan's inputs for the entity first."""
    prepare = getattr(sharing.fields, "prepare", None)
    if not callable(prepare):
        return
    store, app, act = inputs.store, inputs.app, inputs.activation
    admit = sharing.scope.admitter(entity)
    wanted = [
        (rec.key, sharing.shield(entity, rec.key, sharing.shared(entity, rec.fields)))
        for rec in store.scan(entity)
        if admit(rec.key, rec.fields)
    ]
    facts = getattr(app, "facts", None)
    prepare(
        entity,
        wanted=wanted,
        app=list(app.read(entity)),
        bases={b.key: b.fields for b in store.base_scan(act.name, entity)},
        orgs={rec.key: rec.fields for rec in store.scan("orgs")},
        today=inputs.today,
        facts=facts() if callable(facts) else {},
        lookup=getattr(app, "lookup", None),
    )


def _losses(fields: FieldMap | None) -> list[str]:
    """What the application cannot hold of what was exported, said once (a version
    without some fields: they are left out on both sides, so the plan converges)."""
    losses = getattr(fields, "losses", None)
    return list(losses()) if callable(losses) else []


def _held_order(held: Held) -> tuple[int, str, str]:
    return (ENTITIES.index(held.entity), held.direction.value, held.key)


def _plan_import(inputs: PlanInputs, out: _Collected, store_tally: Tally, app_tally: Tally) -> None:
    act, app, store = inputs.activation, inputs.app, inputs.store
    sharing = inputs.sharing(Scope.of(act))
    scope = sharing.scope
    orgs = read_orgs_in_app(app, sharing.fields)
    scope.set_orgs(_org_parents(orgs, store if not app.is_complete("orgs") else None))
    holds = Holds()
    chain = SourceChain(act.digest, app)
    unkept: list[str] = []  # skipped entities whose kept keys are read once needed
    for entity in scope.entities():
        if entity not in inputs.readable:
            scope.unlisted(entity)  # the application has none: references to it decide nothing
            continue
        complete = app.is_complete(entity)
        store_tally.add(entity)
        app_tally.add(entity)
        digest = chain.upto(entity)
        may_skip = complete and entity != "orgs" and not inputs.full  # orgs: read already
        remembered = settled(store, act.name, entity, store_tally)
        part = skipped(remembered, digest if may_skip else None)
        if part is not None:
            app_tally.add("unchanged", digest)
            unkept += [entity] if entity in KEPT else []
            out.add([Direction.IMPORT], entity, part)
            out.skipped.append(entity)
            continue
        for skipped_entity in unkept:  # a later entity's scope asks for their keys
            kept = kept_keys(store, act.name, skipped_entity)
            scope.kept.setdefault(skipped_entity, set()).update(kept)
        unkept.clear()
        records: Iterable[Record] = (
            _held_orgs(orgs, app, holds, sharing.fields) if entity == "orgs" else app.read(entity)
        )
        if not complete:
            _keep_owned(scope, entity, act.name, store)
        source = ImportSource(
            entity,
            records,
            complete,
            sharing,
            inputs.progress,
            holds=holds,
            source_held=_source_held(app, entity, orgs),
            reread=None if entity == "orgs" else _rereader(app, entity),
            # --full checks every base row against its store record, settled or not.
            drift_free=remembered is not None and not inputs.full,
        )
        part = plan_import_entity(source, act.name, store, store_tally, app_tally)
        if complete:  # before `add`, which takes the part's changes over
            out.sources.append(mark(entity, digest, part, chain.quiet(entity)))
        out.add([Direction.IMPORT], entity, part)
        listed = part.read > 0 or (entity == "orgs" and bool(orgs))
        if not complete and not listed:
            scope.unlisted(entity)  # declared absent: what refers to it is not dropped
        if complete and not listed:
            out.empty.add((Direction.IMPORT, entity))
        watermark = app.watermark(entity)
        if watermark:
            out.watermarks[entity] = watermark


def _held_orgs(orgs: list[Record], app: AppSide, holds: Holds, fields: FieldMap) -> list[Record]:
    """The orgs to plan: those the application held, in circles of parents, or under a
    held parent are held before they are read (all orgs are in memory already)."""
    found = [replace(h, withdrawn=False) for h in held_of(app, "orgs")]
    holds.add("orgs", found, lambda key: fields.key_to_store("orgs", key))
    for circle in circular_orgs(orgs):
        holds.hold(circle)
    holds.self_holds("orgs", orgs, lambda key: key)
    held = holds.of("orgs")
    return [org for org in orgs if org.key not in held] if held else orgs


def _source_held(app: AppSide, entity: str, orgs: list[Record]) -> Any:
    if entity == "orgs":
        return list  # taken before the orgs are read (`_held_orgs`)
    return lambda: held_of(app, entity)


def _rereader(app: AppSide, entity: str) -> Any:
    return lambda: app.read(entity)


def _plan_export(inputs: PlanInputs, out: _Collected, store_tally: Tally, app_tally: Tally) -> None:
    act, app, store = inputs.activation, inputs.app, inputs.store
    sharing = inputs.sharing(store_scope(act, store))
    for entity in sharing.scope.entities():
        if entity not in inputs.writable:
            out.notes.append(f"{act.application} does not accept {entity}: not exported")
            continue
        store_tally.add(entity)
        _prepare(inputs, sharing, entity)
        inp = ExportInputs(entity, act.name, app, store, sharing, app_tally, inputs.progress)
        if not app.is_complete(entity) and not store.base_count(act.name, entity):
            part = plan_first_export(inp, store_tally)
        else:
            desired = desired_index(entity, store, sharing, store_tally, inputs.progress)
            part = plan_export_entity(inp, desired)
        out.add([Direction.EXPORT], entity, part)


def _plan_two_way(
    inputs: PlanInputs, out: _Collected, store_tally: Tally, app_tally: Tally
) -> None:
    act, store = inputs.activation, inputs.store
    sharing = inputs.sharing(Scope.of(act))
    _two_way_orgs(sharing, store, inputs.app)
    for entity in sharing.scope.entities():
        if entity not in inputs.readable or entity not in inputs.writable:
            out.notes.append(f"{act.application} cannot both read and write {entity}: skipped")
            continue
        store_tally.add(entity)
        _prepare(inputs, sharing, entity)
        desired = desired_index(entity, store, sharing, store_tally, inputs.progress)
        part = plan_two_way_entity(
            TwoWayInputs(
                entity=entity,
                activation=act.name,
                app=inputs.app,
                store=store,
                sharing=sharing,
                policy=act.conflicts,
                store_tally=store_tally,
                app_tally=app_tally,
                progress=inputs.progress,
            ),
            desired,
        )
        out.add([Direction.IMPORT, Direction.EXPORT], entity, part)
        mark = inputs.app.watermark(entity)
        if mark:
            out.watermarks[entity] = mark


def _org_parents(app_orgs: list[Record], store: StoreSide | None) -> list[tuple[str, str | None]]:
    pairs: dict[str, str | None] = {}
    if store is not None:
        for rec in store.scan("orgs"):
            parent = rec.fields.get("parentSourcedId")
            pairs[rec.key] = parent if isinstance(parent, str) else None
    for org in app_orgs:
        if not org.deleted:
            parent = org.fields.get("parentSourcedId")
            pairs[org.key] = parent if isinstance(parent, str) else None
    return list(pairs.items())


def store_scope(activation: Activation, store: StoreSide) -> Scope:
    """The activation's scope with its schools decided from the store's orgs."""
    scope = Scope.of(activation)
    scope.set_orgs(_org_parents([], store))
    return scope


def _two_way_orgs(sharing: Sharing, store: StoreSide, app: AppSide) -> None:
    """For two-way, schools known on either side count (the application may bring a
    school the store does not have yet)."""
    orgs = read_orgs_in_app(app, sharing.fields)
    sharing.scope.set_orgs(_org_parents(orgs, store))


def _keep_owned(scope: Scope, entity: str, activation: str, store: StoreSide) -> None:
    """A delta lists only what changed: records owned from earlier syncs stay in scope."""
    if entity in ("courses", "classes", "users"):
        kept = scope.kept.setdefault(entity, set())
        for keys, _ in store.base_agreed(activation, entity):
            kept.update(keys)


def _summaries(
    collected: _Collected, changes: ChangeLog, suppressed: list[Suppressed]
) -> list[EntitySummary]:
    existing, conflicts = collected.existing, collected.conflicts
    counts = changes.tally()
    held = Counter((x.direction, x.entity) for x in suppressed)
    clashes = Counter(c.entity for c in conflicts)
    kept_back = Counter((h.direction, h.entity) for h in collected.held)
    outside = Counter[tuple[Direction, str]]()
    for out in collected.out_of_scope:
        outside[(out.direction, out.entity)] += out.count
    return [
        EntitySummary(
            direction=direction,
            entity=entity,
            create=counts.get((direction, entity, Action.CREATE), 0),
            update=counts.get((direction, entity, Action.UPDATE), 0),
            delete=counts.get((direction, entity, Action.DELETE), 0),
            link=counts.get((direction, entity, Action.LINK), 0)
            + counts.get((direction, entity, Action.FORGET), 0),
            suppressed=held[(direction, entity)],
            conflicts=clashes[entity] if direction is Direction.IMPORT else 0,
            existing=count,
            unchanged=collected.unchanged.get((direction, entity), 0),
            held=kept_back[(direction, entity)],
            out_of_scope=outside[(direction, entity)],
        )
        for (direction, entity), count in existing.items()
    ]


def order_changes(changes: Iterable[Change]) -> list[Change]:
    """Creates and updates in dependency order, then deletes in reverse dependency order
    (what a plan's `ChangeLog` yields, `spill.order_key`; kept as the plain statement)."""
    rank = {e: i for i, e in enumerate(ENTITIES)}
    writes = [c for c in changes if c.action is not Action.DELETE]
    deletes = [c for c in changes if c.action is Action.DELETE]
    writes.sort(key=lambda c: (rank[c.entity], c.direction, c.key))
    deletes.sort(key=lambda c: (-rank[c.entity], c.direction, c.key))
    return writes + deletes
