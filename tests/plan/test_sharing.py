"""The mapping floor as the plan and apply use it: a plan shows the records as the
application will hold them, and apply carries a plan out without working anything out
again (no second read of the application, no scope of its own)."""

from __future__ import annotations

from memory_app import MemoryApp, activation, district, make_plan, run_apply

from passport.model import Action, Direction, Mode, Record
from passport.planfile.document import plan_dict
from passport.store import Store

SCHOOLS = (("L-1", "lincoln"), ("W-2", "washington"))


def imported(store: Store) -> MemoryApp:
    sis = MemoryApp()
    district(sis, "0001")
    sis.put("orgs", "0002", name="Washington", type="school", parentSourcedId="district")
    act = activation("sis", schools=(("0001", "lincoln"), ("0002", "washington")))
    run_apply(act, sis, store, make_plan(act, sis, store))
    return sis


def test_an_export_plan_shows_the_application_ids_and_keys(store: Store) -> None:
    imported(store)
    act = activation("lms", Mode.EXPORT, schools=SCHOOLS)
    plan = make_plan(act, MemoryApp(), store)
    by_key = {(c.entity, c.key): c for c in plan.changes}
    school = by_key[("orgs", "lincoln")]
    assert (school.app_key, school.target_key) == ("L-1", "L-1")
    assert by_key[("classes", "k1")].after["schoolSourcedId"] == "L-1"  # type: ignore[index]
    assert by_key[("users", "s1")].after["orgSourcedIds"] == ["L-1"]  # type: ignore[index]
    # The school a record counts under stays the store's.
    assert by_key[("classes", "k1")].school == "lincoln"
    assert by_key[("users", "s1")].app_key == ""


def test_apply_writes_what_the_plan_says_without_reading_the_application(store: Store) -> None:
    imported(store)
    app = MemoryApp()
    act = activation("lms", Mode.EXPORT, schools=SCHOOLS)
    run_apply(act, app, store, make_plan(act, app, store))
    # A store change: the user moves to Washington.
    sis = imported(store)
    rec = sis.records["users"]["s1"]
    sis.records["users"]["s1"] = Record("s1", {**rec.fields, "orgSourcedIds": ["0002"]})
    importer = activation("sis", schools=(("0001", "lincoln"), ("0002", "washington")))
    run_apply(importer, sis, store, make_plan(importer, sis, store))
    plan = make_plan(act, app, store)
    [move] = [c for c in plan.changes if c.entity == "users"]
    assert (move.action, move.before, move.after) == (
        Action.UPDATE,
        {"orgSourcedIds": ["L-1"]},
        {"orgSourcedIds": ["W-2"]},
    )
    app.writes.clear()
    app.sealed = True
    outcome = run_apply(act, app, store, plan)
    assert not outcome.errors
    [op] = app.writes
    # The whole record is written, in the application's ids.
    assert op.key == "s1" and op.fields is not None
    assert op.fields["orgSourcedIds"] == ["W-2"] and op.fields["givenName"] == "Ben"
    app.sealed = False
    assert make_plan(act, app, store).changes == ()


def test_a_school_change_made_in_the_application_comes_in_as_store_ids(store: Store) -> None:
    imported(store)
    lms = MemoryApp()
    act = activation("lms", Mode.TWO_WAY, schools=SCHOOLS)
    run_apply(act, lms, store, make_plan(act, lms, store))
    rec = lms.records["users"]["s2"]
    lms.records["users"]["s2"] = Record("s2", {**rec.fields, "orgSourcedIds": ["W-2"]})
    plan = make_plan(act, lms, store)
    [move] = plan.changes
    assert (move.direction, move.action, move.after) == (
        Direction.IMPORT,
        Action.UPDATE,
        {"orgSourcedIds": ["washington"]},
    )
    lms.sealed = True
    assert not run_apply(act, lms, store, plan).errors
    assert store.get("users", ["s2"])["s2"].fields["orgSourcedIds"] == ["washington"]
    lms.sealed = False
    assert make_plan(act, lms, store).changes == ()


def test_the_json_plan_names_the_application_key(store: Store) -> None:
    imported(store)
    act = activation("lms", Mode.EXPORT, schools=SCHOOLS)
    body = plan_dict(make_plan(act, MemoryApp(), store))
    keys = {(c["entity"], c["key"]): c["app_key"] for c in body["changes"]}
    assert keys[("orgs", "lincoln")] == "L-1"
    assert keys[("orgs", "district")] is None
    assert keys[("users", "s1")] is None
