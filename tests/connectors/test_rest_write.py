"""oneroster-rest writes: PUT and DELETE per op, in dependency waves, retried idempotently."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rest_fixtures import OneRosterServer, RosterData, open_connector, serve

from passport.connectors.base import WriteOp
from passport.connectors.oneroster_rest.connector import RestConnector
from passport.connectors.oneroster_rest.settings import Tuning
from passport.errors import ConnectorError
from passport.model import Action

STUDENT: dict[str, str | list[str]] = {
    "enabledUser": "true",
    "username": "new.student",
    "givenName": "Nova",
    "familyName": "Quist",
    "role": "student",
    "orgSourcedIds": ["sch-001"],
    "grades": ["KG"],
}


@pytest.fixture
def server() -> Iterator[OneRosterServer]:
    with serve() as s:
        yield s


@pytest.fixture
def connector(server: OneRosterServer) -> Iterator[RestConnector]:
    c = open_connector(server)
    yield c
    c.close()


def put(key: str, **fields: str | list[str]) -> WriteOp:
    return WriteOp("users", Action.CREATE, key, {**STUDENT, **fields})


def test_puts_and_deletes_land_on_the_service(
    server: OneRosterServer, connector: RestConnector
) -> None:
    results = connector.write(
        [
            put("new-1"),
            put("new-2", givenName="Ora"),
            WriteOp("users", Action.DELETE, "stu-0000003"),
        ]
    )
    assert [r.ok for r in results] == [True, True, True]
    stored = server.data.get("users", "new-2")
    assert stored is not None and stored["givenName"] == "Ora"
    assert stored["roles"] == [
        {"roleType": "primary", "role": "student", "org": {"sourcedId": "sch-001", "type": "org"}}
    ]
    assert server.data.get("users", "stu-0000003") is None
    assert [m for m, _, _ in server.requests if m in ("PUT", "DELETE")] == ["PUT", "PUT", "DELETE"]


def test_1_1_writes_its_own_shapes(server: OneRosterServer) -> None:
    connector = open_connector(server, version="1.1", auth="oauth1")
    try:
        (result,) = connector.write([put("new-1")])
    finally:
        connector.close()
    assert result.ok
    stored = server.data.get("users", "new-1")
    assert stored is not None and stored["roles"][0]["role"] == "student"
    assert stored["enabledUser"] == "true"  # sent as a JSON boolean, kept as 1.2's string


def test_an_update_keeps_what_passport_does_not_read(
    server: OneRosterServer, connector: RestConnector
) -> None:
    server.data.edit("users", "stu-0000001", userProfiles=[{"profileId": "p"}], metadata={"x": "1"})
    snap = connector.snapshot(["users"])
    (current,) = snap.read("users", ["stu-0000001"])
    fields = {**current.fields, "givenName": "Changed"}
    (result,) = connector.write([WriteOp("users", Action.UPDATE, "stu-0000001", fields)])
    assert result.ok
    stored = server.data.get("users", "stu-0000001")
    assert stored is not None and stored["givenName"] == "Changed"
    assert stored["userProfiles"] == [{"profileId": "p", "credentials": []}]
    assert stored["metadata"] == {"x": "1"}


def test_a_retried_put_does_not_duplicate(
    server: OneRosterServer, connector: RestConnector
) -> None:
    server.faults.add("drop_after", path="/users/new-1", method="PUT")  # done, but unanswered
    (result,) = connector.write([put("new-1")])
    assert result.ok
    assert len(server.calls("PUT", "/users/new-1")) == 2
    assert list(server.data.active("users")).count("new-1") == 1
    assert len(server.data.active("users")) == 41


def test_a_retried_delete_that_finds_nothing_is_done(
    server: OneRosterServer, connector: RestConnector
) -> None:
    server.faults.add("drop_after", path="/users/stu-0000001", method="DELETE")
    (result,) = connector.write([WriteOp("users", Action.DELETE, "stu-0000001")])
    assert result.ok
    assert [s for _, s in server.calls("DELETE", "/users/stu-0000001")] == [204, 404]


def test_deleting_what_is_gone_already_is_done(connector: RestConnector) -> None:
    (result,) = connector.write([WriteOp("users", Action.DELETE, "never-there")])
    assert result.ok


def test_one_failing_op_costs_only_itself(
    server: OneRosterServer, connector: RestConnector
) -> None:
    server.faults.add("status", path="/users/new-2", method="PUT", status=500)
    server.faults.add("status", path="/users/new-3", method="PUT", status=429, retry_after="0")
    results = connector.write([put("new-1"), put("new-2"), put("new-3")])
    assert [r.ok for r in results] == [True, False, True]
    assert results[1].error == (
        f"500 from {server.service_url}/rostering/v1p2/users/new-2: internal_server_error "
        "(injected failure) — the service failed; try again later"
    )
    assert server.data.get("users", "new-2") is None


def test_waves_keep_the_dependency_order(server: OneRosterServer, connector: RestConnector) -> None:
    server.latency_s = 0.01
    org = WriteOp("orgs", Action.CREATE, "sch-new", {"name": "New School", "type": "school"})
    ops = [org, *(put(f"new-{n}", orgSourcedIds=["sch-new"]) for n in range(6))]
    ops.append(WriteOp("users", Action.DELETE, "stu-0000001"))
    connector.write(ops)
    order = [(m, t.split("/")[-2]) for m, t, _ in server.requests if m in ("PUT", "DELETE")]
    assert order[0] == ("PUT", "orgs") and order[-1] == ("DELETE", "users")


def test_writes_run_under_a_concurrency_bound(server: OneRosterServer) -> None:
    server.latency_s = 0.02
    connector = open_connector(server, tuning=Tuning(write_concurrency=3))
    try:
        results = connector.write([put(f"new-{n}") for n in range(12)])
    finally:
        connector.close()
    assert all(r.ok for r in results)
    assert 1 < server.peak_in_flight <= 3


def test_a_read_only_service_refuses_writes(server: OneRosterServer) -> None:
    connector = open_connector(server, write=False)
    try:
        with pytest.raises(ConnectorError, match="read-only here"):
            connector.write([put("new-1")])
    finally:
        connector.close()
    assert server.data.get("users", "new-1") is None


def test_every_entity_round_trips_through_put() -> None:
    """Whatever the service holds, written back as read, reads back the same."""
    with serve(RosterData.sample(20)) as source, serve(RosterData()) as target:
        reader, writer = open_connector(source), open_connector(target)
        try:
            entities = list(source.data.records)
            snap = reader.snapshot(entities)
            wanted = {e: {r.key: r.fields for r in snap.read(e)} for e in entities}
            ops = [WriteOp(e, Action.CREATE, k, f) for e in entities for k, f in wanted[e].items()]
            assert all(r.ok for r in writer.write(ops))
            back = writer.snapshot(entities)
            assert {e: {r.key: r.fields for r in back.read(e)} for e in entities} == wanted
        finally:
            reader.close()
            writer.close()
