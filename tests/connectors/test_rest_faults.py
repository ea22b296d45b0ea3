"""One test per fault the server injects: retried to success, or a clear error.

A read that fails ends the listing with a ConnectorError: the plan is never made, so
nothing is applied (tests/e2e/test_rest_two_way.py shows that through the CLI).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from rest_fixtures import FAST, OneRosterServer, open_connector, serve

from passport.connectors.oneroster_rest.settings import Tuning
from passport.errors import ConnectorError
from passport.oneroster import ENTITIES


@pytest.fixture
def server() -> Iterator[OneRosterServer]:
    with serve(max_limit=10) as s:
        yield s


def users(server: OneRosterServer, **settings: object) -> list[str]:
    connector = open_connector(server, **settings)  # type: ignore[arg-type]
    try:
        return [r.key for r in connector.snapshot(["users"]).read("users")]
    finally:
        connector.close()


def failing(server: OneRosterServer, **settings: object) -> str:
    with pytest.raises(ConnectorError) as caught:
        users(server, **settings)
    return caught.value.reason


def statuses(server: OneRosterServer) -> list[int]:
    return [status for _, status in server.calls("GET", "/users")]


def test_429_waits_as_long_as_retry_after_says(server: OneRosterServer) -> None:
    server.faults.add("status", path="/users", status=429, retry_after="1", after=1)
    started = time.monotonic()
    assert len(users(server)) == 40
    assert time.monotonic() - started >= 1.0
    assert statuses(server).count(429) == 1


def test_429_asking_for_more_than_the_budget_fails_at_once(server: OneRosterServer) -> None:
    server.faults.add("status", path="/users", status=429, retry_after="120")
    started = time.monotonic()
    reason = failing(server)
    assert time.monotonic() - started < 1.0
    assert reason == (
        f"429 from {server.service_url}/rostering/v1p2/users: server_busy (injected failure) "
        "— the service is busy; try again later "
        "(the service asked to wait 120 s, beyond the retry budget)"
    )


@pytest.mark.parametrize("status", [502, 503, 504])
def test_gateway_and_unavailable_errors_are_retried(server: OneRosterServer, status: int) -> None:
    server.faults.add("status", path="/users", status=status, times=2, after=2)
    assert len(users(server)) == 40
    assert statuses(server).count(status) == 2


def test_503_that_persists_gives_up_within_the_budget(server: OneRosterServer) -> None:
    server.faults.add("status", path="/users", status=503, times=None)
    reason = failing(server)
    assert reason.startswith(f"503 from {server.service_url}/rostering/v1p2/users: server_busy")
    assert f"— the service is busy; try again later (tried {FAST.max_attempts} times in" in reason
    assert len(statuses(server)) == FAST.max_attempts


def test_500_is_not_retried_and_says_so(server: OneRosterServer) -> None:
    server.faults.add("status", path="/users", status=500, after=2)
    assert failing(server) == (
        f"500 from {server.service_url}/rostering/v1p2/users: internal_server_error "
        "(injected failure) — the service failed; try again later"
    )
    assert statuses(server).count(500) == 1


def test_a_slow_answer_past_the_timeout_is_asked_again(server: OneRosterServer) -> None:
    server.faults.add("slow", path="/users", delay_s=1.0, after=1)
    assert len(users(server, timeout_s=0.3)) == 40


def test_an_answer_that_never_comes_in_time_is_a_clear_error(server: OneRosterServer) -> None:
    server.faults.add("slow", path="/users", delay_s=0.5, times=None)
    tuning = Tuning(concurrency=2, max_attempts=2, backoff_base_s=0.01, retry_budget_s=2)
    reason = failing(server, timeout_s=0.2, tuning=tuning)
    assert reason.startswith(
        f"no answer from {server.service_url}/rostering/v1p2/users within 0.2 s"
    )
    assert "(tried 2 times in" in reason


def test_malformed_json_is_asked_again(server: OneRosterServer) -> None:
    server.faults.add("malformed", path="/users", after=1)
    assert len(users(server)) == 40


def test_malformed_json_that_persists_is_a_clear_error(server: OneRosterServer) -> None:
    server.faults.add("malformed", path="/users", times=None)
    reason = failing(server)
    assert reason.startswith(
        f"the answer from {server.service_url}/rostering/v1p2/users is not valid JSON"
    )


def test_a_body_cut_off_half_way_is_asked_again(server: OneRosterServer) -> None:
    server.faults.add("truncated", path="/users", after=1)
    assert len(users(server)) == 40


def test_a_dropped_connection_is_asked_again(server: OneRosterServer) -> None:
    server.faults.add("drop", path="/users", times=2)
    assert len(users(server)) == 40


def test_a_page_short_of_its_announced_records_aborts_the_listing(server: OneRosterServer) -> None:
    server.faults.add("short", path="/users?sort=sourcedId&limit=100&offset=20")
    assert failing(server) == (
        f"{server.service_url}/rostering/v1p2/users: the listing came up short: the page at "
        "offset 20 holds 5 records where 10 were due (total 40)"
    )


@pytest.mark.parametrize("paging", ["link", "none"])
def test_a_short_last_page_without_a_total_cannot_be_told_from_the_end(paging: str) -> None:
    """Without a total, a short page ends the listing: the reason totals are checked when
    announced, and a full listing without them is guarded by the plan's safety limits."""
    with serve(max_limit=10, paging=paging) as server:
        server.faults.add("short", path="/users", after=3)
        assert len(users(server)) == 35


