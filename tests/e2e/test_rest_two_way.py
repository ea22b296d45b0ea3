"""oneroster-rest through the CLI, against real OneRoster servers on loopback.

An SIS speaks OneRoster 1.1 with OAuth 1 signatures and feeds the store (import); an LMS
speaks 1.2 with OAuth 2 tokens and is kept in step both ways (two-way); a portal only
receives (export). Secrets come from the environment, as in production.
"""

from __future__ import annotations

import json
import logging
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from passport_cli import Passport

from passport.connectors.oneroster_rest import settings
from passport.connectors.oneroster_rest.settings import Tuning
from passport.oneroster import ENTITIES
from passport.store import open_store

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "servers"))

from oneroster import OneRosterServer
from roster_data import RosterData

ID, SECRET = "e2e-id-" + secrets.token_hex(6), "e2e-secret-" + secrets.token_hex(12)
QUICK = Tuning(concurrency=4, write_concurrency=4, retry_budget_s=5, backoff_base_s=0.01)

ACTIVATION = """\
version: 1
name: {name}
application: oneroster-rest
mode: {mode}
delivery:
  service_url: {url}
  auth_url: {token_url}
  client_id: ${{env:ROSTER_CLIENT_ID}}
  client_secret: ${{env:ROSTER_CLIENT_SECRET}}
  version: "{version}"
  auth: {auth}
  write: {write}
  page_size: 50
schools:
  auto: same-id
attributes:
  orgs: all
  academicSessions: all
  courses: all
  classes: all
  users: all
  demographics: all
  enrollments: all
conflicts: store-wins
safety:
  max_delete: 10%
  min_existing: 10
"""


def server(data: RosterData | None = None) -> OneRosterServer:
    return OneRosterServer(
        data if data is not None else RosterData(), client_id=ID, client_secret=SECRET
    )


def activate(
    passport: Passport, name: str, mode: str, on: OneRosterServer, version: str = "1.2"
) -> None:
    auth = "oauth1" if version == "1.1" else "oauth2"
    text = ACTIVATION.format(
        name=name,
        mode=mode,
        url=on.service_url,
        token_url=on.token_url,
        version=version,
        auth=auth,
        write="false" if mode == "import" else "true",
    )
    passport.configs.mkdir(parents=True, exist_ok=True)
    (passport.configs / f"{name}.yaml").write_text(text, encoding="utf-8")


