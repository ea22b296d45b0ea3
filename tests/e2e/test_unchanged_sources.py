"""An import plan skips the source files that did not change since the last apply
(passport/plan/unchanged.py), and the plan it makes is the plan that reading them would
make: on random bundles with and without defects, the skipping plan and `--full` agree on
every change, held record, suppressed record and count. A store that moved since (another
writer), a changed file, or a changed file upstream means reading again."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_accounting import CONFIG, Bundle, bundles, shapes

from passport import runner
from passport.model import Plan
from passport.store import open_store

READ_ALWAYS = ["orgs"]  # read before anything else: the schools in scope rest on them
ALL = ["orgs", "academicSessions", "courses", "classes", "users", "enrollments"]


def _write(folder: Path, bundle: Bundle, mapped: list[str]) -> Path:
    bundle.write(folder / "bundle")
    schools = "\n".join(f"    - {{app: {s}, store: {s}}}" for s in mapped)
    config = folder / "configs" / "sis.yaml"
    config.parent.mkdir(exist_ok=True)
    config.write_text(CONFIG.format(bundle=folder / "bundle", schools=schools))
    return config


def _settings(folder: Path, full: bool = False) -> runner.Settings:
    return runner.Settings(
        store_url=str(folder / "store.db"), configs_dir=str(folder / "configs"), full=full
    )


def _apply(folder: Path, config: Path) -> None:
    runner.apply(str(config), _settings(folder), runner.ApplyOptions(force=True))


def _plan(folder: Path, config: Path, full: bool = False) -> Plan:
    return runner.plan(config, _settings(folder, full))


def _shown(plan: Plan) -> dict[str, Any]:
    """Everything a reviewer reads of a plan, but its fingerprint and what was not read."""
    return {
        "changes": [(c.entity, c.key, c.action, c.before, c.after, c.reason) for c in plan.changes],
        "held": plan.held,
        "suppressed": plan.suppressed,
        "summaries": plan.summaries,
        "out_of_scope": plan.out_of_scope,
        "breaches": plan.breaches,
        "warnings": plan.warnings,
    }


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_skipping_unchanged_files_plans_as_reading_them(data: st.DataObject) -> None:
    """Applied once or twice, then planned on the same bundle or a changed one (random
    defects in both): the plan that skips unchanged files is the plan that reads them."""
    shape = data.draw(shapes)
    first, mapped = data.draw(bundles(shape))
    same = data.draw(st.booleans())
    second = first if same else data.draw(bundles(shape))[0]
    twice = data.draw(st.booleans())
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        config = _write(folder, first, mapped)
        _apply(folder, config)
        if twice:
            _apply(folder, config)
        _write(folder, second, mapped)
        skipping, full = _plan(folder, config), _plan(folder, config, full=True)
        assert _shown(skipping) == _shown(full)
        assert full.unread == ()
        assert not set(skipping.unread) & set(READ_ALWAYS)


def _clean(folder: Path) -> Path:
    rows = {
        "orgs": [
            {"sourcedId": "d", "name": "D", "type": "district"},
            {"sourcedId": "s0", "name": "S0", "type": "school", "parentSourcedId": "d"},
        ],
        "academicSessions": [
            {"sourcedId": "t", "title": "T", "type": "term", "startDate": "2024-08-01",
             "endDate": "2025-06-01", "schoolYear": "2025"},
        ],
        "courses": [{"sourcedId": "c0", "title": "C0", "orgSourcedId": "s0"}],
        "classes": [
            {"sourcedId": "k0", "title": "K0", "courseSourcedId": "c0", "classType": "scheduled",
             "schoolSourcedId": "s0", "termSourcedIds": "t"},
        ],
        "users": [
            {"sourcedId": f"u{n}", "enabledUser": "true", "orgSourcedIds": "s0",
             "role": "student", "username": f"u{n}", "givenName": "G", "familyName": "F"}
            for n in range(3)
        ],
        "enrollments": [
            {"sourcedId": f"e{n}", "classSourcedId": "k0", "schoolSourcedId": "s0",
             "userSourcedId": f"u{n}", "role": "student", "primary": "false"}
            for n in range(3)
        ],
    }  # fmt: skip
    return _write(folder, Bundle(rows=rows), ["s0"])


def test_nothing_changed_reads_nothing_but_the_orgs(tmp_path: Path) -> None:
    config = _clean(tmp_path)
    _apply(tmp_path, config)
    plan = _plan(tmp_path, config)
    assert list(plan.unread) == [e for e in ALL if e not in READ_ALWAYS]
    assert not plan.changes
    full = _plan(tmp_path, config, full=True)
    assert full.unread == ()
    assert _shown(plan) == _shown(full)
    assert {s.entity: s.unchanged for s in plan.summaries}["users"] == 3


def test_a_changed_file_is_read_again_with_everything_after_it(tmp_path: Path) -> None:
    config = _clean(tmp_path)
    _apply(tmp_path, config)
    classes = tmp_path / "bundle" / "classes.csv"
    classes.write_text(classes.read_text().replace("K0", "K0 renamed"))
    plan = _plan(tmp_path, config)
    # users do not refer to classes, but everything after a changed file is read again
    assert list(plan.unread) == ["academicSessions", "courses"]
    assert [(c.entity, c.key, c.action.value) for c in plan.changes] == [
        ("classes", "k0", "update")
    ]


def test_a_store_that_moved_is_read_again(tmp_path: Path) -> None:
    """Another writer changed a user in the store: the file is the same, but the plan
    reads users again and puts the source's value back."""
    config = _clean(tmp_path)
    _apply(tmp_path, config)
    store = open_store(str(tmp_path / "store.db"))
    try:
        with store.transaction() as tx:
            tx.put("users", "u1", {**store.get("users", ["u1"])["u1"].fields, "givenName": "X"})
    finally:
        store.close()
    plan = _plan(tmp_path, config)
    assert "users" not in plan.unread
    assert "enrollments" in plan.unread  # its own stamp did not move
    assert [(c.entity, c.key, c.action.value) for c in plan.changes] == [("users", "u1", "update")]


