"""An expired privacy agreement closes exports the way export_until does, and says why."""

from __future__ import annotations

from datetime import date

from memory_app import MemoryApp, activation, district, make_plan, run_apply

from passport.model import Agreement, Direction, Mode
from passport.store import Store

CANVAS = Agreement(
    "configs/agreements/canvas.yaml", "Instructure", date(2024, 7, 1), date(2026, 6, 30)
)
CLOSED = (
    "the privacy agreement configs/agreements/canvas.yaml with Instructure expired on "
    "2026-06-30: nothing is exported"
)


def loaded_store(store: Store) -> MemoryApp:
    sis = MemoryApp()
    district(sis, "0001")
    act = activation("sis")
    run_apply(act, sis, store, make_plan(act, sis, store))
    return sis


def test_an_expired_agreement_stops_exports(store: Store) -> None:
    loaded_store(store)
    act = activation("lms", Mode.EXPORT, agreement=CANVAS)
    plan = make_plan(act, MemoryApp(), store, today=date(2026, 7, 1))
    assert plan.changes == ()
    assert plan.notes == (CLOSED,)


def test_the_last_day_of_the_agreement_still_exports(store: Store) -> None:
    loaded_store(store)
    act = activation("lms", Mode.EXPORT, agreement=CANVAS)
    plan = make_plan(act, MemoryApp(), store, today=date(2026, 6, 30))
    assert len(plan.changes) > 0 and plan.notes == ()


def test_two_way_holds_its_exports_and_still_imports(store: Store) -> None:
    loaded_store(store)
    app = MemoryApp()
    district(app, "0001", prefix="app-")
    act = activation("canvas", Mode.TWO_WAY, agreement=CANVAS)
    plan = make_plan(act, app, store, today=date(2027, 1, 1))
    assert plan.notes == (CLOSED,)
    assert {c.direction for c in plan.changes} == {Direction.IMPORT}
    held = [s for s in plan.suppressed if s.direction is Direction.EXPORT]
    assert held and {s.reason for s in held} == {CLOSED}


def test_export_until_is_said_first_when_both_have_passed(store: Store) -> None:
    loaded_store(store)
    act = activation("lms", Mode.EXPORT, agreement=CANVAS, export_until=date(2026, 1, 31))
    plan = make_plan(act, MemoryApp(), store, today=date(2026, 8, 1))
    assert plan.notes == ("export_until 2026-01-31 has passed: nothing is exported",)
