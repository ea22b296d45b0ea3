"""The export direction: store -> application, in application ids, owned through the base."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from memory_app import MemoryApp, activation, district, make_plan, run_apply

from passport.mapping.fields import OneRosterFields, SchoolIds
from passport.model import Action, Mode, Plan
from passport.store import Store, open_store


def loaded_store(store: Store) -> MemoryApp:
    sis = MemoryApp()
    district(sis, "0001")
    act = activation("sis")
    run_apply(act, sis, store, make_plan(act, sis, store))
    return sis


def test_export_creates_records_in_application_ids(store: Store) -> None:
    loaded_store(store)
    app = MemoryApp()
    act = activation("lms", Mode.EXPORT, schools=(("L-1", "lincoln"),))
    plan = make_plan(act, app, store)
    assert {c.action for c in plan.changes} == {Action.CREATE}
    assert len([c for c in plan.changes if c.entity == "users"]) == 3
    outcome = run_apply(act, app, store, plan)
    assert not outcome.errors
    assert set(app.records["orgs"]) == {"district", "L-1"}
    assert app.records["classes"]["k1"].fields["schoolSourcedId"] == "L-1"
    assert app.records["users"]["s1"].fields["orgSourcedIds"] == ["L-1"]
    assert make_plan(act, app, store).changes == ()


def test_export_follows_store_changes_and_leaves_foreign_records(store: Store) -> None:
    sis = loaded_store(store)
    app = MemoryApp()
    app.put("users", "lms-only", role="teacher", orgSourcedIds=["L-1"])  # not ours
    act = activation("lms", Mode.EXPORT, schools=(("L-1", "lincoln"),))
    run_apply(act, app, store, make_plan(act, app, store))
    sis.remove("users", "t1")
    sis.remove("enrollments", "e-t1")
    sis.put(
        "users",
        "s2",
        enabledUser="true",
        orgSourcedIds=["0001"],
        role="student",
        username="s2@x.org",
        givenName="Cyrus",
        familyName="Okafor",
    )
    importer = activation("sis")
    run_apply(importer, sis, store, make_plan(importer, sis, store))
    plan = make_plan(act, app, store)
    summary = sorted((c.action.value, c.entity, c.key) for c in plan.changes)
    assert summary == [
        ("delete", "enrollments", "e-t1"),
        ("delete", "users", "t1"),
        ("update", "users", "s2"),
    ]
    run_apply(act, app, store, plan)
    assert "lms-only" in app.records["users"]
    assert app.records["users"]["s2"].fields["givenName"] == "Cyrus"
    assert make_plan(act, app, store).changes == ()


def test_no_export_after_export_until(store: Store) -> None:
    loaded_store(store)
    act = activation("lms", Mode.EXPORT, export_until=date(2026, 6, 30))
    plan = make_plan(act, MemoryApp(), store)
    assert plan.changes == ()
    assert plan.notes == ("export_until 2026-06-30 has passed: nothing is exported",)


def test_a_failed_write_keeps_the_change_for_the_next_plan(store: Store) -> None:
    loaded_store(store)
    app = MemoryApp(fail_keys={"s2"})
    act = activation("lms", Mode.EXPORT, schools=(("L-1", "lincoln"),))
    outcome = run_apply(act, app, store, make_plan(act, app, store))
    assert [(e.entity, e.key, e.message) for e in outcome.errors] == [
        ("users", "s2", "refused by the application")
    ]
    app.fail_keys.clear()
    remaining = make_plan(act, app, store)
    assert [(c.action, c.entity, c.key) for c in remaining.changes] == [
        (Action.CREATE, "users", "s2")
    ]


# --- a first export, planned in one pass over the store ------------------------------


class Unlisted(MemoryApp):
    """A target that cannot list what it holds (a new bulk bundle, a delta target)."""

    def is_complete(self, entity: str) -> bool:
        return False


_people = st.dictionaries(
    st.text(alphabet="abz09é", min_size=1, max_size=4),
    st.tuples(st.sampled_from(["Ada", "", "Zoë"]), st.booleans(), st.booleans()),
    max_size=12,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_people, st.sampled_from([None, "1.1", "1.2"]))
def test_a_first_export_plans_what_comparing_with_an_empty_application_plans(
    people: dict[str, tuple[str, bool, bool]], version: str | None
) -> None:
    """The first export to a target that lists nothing plans creates straight from the
    store; the plan is the one the full comparison makes against an application that
    lists itself empty: the same changes, held records, counts and fingerprint."""
    sis = MemoryApp()
    district(sis, "0001")
    for key, (given_name, has_family, in_scope) in people.items():
        fields = {"enabledUser": "true", "role": "student", "username": f"{key}@x.org"}
        fields |= {"givenName": given_name} if given_name else {}
        fields |= {"familyName": "Okafor"} if has_family else {}
        sis.put("users", f"p{key}", orgSourcedIds=["0001" if in_scope else "0009"], **fields)
    importer = activation("sis")
    act = activation("lms", Mode.EXPORT, schools=(("L-1", "lincoln"),))
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(str(Path(tmp) / "store.db"))
        try:
            run_apply(importer, sis, store, make_plan(importer, sis, store))

            def plan(app: MemoryApp) -> Plan:
                rest = OneRosterFields(SchoolIds.of(act), version, rest=True) if version else None
                return make_plan(act, app, store, fields=rest)

            first, compared = plan(Unlisted()), plan(MemoryApp())
            assert list(first.changes) == list(compared.changes)
            assert first.held == compared.held
            assert first.summaries == compared.summaries
            assert first.suppressed == compared.suppressed
            assert first.fingerprint == compared.fingerprint
            held_users = {h.key for h in first.held if h.entity == "users"}
            assert held_users == {
                f"p{k}" for k, (g, f, s) in people.items() if s and version and not (g and f)
            }
        finally:
            store.close()
