"""Two-way sync: the three-way comparison per record and field, under every policy."""

from __future__ import annotations

import pytest
from memory_app import MemoryApp, activation, district, make_plan, run_apply

from passport.mapping.shield import PrivacyShield
from passport.model import Action, Activation, ConflictPolicy, Direction, Mode, Record, Shield
from passport.oneroster import ENTITIES
from passport.store import Store

POLICIES = list(ConflictPolicy)


def two_way(policy: ConflictPolicy = ConflictPolicy.STORE_WINS, **kw: object) -> Activation:
    return activation("lms", Mode.TWO_WAY, schools=(("L-1", "lincoln"),), conflicts=policy, **kw)


class World:
    """A store fed by an SIS import, and an LMS synced two-way, both already in step."""

    def __init__(self, store: Store, policy: ConflictPolicy = ConflictPolicy.STORE_WINS) -> None:
        self.store = store
        self.sis, self.lms = MemoryApp(), MemoryApp()
        district(self.sis)
        self.importer, self.act = activation("sis"), two_way(policy)
        self.sync_sis()
        first = self.plan()
        assert {c.action for c in first.changes} == {Action.CREATE}
        assert {c.direction for c in first.changes} == {Direction.EXPORT}
        self.apply(first)
        assert self.plan().changes == ()

    def sync_sis(self) -> None:
        run_apply(
            self.importer, self.sis, self.store, make_plan(self.importer, self.sis, self.store)
        )

    def plan(self):  # type: ignore[no-untyped-def]
        return make_plan(self.act, self.lms, self.store)

    def apply(self, plan) -> None:  # type: ignore[no-untyped-def]
        outcome = run_apply(self.act, self.lms, self.store, plan)
        assert not outcome.errors

    def store_edit(self, key: str, **fields: str) -> None:
        rec = self.sis.records["users"][key]
        when = "2026-11-01T00:00:00Z"
        self.sis.records["users"][key] = Record(key, {**rec.fields, **fields}, when)
        self.sync_sis()

    def app_edit(self, key: str, modified: str | None = None, **fields: str) -> None:
        rec = self.lms.records["users"][key]
        self.lms.records["users"][key] = Record(key, {**rec.fields, **fields}, modified)

    def stored(self, key: str) -> dict[str, object]:
        return dict(self.store.get("users", [key])[key].fields)

    def converge(self) -> None:
        self.apply(self.plan())
        assert self.plan().changes == ()


def moves(plan) -> list[tuple[str, str, str, tuple[str, ...]]]:  # type: ignore[no-untyped-def]
    return sorted((c.direction.value, c.action.value, c.key, c.changed) for c in plan.changes)


def test_a_store_change_flows_out(store: Store) -> None:
    w = World(store)
    w.store_edit("s1", givenName="Benjamin")
    assert moves(w.plan()) == [("export", "update", "s1", ("givenName",))]
    w.converge()
    assert w.lms.records["users"]["s1"].fields["givenName"] == "Benjamin"


def test_an_app_change_flows_in(store: Store) -> None:
    w = World(store)
    w.app_edit("s1", familyName="Okafor-Lund")
    assert moves(w.plan()) == [("import", "update", "s1", ("familyName",))]
    w.converge()
    assert w.stored("s1")["familyName"] == "Okafor-Lund"


def test_different_fields_changed_on_each_side_merge_without_conflict(store: Store) -> None:
    w = World(store)
    w.store_edit("s1", givenName="Benjamin")
    w.app_edit("s1", familyName="Okafor-Lund")
    plan = w.plan()
    assert plan.conflicts == ()
    assert moves(plan) == [
        ("export", "update", "s1", ("givenName",)),
        ("import", "update", "s1", ("familyName",)),
    ]
    w.converge()
    assert w.stored("s1")["familyName"] == "Okafor-Lund"
    assert w.lms.records["users"]["s1"].fields["givenName"] == "Benjamin"


def test_the_same_change_on_both_sides_is_no_conflict(store: Store) -> None:
    w = World(store)
    w.store_edit("s1", givenName="Benjamin")
    w.app_edit("s1", givenName="Benjamin")
    plan = w.plan()
    assert plan.conflicts == () and not plan.blocked
    assert [c.action for c in plan.changes] == [Action.LINK]