def test_a_record_without_sourced_id_aborts_the_listing(server: OneRosterServer) -> None:
    server.faults.add("no_sourcedid", path="/users?sort=sourcedId&limit=100&offset=10")
    assert failing(server) == (
        f"{server.service_url}/rostering/v1p2/users: record 11 of the listing has no sourcedId"
    )


def test_a_failed_page_among_concurrent_ones_leaves_nothing_read(server: OneRosterServer) -> None:
    server.faults.add("status", path="/users", status=500, after=2)
    connector = open_connector(server)
    try:
        snap = connector.snapshot(["users"])
        with pytest.raises(ConnectorError):
            list(snap.read("users"))
        assert not snap.has_read("users")
        assert len(list(snap.read("users"))) == 40  # asked again, in full
    finally:
        connector.close()


def test_the_hint_says_nothing_was_changed(server: OneRosterServer) -> None:
    server.faults.add("short", path="/users", after=1)
    with pytest.raises(ConnectorError) as caught:
        users(server)
    assert caught.value.hint == "nothing was changed; run again once the service answers in full"


def test_random_failures_are_ridden_out_or_reported(server: OneRosterServer) -> None:
    """A fifth of all requests fail (503, 502, 429, 500, dropped connections): every read
    either returns exactly the clean listing or fails with a ConnectorError, never less."""
    server.max_limit = 100
    clean = {e: sorted(keys) for e, keys in read_everything(server).items()}
    server.faults.randomly(0.2, seed=7)
    outcomes = []
    for _ in range(8):
        try:
            got = read_everything(server)
        except ConnectorError as error:
            outcomes.append(error.reason)
            continue
        assert {e: sorted(keys) for e, keys in got.items()} == clean
        outcomes.append("ok")
    assert "ok" in outcomes and server.faults.random_hits > 5
    assert all(o == "ok" or o.startswith("500 from") for o in outcomes)


def read_everything(server: OneRosterServer) -> dict[str, list[str]]:
    connector = open_connector(server)
    try:
        snap = connector.snapshot(ENTITIES)
        return {e: [r.key for r in snap.read(e)] for e in ENTITIES}
    finally:
        connector.close()


def test_a_collection_that_changes_mid_read_aborts_the_listing(server: OneRosterServer) -> None:
    server.faults.add("grow", path="/users", after=2)
    assert failing(server) == (
        f"{server.service_url}/rostering/v1p2/users: the collection changed while it was read "
        "(total 40, then 41)"
    )


def test_closing_the_connector_stops_retries_at_once(server: OneRosterServer) -> None:
    server.faults.add("status", path="/users", status=503, times=None)
    connector = open_connector(server, tuning=Tuning(backoff_base_s=5.0, retry_budget_s=60))
    reading = connector.snapshot(["users"]).read("users")
    closer = threading.Timer(0.3, connector.close)
    closer.start()
    started = time.monotonic()
    with pytest.raises(ConnectorError, match="was given up: the connection closed"):
        list(reading)
    assert time.monotonic() - started < 3
    closer.join()
