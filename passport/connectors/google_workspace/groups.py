"""Writing groups per class: groups created, renamed or deleted; memberships added, their
role changed or removed (teachers as OWNER). A group or membership that is already there
on create counts as done (409 duplicate: a retry, or a group adopted by address); one that
is already gone on delete too (404)."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

from passport.connectors.base import WriteOp, WriteResult
from passport.connectors.google_workspace.batch import execute
from passport.connectors.google_workspace.directory import V1
from passport.connectors.google_workspace.http import Api, Call, Result
from passport.model import Action


def _key(value: str) -> str:
    return quote(value, safe="@")


def _call(op: WriteOp) -> Call:
    fields = op.fields or {}
    if op.entity == "classes":
        email = str(fields.get("email") or op.key)
        if op.action is Action.CREATE:
            body = {"email": email, "name": str(fields.get("name") or email)}
            return Call("POST", f"{V1}/groups", body=body, key=email)
        if op.action is Action.UPDATE:
            body = {"name": str(fields.get("name") or email)}
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


def _result(op: WriteOp, answer: Result) -> WriteResult:
    done = answer.ok
    done |= op.action is Action.CREATE and answer.status == 409
    done |= op.action is Action.DELETE and answer.status == 404
    return WriteResult(op, done, None if done else answer.message)


def _write(api: Api, ops: Sequence[tuple[int, WriteOp]]) -> dict[int, WriteResult]:
    answers = execute(api, [_call(op) for _, op in ops])
    return {n: _result(op, a) for (n, op), a in zip(ops, answers, strict=True)}


def write_groups(api: Api, ops: Sequence[tuple[int, WriteOp]]) -> dict[int, WriteResult]:
    return _write(api, ops)


def write_memberships(api: Api, ops: Sequence[tuple[int, WriteOp]]) -> dict[int, WriteResult]:
    return _write(api, ops)