@pytest.mark.parametrize(
    ("policy", "expected", "store_value", "app_value"),
    [
        (ConflictPolicy.STORE_WINS, ("export", "update", "s1", ("givenName",)), "Sb", "Sb"),
        (ConflictPolicy.APP_WINS, ("import", "update", "s1", ("givenName",)), "Ab", "Ab"),
        (ConflictPolicy.NEWEST, ("import", "update", "s1", ("givenName",)), "Ab", "Ab"),
    ],
)
def test_one_field_changed_differently_is_settled_by_the_policy(
    store: Store, policy: ConflictPolicy, expected: tuple, store_value: str, app_value: str
) -> None:
    w = World(store, policy)
    w.store_edit("s1", givenName="Sb")
    w.app_edit("s1", modified="2099-01-01T00:00:00Z", givenName="Ab")
    plan = w.plan()
    assert moves(plan) == [expected]
    (conflict,) = plan.conflicts
    assert (conflict.kind, conflict.fields) == ("field", ("givenName",))
    assert conflict.resolution.startswith(policy.value) and not plan.blocked
    w.converge()
    assert w.stored("s1")["givenName"] == store_value
    assert w.lms.records["users"]["s1"].fields["givenName"] == app_value


def test_newest_without_dates_keeps_the_store_value(store: Store) -> None:
    w = World(store, ConflictPolicy.NEWEST)
    w.store_edit("s1", givenName="Sb")
    w.app_edit("s1", givenName="Ab")
    plan = w.plan()
    assert moves(plan) == [("export", "update", "s1", ("givenName",))]
    assert "lacks dateLastModified" in plan.conflicts[0].resolution


def test_stop_lists_the_conflict_and_blocks(store: Store) -> None:
    w = World(store, ConflictPolicy.STOP)
    w.store_edit("s1", givenName="Sb")
    w.app_edit("s1", givenName="Ab")
    plan = w.plan()
    (conflict,) = plan.conflicts
    assert conflict.blocking and plan.blocked
    assert (conflict.store, conflict.app, conflict.base) == (
        {"givenName": "Sb"},
        {"givenName": "Ab"},
        {"givenName": "Ben"},
    )


def test_an_app_delete_of_an_unchanged_record_deletes_it_in_the_store(store: Store) -> None:
    w = World(store)
    del w.lms.records["enrollments"]["e-s2"]
    assert moves(w.plan()) == [("import", "delete", "e-s2", ())]
    w.converge()
    assert w.store.get("enrollments", ["e-s2"]) == {}


def test_a_store_delete_of_an_unchanged_record_deletes_it_in_the_app(store: Store) -> None:
    w = World(store)
    del w.sis.records["enrollments"]["e-s2"]
    w.sync_sis()
    assert moves(w.plan()) == [("export", "delete", "e-s2", ())]
    w.converge()
    assert "e-s2" not in w.lms.records["enrollments"]


@pytest.mark.parametrize(
    ("policy", "expected", "blocked"),
    [
        (ConflictPolicy.STORE_WINS, [("export", "create", "s1", ())], False),
        (ConflictPolicy.NEWEST, [("export", "create", "s1", ())], False),
        (ConflictPolicy.APP_WINS, [("import", "delete", "s1", ())], False),
        (ConflictPolicy.STOP, [], True),
    ],
)
def test_store_update_against_app_delete(
    store: Store, policy: ConflictPolicy, expected: list, blocked: bool
) -> None:
    w = World(store, policy)
    w.store_edit("s1", givenName="Benjamin")
    del w.lms.records["users"]["s1"]
    plan = w.plan()
    assert [m for m in moves(plan) if m[2] == "s1"] == expected
    assert [(c.kind, c.key) for c in plan.conflicts] == [("update-delete", "s1")]
    assert plan.blocked is blocked