@pytest.fixture
def world(passport: Passport, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    monkeypatch.setenv("ROSTER_CLIENT_ID", ID)
    monkeypatch.setenv("ROSTER_CLIENT_SECRET", SECRET)
    monkeypatch.setattr(settings, "DEFAULT_TUNING", QUICK)
    with server(RosterData.sample(20)) as sis, server() as lms, server() as portal:
        yield World(passport, sis, lms, portal)


class World:
    """The CLI, three servers, and every output the test run produced."""

    def __init__(
        self,
        passport: Passport,
        sis: OneRosterServer,
        lms: OneRosterServer,
        portal: OneRosterServer,
    ) -> None:
        self.passport, self.sis, self.lms, self.portal = passport, sis, lms, portal
        self.outputs: list[str] = []
        activate(passport, "sis", "import", sis, version="1.1")
        activate(passport, "lms", "two-way", lms)
        activate(passport, "portal", "export", portal)

    def __call__(self, *args: str, code: int | None = 0) -> Result:
        result = self.passport(*args, code=code)
        self.outputs += [result.stdout, result.stderr]
        return result

    def plan(self, name: str) -> dict[str, Any]:
        plan: dict[str, Any] = json.loads(self("plan", name, "--format", "json").stdout)
        return plan

    def store(self, entity: str) -> dict[str, dict[str, Any]]:
        store = open_store(str(self.passport.store))
        try:
            return {r.key: dict(r.fields) for r in store.scan(entity)}
        finally:
            store.close()


def moves(plan: dict[str, Any]) -> set[tuple[str, str, str, str]]:
    return {(c["direction"], c["action"], c["entity"], c["key"]) for c in plan["changes"]}


def native_user(key: str, school: str) -> dict[str, Any]:
    org = {"sourcedId": school, "type": "org"}
    return {
        "enabledUser": "true",
        "username": f"{key}.lms",
        "givenName": "Lena",
        "familyName": "Moss",
        "roles": [{"roleType": "primary", "role": "teacher", "org": org}],
    }


def test_two_way_sync_converges_and_stays_converged(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    world("validate", str(world.passport.configs))
    # import: the SIS (1.1, OAuth 1) fills the store
    world("apply", "sis", "--yes")
    assert len(world.store("users")) == 20
    world("plan", "sis", "--detailed-exitcode")
    # two-way, first run: the LMS (1.2, OAuth 2) is empty, so everything goes out
    first = world.plan("lms")
    assert {(d, a) for d, a, _, _ in moves(first)} == {("export", "create")}
    world("apply", "lms", "--yes")
    assert len(world.lms.data.active("users")) == 20
    world("plan", "lms", "--detailed-exitcode")

    # both sides change
    world.sis.data.edit("users", "stu-0000001", givenName="Benjamin")
    gone = next(
        k for k, e in world.sis.data.active("enrollments").items() if e["role"] == "student"
    )
    world.sis.data.delete("enrollments", gone)
    world("apply", "sis", "--yes")  # a delta read brings both into the store
    world.lms.data.edit("users", "stu-0000002", familyName="Okafor-Lund")
    world.lms.data.put("users", "lms-teacher-1", native_user("lms-teacher-1", "sch-001"))

    second = world.plan("lms")
    assert moves(second) == {
        ("export", "update", "users", "stu-0000001"),
        ("export", "delete", "enrollments", gone),
        ("import", "update", "users", "stu-0000002"),
        ("import", "create", "users", "lms-teacher-1"),
    }
    text = world("plan", "lms").stdout
    assert "import" in text and "export" in text
    world("apply", "lms", "--yes")

    # both sides agree, and the next plan is empty
    assert world.lms.data.get("users", "stu-0000001")["givenName"] == "Benjamin"  # type: ignore[index]
    assert world.lms.data.get("enrollments", gone) is None
    users = world.store("users")
    assert users["stu-0000002"]["familyName"] == "Okafor-Lund"
    assert users["lms-teacher-1"]["role"] == "teacher"
    world("plan", "lms", "--detailed-exitcode")
    history = json.loads(world("history", "lms", "--format", "json").stdout)
    assert [run["status"] for run in history] == ["succeeded", "succeeded"]

    # export: the portal receives what the store holds, then only what changes
    world("apply", "portal", "--yes")
    assert set(world.portal.data.active("users")) == set(world.store("users"))
    world("plan", "portal", "--detailed-exitcode")
    world.sis.data.edit("classes", "cls-001-1-00001", title="Algebra I")
    world("apply", "sis", "--yes")
    assert moves(world.plan("portal")) == {("export", "update", "classes", "cls-001-1-00001")}
    world("apply", "portal", "--yes")
    assert world.portal.data.get("classes", "cls-001-1-00001")["title"] == "Algebra I"  # type: ignore[index]
    world("plan", "portal", "--detailed-exitcode")

    assert_no_credentials(world, caplog.text)


def assert_no_credentials(world: World, log: str) -> None:
    """Nothing the run printed, logged, stored or recorded holds a secret or a token."""
    tokens = [t for s in (world.sis, world.lms, world.portal) for t in s.clients.every_token]
    assert tokens, "the test must have used OAuth 2 tokens"
    history = world("history", "--format", "json").stdout
    haystacks = [*world.outputs, log, history, world.passport.store.read_bytes().decode("latin-1")]
    for path in world.passport.root.rglob("*"):
        if path.is_file() and path != world.passport.store:
            haystacks.append(path.read_bytes().decode("latin-1"))
    for needle in [SECRET, *tokens]:
        assert not [h for h in haystacks if needle in h], f"a credential leaked: {needle[:6]}..."


def test_a_short_listing_stops_the_run_with_nothing_applied(world: World) -> None:
    world("apply", "sis", "--yes")
    before = {e: world.store(e) for e in ENTITIES}
    world.sis.max_limit = 10
    world.sis.faults.add("short", path="/users", after=1)
    failed = world("apply", "sis", "--yes", "--full", code=1)
    assert "the listing came up short" in failed.stderr
    assert "nothing was changed" in failed.stderr
    assert {e: world.store(e) for e in ENTITIES} == before
    history = json.loads(world("history", "sis", "--format", "json").stdout)
    # The failed read applied nothing, and the history says so.
    assert [r["status"] for r in history] == ["refused", "succeeded"]
    assert "came up short" in history[0]["message"] and not history[0]["counts"]


def test_a_wrong_secret_is_one_clear_line(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROSTER_CLIENT_SECRET", "not-the-secret")
    failed = world("plan", "lms", code=1)
    assert (
        f"Error: 401 from {world.lms.token_url}: invalid_client (unknown client)" in failed.stderr
    )
    assert "not-the-secret" not in failed.stderr and "Traceback" not in failed.stderr


def test_random_failures_converge_to_the_clean_runs_state(
    passport: Passport, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The same two-way story against a clean LMS and one failing a fifth of all requests
    (503, 502, 429, 500, dropped connections, writes done but unanswered): repeated
    plan + apply runs end in exactly the clean run's state, on both sides."""
    caplog.set_level(logging.INFO)
    monkeypatch.setenv("ROSTER_CLIENT_ID", ID)
    monkeypatch.setenv("ROSTER_CLIENT_SECRET", SECRET)
    monkeypatch.setattr(settings, "DEFAULT_TUNING", QUICK)
    with server(RosterData.sample(20)) as sis, server() as clean, server() as flaky:
        worlds = []
        for name, lms in (("clean", clean), ("flaky", flaky)):
            p = Passport(passport.root / name)
            activate(p, "sis", "import", sis, version="1.1")
            activate(p, "lms", "two-way", lms)
            worlds.append(p)
            p("apply", "sis", "--yes")
        flaky.faults.randomly(0.2, seed=11)
        runs = [converge(p) for p in worlds]
        for lms in (clean, flaky):
            lms.data.edit("users", "stu-0000003", givenName="Changed-in-LMS")
            lms.data.put("users", "lms-teacher-1", native_user("lms-teacher-1", "sch-001"))
        sis.data.edit("users", "stu-0000004", familyName="Changed-in-SIS")
        for p in worlds:
            p("apply", "sis", "--yes")
        runs += [converge(p) for p in worlds]
        assert runs[0] == runs[2] == 1  # the clean world needs one run each time
        assert flaky.faults.random_hits > 20
        assert flaky.data.snapshot() == clean.data.snapshot()
        stores = [store_state(p) for p in worlds]
        assert stores[0] == stores[1]
        assert stores[0]["users"]["stu-0000003"]["givenName"] == "Changed-in-LMS"
        assert "retrying" in caplog.text
        for lms in (clean, flaky):
            assert all(t not in caplog.text for t in lms.clients.every_token)
        assert SECRET not in caplog.text


def converge(p: Passport, limit: int = 40) -> int:
    """Apply until the plan is empty; the number of applies it took."""
    for attempt in range(1, limit + 1):
        p("apply", "lms", "--yes", code=None)
        if p("plan", "lms", "--detailed-exitcode", code=None).exit_code == 0:
            return attempt
    raise AssertionError(f"no convergence after {limit} runs")


def store_state(p: Passport) -> dict[str, dict[str, dict[str, Any]]]:
    store = open_store(str(p.store))
    try:
        return {e: {r.key: dict(r.fields) for r in store.scan(e)} for e in ENTITIES}
    finally:
        store.close()
