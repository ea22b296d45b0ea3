"""A plan whose changes spill to disk is the plan held in memory: the same changes in the
same order, the same contract, and the same store once applied (plan/spill.py)."""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from memory_app import MemoryApp, activation, district, make_plan, run_apply

from passport.errors import PlanError
from passport.model import Action, Change, Direction, Held, Plan, Record
from passport.oneroster import ENTITIES
from passport.plan.builder import order_changes
from passport.plan.fingerprint import changes_total
from passport.plan.spill import ChangeLog
from passport.planfile.contract import contract_digest
from passport.render.json_plan import render_json
from passport.render.text import render_text
from passport.runs import plan_checksum
from passport.store import Store, open_store

KEY = b"k" * 32


@contextmanager
def spilling(at: int) -> Iterator[None]:
    """Plans made inside keep at most `at` changes in memory (and read in chunks of it)."""
    old = os.environ.get("PASSPORT_SPILL_AT")
    os.environ["PASSPORT_SPILL_AT"] = str(at)
    try:
        yield
    finally:
        if old is None:
            del os.environ["PASSPORT_SPILL_AT"]
        else:
            os.environ["PASSPORT_SPILL_AT"] = old


# --- the log itself -----------------------------------------------------------------

_changes = st.builds(
    Change,
    entity=st.sampled_from(ENTITIES),
    key=st.text(alphabet="ab\x00é\U0001f600", max_size=3),
    action=st.sampled_from(list(Action)),
    direction=st.sampled_from(list(Direction)),
    after=st.none() | st.dictionaries(st.sampled_from(["a", "b"]), st.text(max_size=2)),
    changed=st.lists(st.sampled_from(["a", "b"]), max_size=2).map(tuple),
    reason=st.text(max_size=2),
)


@given(st.lists(_changes, max_size=60), st.integers(1, 7))
def test_a_log_yields_what_order_changes_gives_however_it_spills(
    items: list[Change], at: int
) -> None:
    log = ChangeLog(spill_at=at)
    half = ChangeLog(spill_at=at)
    for n, change in enumerate(items):
        (log if n % 2 == 0 else half).append(change)
    log.absorb(half)
    expected = order_changes(items)  # ties: in the order the changes were made
    assert list(log) == expected
    assert list(log) == expected  # read again: the same
    assert len(log) == len(items)
    assert log.counts() == Counter(c.action for c in items)
    assert log.total() == changes_total(items) == changes_total(reversed(items))
    if items:  # one change fewer is another plan
        assert changes_total(items[1:]) != log.total()
    for entity in ENTITIES:
        for direction in Direction:
            mine = [c for c in expected if c.entity == entity and c.direction is direction]
            assert list(log.of(entity, direction)) == mine
        writes = [c for c in expected if c.entity == entity and c.direction is Direction.EXPORT]
        writes = [c for c in writes if c.writes_data]
        names = {n for c in writes for n in c.agreed_fields() or ()}
        assert log.writes_of(entity, Direction.EXPORT) == (len(writes), names)
    log.close()


@given(st.lists(_changes, max_size=40), st.integers(1, 7), st.sets(st.text("ab", max_size=3)))
def test_withdrawn_records_are_gone_from_the_log_and_its_counts(
    items: list[Change], at: int, keys: set[str]
) -> None:
    log = ChangeLog(items, spill_at=at)
    log.withdraw("users", Direction.IMPORT, keys)
    kept = [
        c
        for c in items
        if not (
            c.entity == "users"
            and c.direction is Direction.IMPORT
            and c.key in keys
            and c.action in (Action.CREATE, Action.UPDATE, Action.LINK)
        )
    ]
    assert list(log) == order_changes(kept)
    assert len(log) == len(kept)
    assert log.total() == changes_total(kept)
    log.close()


def test_the_spill_file_is_gone_from_the_file_system_as_soon_as_it_is_made(
    tmp_path: Path,
) -> None:
    old = tempfile.tempdir
    tempfile.tempdir = str(tmp_path)
    try:
        made = (Change("users", str(n), Action.CREATE, Direction.IMPORT) for n in range(9))
        log = ChangeLog(made, spill_at=2)
        assert log.spilled and len(log) == 9
        assert list(tmp_path.iterdir()) == []
        log.close()
    finally:
        tempfile.tempdir = old


# --- whole plans, spilled and not ----------------------------------------------------


@dataclass
class HoldingApp(MemoryApp):
    """A source that hands some records on and finds them wrong afterwards."""

    late: set[str] = field(default_factory=set)

    def held(self, entity: str) -> list[Held]:
        found = [k for k in self.records.get(entity, {}) if k in self.late]
        return [Held(entity, k, "found wrong after it was read", withdrawn=True) for k in found]


