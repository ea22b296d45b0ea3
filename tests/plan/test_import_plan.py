"""The import direction on a real SQLite store: scope, ownership, deltas, windows, safety."""

from __future__ import annotations

from datetime import date

from memory_app import MemoryApp, activation, district, make_plan, run_apply

from passport.model import Action, Filter, Limit, Record, Safety, Window
from passport.oneroster import ENTITIES
from passport.store import Store


def keys(plan, action: Action, entity: str | None = None) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(
        c.key for c in plan.changes if c.action is action and (entity is None or c.entity == entity)
    )


def test_first_import_creates_what_the_mapping_shares_with_store_ids(store: Store) -> None:
    app = MemoryApp()
    district(app, "0001")
    district(app, "0002", prefix="b-")  # a school the activation does not map
    plan = make_plan(activation(), app, store)
    assert keys(plan, Action.CREATE, "orgs") == ["district", "lincoln"]
    assert keys(plan, Action.CREATE, "users") == ["s1", "s2", "t1"]
    assert keys(plan, Action.CREATE, "enrollments") == ["e-s1", "e-s2", "e-t1"]
    assert keys(plan, Action.CREATE, "demographics") == ["s1"]
    klass = next(c for c in plan.changes if c.key == "k1")
    assert klass.after is not None and klass.after["schoolSourcedId"] == "lincoln"
    assert not keys(plan, Action.DELETE)


def test_apply_then_replan_is_empty(store: Store) -> None:
    app = MemoryApp()
    district(app)
    act = activation()
    outcome = run_apply(act, app, store, make_plan(act, app, store))
    assert not outcome.errors
    assert store.count("users") == 3
    assert store.get("orgs", ["lincoln"])["lincoln"].fields["name"] == "School 0001"
    assert make_plan(act, app, store).changes == ()


def test_changes_show_only_changed_fields_and_exact_sets(store: Store) -> None:
    app = MemoryApp()
    district(app)
    act = activation()
    run_apply(act, app, store, make_plan(act, app, store))
    app.put(
        "users",
        "s2",
        enabledUser="true",
        orgSourcedIds=["0001"],
        role="student",
        username="s2@x.org",
        givenName="Cyrus",
        familyName="Okafor",
    )
    app.remove("users", "t1")
    app.remove("enrollments", "e-t1")
    app.put(
        "users",
        "s3",
        enabledUser="true",
        orgSourcedIds=["0001"],
        role="student",
        username="s3@x.org",
        givenName="Dee",
        familyName="Lund",
    )
    plan = make_plan(act, app, store)
    update = next(c for c in plan.changes if c.action is Action.UPDATE)
    assert (update.key, update.changed) == ("s2", ("givenName",))
    assert update.before == {"givenName": "Cy"} and update.after == {"givenName": "Cyrus"}
    assert keys(plan, Action.CREATE) == ["s3"]
    assert keys(plan, Action.DELETE) == ["e-t1", "t1"]
    # deletes run in reverse dependency order: the enrollment before its user
    order = [c.key for c in plan.changes if c.action is Action.DELETE]
    assert order == ["e-t1", "t1"]
    run_apply(act, app, store, plan)
    assert make_plan(act, app, store).changes == ()
    assert "t1" not in store.get("users", ["t1"])


def test_import_never_deletes_what_another_activation_owns(store: Store) -> None:
    first, second = MemoryApp(), MemoryApp()
    district(first)
    district(second, prefix="x-")
    sis, other = activation("sis"), activation("other")
    run_apply(sis, first, store, make_plan(sis, first, store))
    run_apply(other, second, store, make_plan(other, second, store))
    assert store.count("users") == 6
    second.records["users"].clear()
    second.records["enrollments"].clear()
    second.records["demographics"].clear()
    plan = make_plan(other, second, store)
    assert keys(plan, Action.DELETE, "users") == ["x-s1", "x-s2", "x-t1"]
    assert "s1" not in keys(plan, Action.DELETE)


