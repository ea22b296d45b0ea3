"""Writing groups per class: groups created (their description the class's join key),
renamed or deleted; memberships added, their role changed or removed (teachers as OWNER).
A group that is already there on create counts as done only when it carries the class's
join key (409 duplicate: a retry whose first answer was lost); another's group at that
address fails the create with the reason (the next plan numbers the address). A
membership already there on create, and one already gone on delete (404), count as done."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

from passport.connectors.base import WriteOp, WriteResult
from passport.connectors.google_workspace.batch import execute
from passport.connectors.google_workspace.directory import V1
from passport.connectors.google_workspace.group_fields import join_description, join_key
from passport.connectors.google_workspace.http import Api, Call, Result
from passport.model import Action


def _key(value: str) -> str:
    return quote(value, safe="@")


def _call(op: WriteOp) -> Call:
    fields = op.fields or {}
    if op.entity == "classes":
        email = str(fields.get("email") or op.key)
        body = {"name": str(fields.get("name") or email)}
        if fields.get("joinKey"):
            body["description"] = join_description(str(fields["joinKey"]))
        if op.action is Action.CREATE:
            body["email"] = email
            return Call("POST", f"{V1}/groups", body=body, key=email)
        if op.action is Action.UPDATE:
            return Call("PATCH", f"{V1}/groups/{_key(op.key)}", body=body, key=op.key)
        return Call("DELETE", f"{V1}/groups/{_key(op.key)}", key=op.key)
    group, _, member = op.key.rpartition("/")
    group = str(fields.get("group") or group)
    member = str(fields.get("member") or member)
    path = f"{V1}/groups/{_key(group)}/members"
    if op.action is Action.CREATE:
        body = {"email": member, "role": str(fields.get("role") or "MEMBER")}
        return Call("POST", path, body=body, key=member)
    if op.action is Action.UPDATE:
        body = {"role": str(fields.get("role") or "MEMBER")}
        return Call("PATCH", f"{path}/{_key(member)}", body=body, key=member)
    return Call("DELETE", f"{path}/{_key(member)}", key=member)


def _result(api: Api, op: WriteOp, answer: Result) -> WriteResult:
    done = answer.ok or (op.action is Action.DELETE and answer.status == 404)
    if op.action is Action.CREATE and answer.status == 409:
        if op.entity != "classes" or _ours(api, op):
            done = True
        else:
            email = (op.fields or {}).get("email") or op.key
            reason = (
                f"{email} is already another group's (409 duplicate): not adopted; the next "
                "plan gives the class a numbered address"
            )
            return WriteResult(op, False, reason)
    return WriteResult(op, done, None if done else answer.message)


def _ours(api: Api, op: WriteOp) -> bool:
    """Whether the group at a class's address carries the class's join key."""
    fields = op.fields or {}
    email = str(fields.get("email") or op.key)
    found = api.result(Call("GET", f"{V1}/groups/{_key(email)}", key=email))
    data = found.data if found.ok and isinstance(found.data, dict) else {}
    return join_key(str(data.get("description") or "")) == fields.get("joinKey")


def _write(api: Api, ops: Sequence[tuple[int, WriteOp]]) -> dict[int, WriteResult]:
    answers = execute(api, [_call(op) for _, op in ops])
    return {n: _result(api, op, a) for (n, op), a in zip(ops, answers, strict=True)}


def write_groups(api: Api, ops: Sequence[tuple[int, WriteOp]]) -> dict[int, WriteResult]:
    return _write(api, ops)


def write_memberships(api: Api, ops: Sequence[tuple[int, WriteOp]]) -> dict[int, WriteResult]:
    return _write(api, ops)