@dataclass(frozen=True)
class Day:
    users: dict[str, str]  # key -> given name
    late: frozenset[str]


_names = st.sampled_from(["Ada", "Ben", "Cy", "Dee"])
_users = st.dictionaries(st.sampled_from([f"u{n}" for n in range(24)]), _names, max_size=24)
_days = st.builds(
    Day, _users, st.frozensets(st.sampled_from([f"u{n}" for n in range(24)]), max_size=3)
)


def _source(day: Day) -> HoldingApp:
    app = HoldingApp(late=set(day.late))
    district(app)
    for key, given_name in day.users.items():
        school = "0002" if key.endswith("7") else "0001"  # out of scope: not mapped
        app.put(
            "users",
            key,
            enabledUser="true",
            orgSourcedIds=[school],
            role="student",
            username=f"{key}@x.org",
            givenName=given_name,
            familyName="Lund",
        )
        app.put(
            "enrollments",
            f"e-{key}",
            classSourcedId="k1",
            schoolSourcedId=school,
            userSourcedId=key,
            role="student",
        )
    return app


def _stores(tmp: str, others: dict[str, str]) -> tuple[Store, Store]:
    """Two stores alike: some users already imported by another activation."""
    stores = []
    for name in ("memory", "spilled"):
        store = open_store(str(Path(tmp) / f"{name}.db"))
        if others:
            app = _source(Day(others, frozenset()))
            act = activation("other")
            run_apply(act, app, store, make_plan(act, app, store))
        stores.append(store)
    return stores[0], stores[1]


def _same_plan(memory: Plan, spilled: Plan) -> None:
    assert list(spilled.changes) == list(memory.changes)
    assert len(spilled.changes) == len(memory.changes)
    assert contract_digest(KEY, spilled) == contract_digest(KEY, memory)
    assert spilled.summaries == memory.summaries
    assert spilled.suppressed == memory.suppressed
    assert spilled.held == memory.held
    assert spilled.fingerprint == memory.fingerprint
    assert plan_checksum(spilled) == plan_checksum(memory)
    assert spilled.sources == memory.sources
    for limit in (0, 1, 2, 50):  # read only as far as each group shows, when limited
        assert render_text(spilled, limit=limit) == render_text(memory, limit=limit)
    assert render_json([spilled], [], show_pii=False, single=True) == render_json(
        [memory], [], show_pii=False, single=True
    )


def _contents(store: Store) -> dict[str, object]:
    return {
        entity: sorted((r.key, r.digest) for r in store.scan(entity)) for entity in ENTITIES
    } | {
        f"base {entity}": sorted((b.key, b.digest) for b in store.base_scan("sis", entity))
        for entity in ENTITIES
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_users, st.lists(_days, min_size=1, max_size=2), st.integers(1, 5))
def test_a_spilled_plan_is_the_plan_in_memory_and_applies_alike(
    others: dict[str, str], days: list[Day], at: int
) -> None:
    act = activation()
    with tempfile.TemporaryDirectory() as tmp:
        in_memory, on_disk = _stores(tmp, others)
        try:
            for day in days:
                memory = make_plan(act, _source(day), in_memory)
                with spilling(at):
                    spilled = make_plan(act, _source(day), on_disk)
                _same_plan(memory, spilled)
                outcome = run_apply(act, _source(day), in_memory, memory)
                spilled_outcome = run_apply(act, _source(day), on_disk, spilled)
                assert spilled_outcome.run_counts() == outcome.run_counts()
                assert spilled_outcome.errors == outcome.errors
                assert _contents(on_disk) == _contents(in_memory)
        finally:
            in_memory.close()
            on_disk.close()


@dataclass
class ListsTwice(MemoryApp):
    """A source listing its first user again at the end."""

    def read(self, entity: str, keys: Collection[str] | None = None) -> Iterator[Record]:
        found = list(super().read(entity, keys))
        yield from [*found, found[0]] if entity == "users" else found


def test_a_record_listed_twice_is_refused_across_chunks(store: Store) -> None:
    app = ListsTwice()
    district(app)
    with spilling(1), pytest.raises(PlanError, match="lists users 't1' twice"):
        make_plan(activation(), app, store)


def test_a_record_listed_twice_is_refused_when_it_is_unchanged(store: Store) -> None:
    # The first listing matches the base (nothing handed on), so the second must not pass
    # as a create of a record the store already holds.
    act = activation()
    once = MemoryApp()
    district(once)
    run_apply(act, once, store, make_plan(act, once, store))
    twice = ListsTwice()
    district(twice)
    with pytest.raises(PlanError, match="lists users 't1' twice"):
        make_plan(act, twice, store)