def test_held_records_are_read_and_listed_every_time(tmp_path: Path) -> None:
    config = _clean(tmp_path)
    users = tmp_path / "bundle" / "users.csv"
    users.write_text(users.read_text().replace("u2,,,true", "u2,,yesterday,true"))
    _apply(tmp_path, config)
    for _ in range(2):
        plan = _plan(tmp_path, config)
        assert [(h.entity, h.key) for h in plan.held] == [("users", "u2"), ("enrollments", "e2")]
        assert "users" not in plan.unread and "enrollments" not in plan.unread
        _apply(tmp_path, config)


def test_a_remembered_file_needs_the_stamp_this_store_saw(tmp_path: Path) -> None:
    """A write by another store connection between a plan's read and its apply's end means
    the apply remembers nothing (the next plan reads the entity again)."""
    from passport.model import SourceMark

    url = str(tmp_path / "store.db")
    mine, other = open_store(url), open_store(url)
    try:
        mine.stamp("users")
        with other.transaction() as tx:
            tx.put("users", "u9", {"givenName": "Z"})
        assert mine.remember_sources("sis", [SourceMark("users", "abc", "{}")]) == []
        mine.stamp("users")
        with mine.transaction() as tx:
            tx.put("users", "u9", {"givenName": "Y"})
        assert mine.remember_sources("sis", [SourceMark("users", "abc", "{}")]) == ["users"]
        assert mine.source_digest("sis", "users") == ("abc", mine.stamp("users"), "{}")
    finally:
        mine.close()
        other.close()


def test_a_hand_edit_of_the_store_is_seen_by_full(tmp_path: Path) -> None:
    """SQL run on the store by hand moves no stamp: the skipping plan does not see it (as
    docs/stores.md says), `--full` reads every row and puts the source's value back."""
    import sqlite3

    config = _clean(tmp_path)
    _apply(tmp_path, config)
    with sqlite3.connect(tmp_path / "store.db") as db:
        db.execute("UPDATE records SET digest = 'edited' WHERE entity = 'users' AND key = 'u1'")
    assert not _plan(tmp_path, config).changes
    full = _plan(tmp_path, config, full=True)
    assert [(c.entity, c.key, c.action.value) for c in full.changes] == [("users", "u1", "link")]


def test_nothing_is_skipped_while_the_schools_come_from_the_store(tmp_path: Path) -> None:
    """Without orgs.csv the schools in scope are the store's orgs, which another
    activation may change: no file is skipped then."""
    config = _clean(tmp_path)
    _apply(tmp_path, config)
    (tmp_path / "bundle" / "orgs.csv").unlink()
    _apply(tmp_path, config)
    assert _plan(tmp_path, config).unread == ()


def test_changes_a_rollover_window_held_back_are_planned_once_it_ends(tmp_path: Path) -> None:
    """Applied during a no-deletes window, the deletes it held back are not remembered as
    settled: after the window, with the same files, the plan reads them and deletes."""
    config = _clean(tmp_path)
    window = "rollover:\n  - {kind: no-deletes, from: 2027-06-15, until: 2027-08-15}\n"
    config.write_text(config.read_text() + window)
    _apply(tmp_path, config)
    users = tmp_path / "bundle" / "users.csv"
    users.write_text("".join(line for line in users.open() if not line.startswith("u2,")))
    enrollments = tmp_path / "bundle" / "enrollments.csv"
    enrollments.write_text("".join(r for r in enrollments.open() if not r.startswith("e2,")))

    def at(day: str, full: bool = False) -> runner.Settings:
        return replace(_settings(tmp_path, full), today=date.fromisoformat(day))

    runner.apply(str(config), at("2027-07-01"), runner.ApplyOptions(force=True))
    after = runner.plan(config, at("2027-09-01"))
    assert [(c.entity, c.key, c.action.value) for c in after.changes] == [
        ("enrollments", "e2", "delete"),
        ("users", "u2", "delete"),
    ]
    assert _shown(after) == _shown(runner.plan(config, at("2027-09-01", full=True)))
