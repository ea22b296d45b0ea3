"""Google as it really behaves under load: 403 userRateLimitExceeded, 429 and 503 retried
with backoff within a time budget (honouring Retry-After), a per-second quota, dropped
connections, expired tokens, and eventual consistency of listings."""

from __future__ import annotations

import time

from directory_data import user, users
from google_directory import GoogleServer
from google_fixtures import OpenSession

from passport.connectors.google_workspace import directory
from passport.connectors.google_workspace.settings import Tuning


def test_rate_limited_and_failed_calls_are_retried_until_they_pass(
    server: GoogleServer, open_google: OpenSession
) -> None:
    server.faults.add("user_rate", path="/users", times=3)
    server.faults.add("rate", path="/users", times=2)
    server.faults.add("backend", path="/users", times=2)
    api = open_google().api
    results = directory.create_users(api, users(10))
    assert all(r.ok for r in results)
    assert len(server.directory.users) == 10
    refused = [s for s in server.part_statuses if s != 200]
    assert sorted(refused) == [403, 403, 403, 429, 429, 503, 503]


def test_single_requests_are_retried_too(server: GoogleServer, open_google: OpenSession) -> None:
    server.faults.add("backend", method="GET", times=2)
    server.faults.add("user_rate", method="GET", times=1)
    server.directory.insert_user(dict(user(1)))
    assert len(list(directory.list_users(open_google().api))) == 1
    statuses = [s for _, s in server.calls_to("GET", "/users")]
    assert statuses == [503, 503, 403, 200]


def test_a_whole_batch_that_fails_is_sent_again(
    server: GoogleServer, open_google: OpenSession
) -> None:
    server.faults.add("backend", where="batch", times=1)
    server.faults.add("drop", where="batch", times=1)
    results = directory.create_users(open_google().api, users(5))
    assert all(r.ok for r in results)
    assert [s for _, s in server.calls_to("POST", "/batch")] == [503, 0, 200]


def test_retry_after_is_honoured(server: GoogleServer, open_google: OpenSession) -> None:
    server.faults.add("rate", method="GET", times=1, retry_after="1")
    started = time.monotonic()
    list(directory.list_users(open_google().api))
    assert time.monotonic() - started >= 1.0


def test_retries_stop_at_the_time_budget_with_the_reason(
    server: GoogleServer, open_google: OpenSession
) -> None:
    server.faults.add("backend", path="/users", times=None)
    tuning = Tuning(
        retry_budget_s=0.5,
        backoff_base_s=0.05,
        backoff_cap_s=0.2,
        max_attempts=99,
        requests_per_s=None,
    )
    started = time.monotonic()
    results = directory.create_users(open_google(tuning=tuning).api, users(3))
    assert time.monotonic() - started < 3.0  # the budget, plus one backoff at most
    assert [r.status for r in results] == [503, 503, 503]
    assert all(
        "backendError" in (r.message or "") and "gave up" in (r.message or "") for r in results
    )
    assert server.directory.users == {}


def test_a_per_second_quota_is_met_by_backing_off(
    server: GoogleServer, open_google: OpenSession
) -> None:
    server.quota.per_s = 40
    tuning = Tuning(
        batch_size=50,
        backoff_base_s=0.1,
        backoff_cap_s=1.0,
        retry_budget_s=60,
        requests_per_s=None,  # no pacing: the quota is hit
    )
    results = directory.create_users(open_google(tuning=tuning).api, users(200))
    assert all(r.ok for r in results)
    assert len(server.directory.users) == 200
    assert server.quota.refused > 0  # it was hit, and backed off from


def test_a_known_quota_is_kept_by_pacing(server: GoogleServer, open_google: OpenSession) -> None:
    server.quota.per_s = 40
    tuning = Tuning(batch_size=100, requests_per_s=40)
    results = directory.create_users(open_google(tuning=tuning).api, users(120))
    assert all(r.ok for r in results)
    assert server.quota.refused == 0
    # The pacer cuts batches to what one second of quota holds.
    assert len(server.calls_to("POST", "/batch")) == 3


def test_a_known_quota_is_kept_when_the_server_handles_a_batch_late(
    server: GoogleServer, open_google: OpenSession
) -> None:
    # The server stamps the first batch's calls 0.4 s after it was sent (a slow first
    # connection, a loaded machine): the next batch must not count from the sending.
    server.quota.per_s = 40
    server.faults.add("slow", where="batch", times=1, delay_s=0.4)
    tuning = Tuning(batch_size=100, requests_per_s=40)
    results = directory.create_users(open_google(tuning=tuning).api, users(120))
    assert all(r.ok for r in results)
    assert server.quota.refused == 0
    assert len(server.directory.users) == 120


def test_the_429_form_of_the_quota(server: GoogleServer, open_google: OpenSession) -> None:
    server.quota.per_s, server.quota.status = 10, 429
    tuning = Tuning(batch_size=20, backoff_base_s=0.1, backoff_cap_s=1.0, requests_per_s=None)
    assert all(r.ok for r in directory.create_users(open_google(tuning=tuning).api, users(30)))
    assert 429 in server.part_statuses


def test_an_expired_token_is_refreshed_once_and_the_call_goes_on(
    server: GoogleServer, open_google: OpenSession
) -> None:
    session = open_google()
    directory.create_users(session.api, users(2))
    server.faults.add("expire", method="GET", times=1)
    assert len(list(directory.list_users(session.api))) == 2
    assert session.auth.refreshes == 2


def test_a_new_user_is_missing_from_listings_for_a_while(
    server: GoogleServer, open_google: OpenSession
) -> None:
    server.directory.lag_lists = 2
    api = open_google().api
    directory.create_users(api, users(3))
    assert list(directory.list_users(api)) == []
    assert list(directory.list_users(api)) == []
    assert len(list(directory.list_users(api))) == 3
    # A get finds it at once, by primary email.
    assert directory.get_user(api, user(0)["primaryEmail"]) is not None


def test_eventual_consistency_in_time(server: GoogleServer, open_google: OpenSession) -> None:
    server.directory.lag_s = 0.5
    api = open_google().api
    directory.create_users(api, users(2))
    assert list(directory.list_users(api)) == []
    time.sleep(0.6)
    assert len(list(directory.list_users(api))) == 2


def test_random_faults_at_20_percent_converge(
    server: GoogleServer, open_google: OpenSession
) -> None:
    server.faults.randomly(0.2, seed=13)
    api = open_google().api
    results = directory.create_users(api, users(300))
    assert all(r.ok for r in results)
    assert len(server.directory.users) == 300
    assert server.faults.random_hits > 30
    assert len(list(directory.list_users(api, page_size=50))) == 300
