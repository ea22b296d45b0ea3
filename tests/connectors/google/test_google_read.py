"""Reading the directory: paging along nextPageToken, OU and query filters, OUs, groups
and members, as the local Directory API server (built from Google's discovery document)
answers them."""

from __future__ import annotations

import pytest
from directory_data import users
from google_directory import GoogleServer
from google_fixtures import OpenSession

from passport.connectors.google_workspace import directory
from passport.connectors.google_workspace.problems import ApiError
from passport.connectors.google_workspace.settings import Tuning


def test_users_are_read_page_by_page_each_once(
    server: GoogleServer, open_google: OpenSession
) -> None:
    for record in users(1234):
        server.directory.insert_user(dict(record))
    session = open_google(mode="import")
    found = list(directory.list_users(session.api, page_size=100))
    assert len(found) == 1234
    assert len({u["id"] for u in found}) == 1234
    pages = server.calls_to("GET", "/admin/directory/v1/users")
    assert len(pages) == 13  # 12 full pages of 100, then 34
    assert all(
        "maxResults=100" in target and "customer=my_customer" in target for target, _ in pages
    )


def test_a_page_size_past_googles_maximum_is_clamped_to_500(
    server: GoogleServer, open_google: OpenSession
) -> None:
    for record in users(1100):
        server.directory.insert_user(dict(record))
    session = open_google(mode="import")
    assert len(list(directory.list_users(session.api, page_size=5000))) == 1100
    pages = server.calls_to("GET", "/admin/directory/v1/users")
    assert [s for _, s in pages] == [200, 200, 200]
    assert all("maxResults=500" in target for target, _ in pages)


def test_an_empty_listing_without_a_users_key_reads_as_no_users(
    open_google: OpenSession,
) -> None:
    assert list(directory.list_users(open_google(mode="import").api)) == []


def test_the_ou_filter_takes_the_ou_and_every_ou_below_it(
    server: GoogleServer, open_google: OpenSession
) -> None:
    data = server.directory
    data.insert_ou({"name": "Lincoln", "parentOrgUnitPath": "/Students"})
    data.insert_ou({"name": "Grade 9", "parentOrgUnitPath": "/Students/Lincoln"})
    data.insert_ou({"name": "Adams", "parentOrgUnitPath": "/Students"})
    for record in users(3, "/Students/Lincoln") + users(2, "/Students/Lincoln/Grade 9", 3):
        data.insert_user(dict(record))
    for record in users(4, "/Students/Adams", 10) + users(1, "/Staff", 20):
        data.insert_user(dict(record))
    api = open_google(mode="import").api
    lincoln = list(directory.list_users(api, org_unit="/Students/Lincoln"))
    assert len(lincoln) == 5
    assert {u["orgUnitPath"] for u in lincoln} == {"/Students/Lincoln", "/Students/Lincoln/Grade 9"}
    suspended = list(directory.list_users(api, org_unit="/Students", query="isSuspended=true"))
    assert suspended == []
    assert len(list(directory.list_users(api, query="email:student0000*"))) == 5  # 0-4


def test_ordering_by_family_name_descending_across_pages(
    server: GoogleServer, open_google: OpenSession
) -> None:
    for record in users(30):
        server.directory.insert_user(dict(record))
    api = open_google(mode="import").api
    found = list(directory.list_users(api, order_by="familyName", page_size=7))
    names = [u["name"]["familyName"].lower() for u in found]
    assert names == sorted(names) and len(names) == 30


def test_the_domain_parameter_replaces_customer(
    server: GoogleServer, open_google: OpenSession
) -> None:
    server.directory.insert_user(dict(users(1)[0]))
    api = open_google(mode="import").api
    assert len(list(directory.list_users(api, domain="district.example"))) == 1
    with pytest.raises(ApiError) as error:
        list(directory.list_users(api, domain="other.example"))
    assert error.value.status == 403


def test_ous_three_levels_deep(server: GoogleServer, open_google: OpenSession) -> None:
    data = server.directory
    for school in ("Lincoln", "Adams"):
        data.insert_ou({"name": school, "parentOrgUnitPath": "/Students"})
        for grade in (9, 10):
            data.insert_ou({"name": f"Grade {grade}", "parentOrgUnitPath": f"/Students/{school}"})
    api = open_google(mode="import").api
    paths = sorted(ou["orgUnitPath"] for ou in directory.list_ous(api))
    assert paths == [
        "/Staff",
        "/Students",
        "/Students/Adams",
        "/Students/Adams/Grade 10",
        "/Students/Adams/Grade 9",
        "/Students/Lincoln",
        "/Students/Lincoln/Grade 10",
        "/Students/Lincoln/Grade 9",
    ]
    under = directory.list_ous(api, under="/Students/Lincoln")
    assert {ou["parentOrgUnitPath"] for ou in under} == {"/Students/Lincoln"}


def test_groups_and_members_page_at_200(server: GoogleServer, open_google: OpenSession) -> None:
    data = server.directory
    for record in users(450):
        data.insert_user(dict(record))
    for g in range(250):
        data.insert_group({"email": f"class{g:04d}@district.example", "name": f"Class {g}"})
    group = "class0000@district.example"
    for n in range(450):
        role = "OWNER" if n == 0 else "MANAGER" if n < 3 else "MEMBER"
        data.insert_member(group, {"email": f"student{n:05d}@district.example", "role": role})
    api = open_google(mode="import").api
    assert len(list(directory.list_groups(api))) == 250
    assert len(server.calls_to("GET", "/admin/directory/v1/groups?")) == 2
    members = list(directory.list_members(api, group))
    assert len(members) == 450
    assert len(server.calls_to("GET", "/members")) == 3
    teachers = list(directory.list_members(api, group, roles=("OWNER", "MANAGER")))
    assert sorted(m["role"] for m in teachers) == ["MANAGER", "MANAGER", "OWNER"]


def test_a_page_that_keeps_failing_raises_and_never_reads_as_a_short_listing(
    server: GoogleServer, open_google: OpenSession
) -> None:
    for record in users(250):
        server.directory.insert_user(dict(record))
    server.faults.add("backend", path="pageToken=", times=None)
    tuning = Tuning(retry_budget_s=0.5, backoff_base_s=0.05, backoff_cap_s=0.1, requests_per_s=None)
    api = open_google(mode="import", tuning=tuning).api
    read: list[object] = []
    with pytest.raises(ApiError) as error:
        read.extend(directory.list_users(api, page_size=100))
    assert error.value.status == 503
    assert "backendError" in error.value.reason and "gave up" in error.value.reason