@pytest.mark.parametrize(
    ("policy", "expected", "blocked"),
    [
        (ConflictPolicy.STORE_WINS, [("export", "delete", "e-s2", ())], False),
        (ConflictPolicy.APP_WINS, [("import", "create", "e-s2", ())], False),
        (ConflictPolicy.NEWEST, [("import", "create", "e-s2", ())], False),
        (ConflictPolicy.STOP, [], True),
    ],
)
def test_app_update_against_store_delete(
    store: Store, policy: ConflictPolicy, expected: list, blocked: bool
) -> None:
    w = World(store, policy)
    rec = w.lms.records["enrollments"]["e-s2"]
    w.lms.records["enrollments"]["e-s2"] = Record("e-s2", {**rec.fields, "role": "aide"})
    del w.sis.records["enrollments"]["e-s2"]
    w.sync_sis()
    plan = w.plan()
    assert moves(plan) == expected
    assert [(c.kind, c.key) for c in plan.conflicts] == [("update-delete", "e-s2")]
    assert plan.blocked is blocked


def test_a_record_created_in_the_app_is_imported(store: Store) -> None:
    w = World(store)
    w.lms.put(
        "users",
        "new-1",
        enabledUser="true",
        orgSourcedIds=["L-1"],
        role="teacher",
        username="new1",
        givenName="Noor",
        familyName="Haddad",
    )
    assert moves(w.plan()) == [("import", "create", "new-1", ())]
    w.converge()
    assert w.stored("new-1")["orgSourcedIds"] == ["lincoln"]


@pytest.mark.parametrize("policy", POLICIES)
def test_first_sync_matches_by_key_and_applies_the_policy(
    store: Store, policy: ConflictPolicy
) -> None:
    sis, lms = MemoryApp(), MemoryApp()
    district(sis)
    district(lms, "L-1")
    lms.put(
        "users",
        "s1",
        enabledUser="true",
        orgSourcedIds=["L-1"],
        role="student",
        username="s1@x.org",
        givenName="Benny",
        familyName="Okafor",
    )
    importer = activation("sis")
    run_apply(importer, sis, store, make_plan(importer, sis, store))
    act = two_way(policy)
    plan = make_plan(act, lms, store)
    clashes = [(c.kind, c.key, c.fields) for c in plan.conflicts]
    assert ("both-created", "s1", ("givenName",)) in clashes
    links = {c.key for c in plan.changes if c.action is Action.LINK}
    assert {"s2", "t1", "e-s1"} <= links
    assert plan.blocked is (policy is ConflictPolicy.STOP)


def test_a_shielded_field_edited_in_the_app_is_neither_change_nor_conflict(store: Store) -> None:
    sis, lms = MemoryApp(), MemoryApp()
    district(sis)
    importer = activation("sis")
    run_apply(importer, sis, store, make_plan(importer, sis, store))
    act = two_way(shield=Shield(enabled=True, level=1, key="${env:K}"))
    shield = PrivacyShield(act.shield, "k")
    run_apply(act, lms, store, make_plan(act, lms, store, outgoing=shield))
    sent = lms.records["users"]["s1"].fields["familyName"]
    assert sent != "Okafor"
    rec = lms.records["users"]["s1"]
    lms.records["users"]["s1"] = Record("s1", {**rec.fields, "familyName": "Typed-In-LMS"})
    plan = make_plan(act, lms, store, outgoing=PrivacyShield(act.shield, "k"))
    assert plan.changes == () and plan.conflicts == ()
    assert store.get("users", ["s1"])["s1"].fields["familyName"] == "Okafor"


def test_a_delta_listing_leaves_out_what_did_not_change(store: Store) -> None:
    w = World(store)
    w.store_edit("s1", givenName="Benjamin")
    full = w.lms
    delta = MemoryApp(delta=set(ENTITIES))
    delta.put("users", "s2", **{**full.records["users"]["s2"].fields, "familyName": "Lund"})
    plan = make_plan(w.act, delta, store)
    assert moves(plan) == [
        ("export", "update", "s1", ("givenName",)),
        ("import", "update", "s2", ("familyName",)),
    ]
    run_apply(w.act, delta, store, plan)
    sent = delta.records["users"]["s1"].fields
    assert sent["givenName"] == "Benjamin" and sent["familyName"] == "Okafor"
    assert w.stored("s2")["familyName"] == "Lund"