def test_a_record_owned_by_another_activation_is_held_not_taken(store: Store) -> None:
    first, second = MemoryApp(), MemoryApp()
    district(first)
    district(second)
    second.put(
        "users",
        "s1",
        enabledUser="true",
        orgSourcedIds=["0001"],
        role="student",
        username="s1@x.org",
        givenName="Benedict",
        familyName="Okafor",
    )
    sis, other = activation("sis"), activation("other")
    run_apply(sis, first, store, make_plan(sis, first, store))
    plan = make_plan(other, second, store)
    held = {x.key: x.reason for x in plan.suppressed}
    assert held["s1"] == "owned by activation sis"
    assert "s1" not in keys(plan, Action.UPDATE)


def test_delta_deletes_only_marked_records(store: Store) -> None:
    app = MemoryApp()
    district(app)
    act = activation()
    run_apply(act, app, store, make_plan(act, app, store))
    delta = MemoryApp(delta=set(ENTITIES))
    delta.records["enrollments"] = {}
    delta.records["enrollments"]["e-s2"] = Record("e-s2", {}, deleted=True)
    plan = make_plan(act, delta, store)
    assert keys(plan, Action.DELETE) == ["e-s2"]
    assert not keys(plan, Action.CREATE) and not keys(plan, Action.UPDATE)


def test_attributes_limit_what_is_compared_and_written(store: Store) -> None:
    app = MemoryApp()
    district(app)
    act = activation(
        attributes={
            "orgs": "all",
            "academicSessions": "all",
            "courses": "all",
            "classes": "all",
            "users": ("role", "orgSourcedIds", "enabledUser"),
            "enrollments": "all",
        }
    )
    plan = make_plan(act, app, store)
    user = next(c for c in plan.changes if c.key == "s1" and c.entity == "users")
    assert set(user.after or {}) == {"role", "orgSourcedIds", "enabledUser"}
    assert not [c for c in plan.changes if c.entity == "demographics"]
    run_apply(act, app, store, plan)
    app.put(
        "users",
        "s1",
        enabledUser="true",
        orgSourcedIds=["0001"],
        role="student",
        username="changed@x.org",
        givenName="Changed",
        familyName="Changed",
    )
    assert make_plan(act, app, store).changes == ()


def test_filters_keep_only_matching_records_and_their_dependants(store: Store) -> None:
    app = MemoryApp()
    district(app)
    act = activation(filters=(Filter("users", "role", "equals", "student"),))
    plan = make_plan(act, app, store)
    assert keys(plan, Action.CREATE, "users") == ["s1", "s2"]
    assert keys(plan, Action.CREATE, "enrollments") == ["e-s1", "e-s2"]


def test_rollover_window_holds_deletes_with_the_reason(store: Store) -> None:
    app = MemoryApp()
    district(app)
    window = Window("no-deletes", date(2026, 11, 1), date(2026, 12, 31), "year-end rollover")
    act = activation(rollover=(window,))
    run_apply(act, app, store, make_plan(act, app, store))
    app.remove("enrollments", "e-s1")
    plan = make_plan(act, app, store)
    assert not plan.changes
    assert [x.key for x in plan.suppressed] == ["e-s1"]
    assert "year-end rollover" in plan.suppressed[0].reason
    later = make_plan(act, app, store, today=date(2027, 1, 5))
    assert keys(later, Action.DELETE) == ["e-s1"]


def test_safety_reports_a_mass_delete(store: Store) -> None:
    app = MemoryApp()
    for n in range(40):
        app.put("orgs", "0001", name="School", type="school")
        app.put(
            "users",
            f"u{n:02}",
            enabledUser="true",
            orgSourcedIds=["0001"],
            role="student",
            username=f"u{n}",
            givenName="A",
            familyName="B",
        )
    act = activation(safety=Safety(max_delete=Limit(10, True), min_existing=10))
    run_apply(act, app, store, make_plan(act, app, store))
    for n in range(20):
        app.remove("users", f"u{n:02}")
    plan = make_plan(act, app, store)
    assert plan.blocked
    assert str(plan.breaches[0]) == (
        "import users: 20 deletes is 50.0% of 40 existing, over the 10% limit"
    )
