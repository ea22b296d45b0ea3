"""Writing the directory through the batch endpoint: users created, renamed (the old
address stays as an alias), suspended and moved, deleted; OUs, groups and members;
409 duplicate and 400 for an OU that does not exist come back per item, never as a crash."""

from __future__ import annotations

import pytest
from directory_data import user, users
from google_directory import GoogleServer
from google_fixtures import FAST, OpenSession

from passport.connectors.google_workspace import directory
from passport.connectors.google_workspace.problems import ApiError
from passport.connectors.google_workspace.settings import Tuning


def test_creates_go_in_batches_of_the_batch_size(
    server: GoogleServer, open_google: OpenSession
) -> None:
    api = open_google().api
    results = directory.create_users(api, users(250))
    assert all(r.ok for r in results)
    assert [r.call.key for r in results] == [u["primaryEmail"] for u in users(250)]
    assert len(server.directory.users) == 250
    assert len(server.calls_to("POST", "/batch/admin/directory_v1")) == 3  # 100 + 100 + 50
    assert server.calls_to("POST", "/admin/directory/v1/users") == []
    created = results[0].data
    assert created["id"] and "password" not in created


def test_batch_size_one_sends_each_call_on_its_own(
    server: GoogleServer, open_google: OpenSession
) -> None:
    api = open_google(tuning=Tuning(batch_size=1, concurrency=4)).api
    assert all(r.ok for r in directory.create_users(api, users(20)))
    assert len(server.calls_to("POST", "/admin/directory/v1/users")) == 20
    assert server.calls_to("POST", "/batch") == []


def test_a_batch_larger_than_googles_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="batch_size"):
        Tuning(batch_size=1001)


def test_a_taken_address_is_a_409_duplicate_for_that_item_only(
    server: GoogleServer, open_google: OpenSession
) -> None:
    server.directory.insert_user(dict(user(1)))
    api = open_google().api
    results = directory.create_users(api, users(3))
    assert [r.ok for r in results] == [True, False, True]
    assert results[1].status == 409 and results[1].reason == "duplicate"
    assert results[1].call.key == "student00001@district.example"


def test_an_injected_duplicate_is_reported_and_nothing_created(
    server: GoogleServer, open_google: OpenSession
) -> None:
    server.faults.add("duplicate", method="POST", path="/users", after=1)
    results = directory.create_users(open_google().api, users(3))
    assert [r.reason for r in results] == [None, "duplicate", None]
    assert len(server.directory.users) == 2


def test_an_ou_that_does_not_exist_is_a_400_for_that_item(
    server: GoogleServer, open_google: OpenSession
) -> None:
    results = directory.create_users(
        open_google().api, [user(1), user(2, "/Students/Nowhere"), user(3)]
    )
    assert [r.status for r in results] == [200, 400, 200]
    assert results[1].reason == "invalid"
    assert "INVALID_OU_ID" in (results[1].message or "")
    assert len(server.directory.users) == 2


def test_renaming_keeps_the_old_address_as_an_alias(
    server: GoogleServer, open_google: OpenSession
) -> None:
    api = open_google().api
    [created] = directory.create_users(api, [user(7)])
    old, new = "student00007@district.example", "jane.doe@district.example"
    [renamed] = directory.update_users(api, [(old, {"primaryEmail": new})])
    assert renamed.ok and renamed.data["primaryEmail"] == new
    assert old in renamed.data["aliases"]
    by_alias = directory.get_user(api, old)
    assert by_alias is not None and by_alias["id"] == created.data["id"]
    assert by_alias["primaryEmail"] == new
    # The alias still holds the address: another user cannot take it.
    taken = directory.create_users(api, [{**user(8), "primaryEmail": old}])
    assert taken[0].reason == "duplicate"


def test_suspend_moves_to_the_suspend_ou_and_delete_removes(
    server: GoogleServer, open_google: OpenSession
) -> None:
    server.directory.insert_ou({"name": "Suspended", "parentOrgUnitPath": "/"})
    api = open_google().api
    directory.create_users(api, users(3))
    keys = [u["primaryEmail"] for u in users(2)]
    results = directory.suspend_users(api, keys, move_to="/Suspended")
    assert all(r.ok for r in results)
    suspended = list(directory.list_users(api, query="isSuspended=true"))
    assert sorted(u["primaryEmail"] for u in suspended) == keys
    assert {u["orgUnitPath"] for u in suspended} == {"/Suspended"}
    deleted = directory.delete_users(api, [*keys, "nobody@district.example"])
    assert [r.status for r in deleted] == [204, 204, 404]
    assert deleted[2].reason == "notFound"
    assert len(list(directory.list_users(api))) == 1


def test_suspending_into_a_missing_ou_is_a_400(open_google: OpenSession) -> None:
    api = open_google().api
    directory.create_users(api, [user(1)])
    [result] = directory.suspend_users(api, [user(1)["primaryEmail"]], move_to="/Gone")
    assert result.status == 400 and "INVALID_OU_ID" in (result.message or "")


def test_nested_ous_are_created_parent_first(
    server: GoogleServer, open_google: OpenSession
) -> None:
    api = open_google().api
    made = directory.create_ou(api, "/Students/Lincoln")
    assert made["parentOrgUnitPath"] == "/Students"
    directory.create_ou(api, "/Students/Lincoln/Grade 9", description="Class of 2030")
    assert "/Students/Lincoln/Grade 9" in server.directory.ous
    with pytest.raises(ApiError) as exists:
        directory.create_ou(api, "/Students/Lincoln")
    assert exists.value.status == 409 and exists.value.code == "duplicate"
    with pytest.raises(ApiError) as orphan:
        directory.create_ou(api, "/Nowhere/Grade 9")
    assert orphan.value.status == 400
    assert "Invalid Parent Orgunit Id" in orphan.value.reason


def test_groups_and_members_with_roles(server: GoogleServer, open_google: OpenSession) -> None:
    api = open_google().api
    directory.create_users(api, users(4))
    group = directory.create_group(api, "algebra-1@district.example", "Algebra 1")
    assert group["id"]
    with pytest.raises(ApiError) as taken:
        directory.create_group(api, "algebra-1@district.example", "Algebra 1")
    assert taken.value.code == "duplicate"
    emails = [u["primaryEmail"] for u in users(4)]
    pairs = [(emails[0], "OWNER"), (emails[1], "MANAGER"), (emails[2], "MEMBER")]
    added = directory.add_members(api, group["email"], [*pairs, (emails[0], "MEMBER")])
    assert [r.status for r in added] == [200, 200, 200, 409]
    roles = {m["email"]: m["role"] for m in directory.list_members(api, group["email"])}
    assert roles == dict(pairs)
    removed = directory.remove_members(api, group["email"], [emails[1], emails[3]])
    assert [r.status for r in removed] == [204, 404]
    with pytest.raises(ValueError, match="role"):
        directory.add_members(api, group["email"], [(emails[3], "TEACHER")])
    directory.delete_group(api, group["email"])
    assert server.directory.groups == {}


def test_members_of_a_missing_group_fail_per_item(open_google: OpenSession) -> None:
    results = directory.add_members(
        open_google().api, "nogroup@district.example", [("a@district.example", "MEMBER")]
    )
    assert results[0].status == 404


def test_unknown_fields_are_refused_as_google_refuses_them(open_google: OpenSession) -> None:
    bad = {**user(1), "nickname": "JJ"}
    [result] = directory.create_users(open_google(tuning=FAST).api, [bad])  # type: ignore[list-item]
    assert result.status == 400 and "nickname" in (result.message or "")
