"""oneroster-rest reads: both versions and auths, every paging style, deltas, re-reads."""

from __future__ import annotations

import json
import math
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import cast

import httpx
import pytest
from rest_fixtures import FAST, OneRosterServer, RosterData, delivery, open_connector, serve

from passport.connectors.base import ConnectContext
from passport.connectors.oneroster_csv.snapshot import CsvSnapshot
from passport.connectors.oneroster_rest.connector import connect
from passport.connectors.oneroster_rest.http import Reply
from passport.connectors.oneroster_rest.paging import Listing
from passport.connectors.retrying import retry_after
from passport.errors import ConnectorError
from passport.mapping.fields import OneRosterFields, SchoolIds
from passport.model import Record
from passport.oneroster import ENTITIES
from passport.sample import entities as sample
from passport.sample.district import District


@pytest.fixture
def server() -> Iterator[OneRosterServer]:
    with serve() as s:
        yield s


def expected(entity: str) -> dict[str, dict[str, object]]:
    """The sample district's canonical records, as passport's CSV path would hold them."""
    makers = {
        "orgs": sample.orgs,
        "academicSessions": sample.academic_sessions,
        "courses": sample.courses,
        "classes": sample.classes,
        "users": sample.users,
        "demographics": sample.demographics,
        "enrollments": sample.enrollments,
    }
    return {r.key: dict(r.fields) for r in makers[entity](District(users=40))}


def held_as(version: str, records: dict[str, dict[str, object]], entity: str) -> object:
    """Records as a OneRoster REST service of the version holds them (what it can hold)."""
    view = OneRosterFields(SchoolIds({}, {}, False), version, rest=True)
    return {k: dict(view.fields_to_app(entity, k, f)) for k, f in records.items()}  # type: ignore[arg-type]


def read_all(server: OneRosterServer, **settings: object) -> dict[str, list[Record]]:
    connector = open_connector(server, **settings)  # type: ignore[arg-type]
    try:
        snap = connector.snapshot(ENTITIES)
        return {e: list(snap.read(e)) for e in ENTITIES}
    finally:
        connector.close()


@pytest.mark.parametrize(
    ("version", "auth"), [("1.2", "oauth2"), ("1.1", "oauth1"), ("1.1", "oauth2")]
)
def test_every_collection_reads_as_the_canonical_model(
    server: OneRosterServer, version: str, auth: str
) -> None:
    records = read_all(server, version=version, auth=auth)
    for entity in ENTITIES:
        got = {r.key: dict(r.fields) for r in records[entity]}
        assert held_as(version, got, entity) == held_as(version, expected(entity), entity), entity
        assert all(r.modified and not r.deleted for r in records[entity])


def test_the_two_versions_really_differ_on_the_wire(server: OneRosterServer) -> None:
    """What the test above proves is read from two shapes, not one."""
    token = httpx.post(
        server.token_url,
        data={"grant_type": "client_credentials"},
        auth=(server_client(server)),
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    v11 = httpx.get(f"{server.service_url}/v1p1/users?limit=1", headers=headers).json()
    v12 = httpx.get(f"{server.service_url}/rostering/v1p2/users?limit=1", headers=headers).json()
    old, new = v11["users"][0], v12["users"][0]
    assert old["role"] == "administrator" and old["enabledUser"] is True
    assert "roles" not in old and old["orgs"][0]["sourcedId"] == "district"
    assert new["enabledUser"] == "true" and "role" not in new
    assert new["roles"][0]["roleType"] == "primary"
    assert new["roles"][0]["org"]["href"].endswith("/rostering/v1p2/orgs/district")


def server_client(server: OneRosterServer) -> tuple[str, str]:
    from rest_fixtures import CLIENT_ID, CLIENT_SECRET

    return CLIENT_ID, CLIENT_SECRET


@pytest.mark.parametrize("paging", ["both", "total", "x-count", "link", "none"])
def test_every_paging_style_reads_every_record_once(paging: str) -> None:
    with serve(paging=paging, max_limit=7, latency_s=0.005) as server:  # asks 100, gets 7
        records = read_all(server)
        enrollments = records["enrollments"]
        assert len(enrollments) == len({r.key for r in enrollments}) == 246
        pages = len(server.calls("GET", "/enrollments"))
        assert pages == math.ceil(246 / 7)  # "none": the last page is short, so it ends
        concurrent = paging in ("both", "total", "x-count")
        assert (server.peak_in_flight > 1) == concurrent


def test_a_known_total_is_fetched_by_a_bounded_pool() -> None:
    with serve(max_limit=10, latency_s=0.03) as server:
        records = read_all(server)
        assert len(records["enrollments"]) == 246
        assert 1 < server.peak_in_flight <= 4  # FAST.concurrency


def test_a_delta_reads_changes_since_the_watermark(server: OneRosterServer) -> None:
    server.data.edit("users", "stu-0000001", givenName="Renamed")
    server.data.delete("users", "stu-0000002")
    connector = open_connector(server)
    try:
        snap = connector.snapshot(
            ["users"], full=False, watermarks={"users": "2025-09-01T00:00:00Z"}
        )
        delta = {r.key: r for r in snap.read("users")}
        assert set(delta) == {"stu-0000001", "stu-0000002"}
        assert delta["stu-0000001"].fields["givenName"] == "Renamed"
        assert delta["stu-0000002"].deleted
        assert not snap.is_complete("users")
        assert snap.watermark("users") == delta["stu-0000002"].modified
        (target, _), *_ = server.calls("GET", "/users?")
        assert "filter=dateLastModified%3E%3D%272025-09-01T00%3A00%3A00Z%27" in target
        # a record the delta does not list is fetched on its own when asked for by key
        (teacher,) = snap.read("users", ["tch-000001"])
        assert teacher.fields["role"] == "teacher"
        assert list(snap.read("users", ["no-such-user"])) == []
    finally:
        connector.close()


def test_without_a_watermark_a_delta_request_reads_in_full(server: OneRosterServer) -> None:
    connector = open_connector(server)
    try:
        snap = connector.snapshot(["users", "orgs"], full=False, watermarks={"orgs": "2026-01-01"})
        assert len(list(snap.read("users"))) == 40 and snap.is_complete("users")
        assert list(snap.read("orgs")) == [] and not snap.is_complete("orgs")
    finally:
        connector.close()


def test_listings_are_read_once_and_read_again_from_the_spool(server: OneRosterServer) -> None:
    connector = open_connector(server)
    try:
        snap = connector.snapshot(["users"])
        first = list(snap.read("users"))
        asked = len(server.requests)
        assert list(snap.read("users")) == first
        some = [first[3].key, first[7].key]
        assert [r.key for r in snap.read("users", some)] == some
        assert snap.is_complete("users")
        assert len(server.requests) == asked
    finally:
        connector.close()


def test_a_stopped_read_leaves_nothing_half_cached(server: OneRosterServer) -> None:
    connector = open_connector(server)
    try:
        snap = connector.snapshot(["users"])
        reading = cast(Generator[Record, None, None], snap.read("users"))
        next(reading)
        reading.close()  # the plan gave up half-way
        assert len(list(snap.read("users"))) == 40
    finally:
        connector.close()


def test_a_service_without_orgs_or_academic_sessions_lists_schools_and_terms() -> None:
    with serve(disabled=frozenset({"orgs", "academicSessions"})) as server:
        connector = open_connector(server, version="1.1", auth="oauth1")
        try:
            snap = connector.snapshot(["orgs", "academicSessions"])
            orgs = {r.key for r in snap.read("orgs")}
            terms = {r.key for r in snap.read("academicSessions")}
            assert orgs == {"sch-001", "sch-002", "sch-003", "sch-004"}
            assert terms == {"term-2025-1", "term-2025-2"}
            # part of an entity is never a complete listing: nothing reads as deleted
            assert not snap.is_complete("orgs") and not snap.is_complete("academicSessions")
            assert "read orgs from /schools" in str(snap.warnings[0])
        finally:
            connector.close()


def test_a_service_without_demographics_reads_them_as_empty() -> None:
    with serve(disabled=frozenset({"demographics"})) as server:
        connector = open_connector(server)
        try:
            snap = connector.snapshot(["demographics"])
            assert not snap.is_complete("demographics")
            assert list(snap.read("demographics")) == []
            assert "does not offer demographics" in str(snap.warnings[0])
        finally:
            connector.close()


def test_a_missing_collection_names_the_url_and_what_to_check() -> None:
    with serve(disabled=frozenset({"users"})) as server:
        connector = open_connector(server)
        try:
            with pytest.raises(ConnectorError) as caught:
                list(connector.snapshot(["users"]).read("users"))
        finally:
            connector.close()
    assert caught.value.reason == (
        f"404 from {server.service_url}/rostering/v1p2/users: unknownobject "
        "(this service does not offer /users) — check service_url and version"
    )


def test_the_version_path_in_service_url_is_tolerated(server: OneRosterServer) -> None:
    records = read_all(server, service_url=server.service_url + "/rostering/v1p2/")
    assert len(records["users"]) == 40


def test_an_empty_service_is_a_complete_empty_listing() -> None:
    with serve(RosterData()) as server:
        records = read_all(server)
        assert all(records[e] == [] for e in ENTITIES)


def test_reads_report_progress(server: OneRosterServer) -> None:
    seen: list[tuple[str, int, int | None]] = []
    server.max_limit = 15
    context = ConnectContext(
        base_dir=".",
        progress=lambda stage, done, total: seen.append((stage, done, total)),
        extra={"tuning": FAST},
    )
    connector = connect(delivery(server), context)
    try:
        list(connector.snapshot(["users"]).read("users"))
    finally:
        connector.close()
    assert seen == [
        ("fetching users", 15, 40),
        ("fetching users", 30, 40),
        ("fetching users", 40, 40),
    ]


def test_a_next_link_to_another_host_is_refused(server: OneRosterServer) -> None:
    """The bearer token goes only where service_url points."""
    connector = open_connector(server)
    try:
        url = f"{server.service_url}/rostering/v1p2/users"
        listing = Listing(
            connector.session.http, url, "users", params={}, page_size=5, concurrency=1
        )
        link = '<https://elsewhere.example/users?offset=5>; rel="next"'
        response = httpx.Response(200, headers={"Link": link}, request=httpx.Request("GET", url))
        with pytest.raises(
            ConnectorError, match=r"leads to another host \(https://elsewhere.example/users\)"
        ):
            listing._next(Reply(response, None))
    finally:
        connector.close()


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("3", 3.0),
        (" 0 ", 0.0),
        ("soon", None),
        (None, None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
    ],
)
def test_retry_after_reads_seconds_and_dates(header: str | None, seconds: float | None) -> None:
    assert retry_after(header) == seconds


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_a_1_2_bundle_served_over_rest_reads_as_the_csv_reader_reads_it(version: str) -> None:
    """The CSV connector and this one agree on every record of the 1.2 fixture bundle
    (1.1 lacks the 1.2-only user fields, so those are left out there)."""
    bundle = Path(__file__).resolve().parents[1] / "bundles" / "good-1.2"
    csv = CsvSnapshot(bundle, list(ENTITIES))
    try:
        want = {e: {r.key: dict(r.fields) for r in csv.read(e)} for e in ENTITIES}
    finally:
        csv.close()
    with serve(RosterData.from_bundle(bundle)) as server:
        records = read_all(server, version=version, auth="oauth1" if version == "1.1" else "oauth2")
    got = {e: {r.key: dict(r.fields) for r in records[e]} for e in ENTITIES}
    for entity in ENTITIES:  # compared as the service can hold them
        assert held_as(version, got[entity], entity) == held_as(version, want[entity], entity)
    if version == "1.2":  # roles as read: both of u2's, the secondary one too
        roles = [json.loads(r) for r in got["users"]["u2"]["roles"]]
        assert [(r["roleType"], r["role"], r["orgSourcedId"]) for r in roles] == [
            ("secondary", "aide", "d1"),
            ("primary", "teacher", "s1"),
        ]
