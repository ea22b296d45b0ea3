"""Carrying an export plan out in Google: accounts created (with an initial password
written once to `credentials_out`), patched, suspended or deleted; missing OUs created
when `create_ous` allows.

A 409 duplicate on create is never a crash: when the account at that address carries
this user's join key, an earlier attempt landed (a retry, a killed apply) and the create
counts as done; otherwise the address is another account's, and the create fails with
that reason for the next plan to link or renumber.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import secrets
import stat
import string
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

from passport.connectors.base import ConnectContext, WriteOp, WriteResult
from passport.connectors.google_workspace import groups
from passport.connectors.google_workspace.directory import (
    User,
    create_ou,
    create_users,
    delete_users,
    get_user,
    update_users,
)
from passport.connectors.google_workspace.http import Result
from passport.connectors.google_workspace.options import GoogleOptions
from passport.connectors.google_workspace.problems import ApiError
from passport.connectors.google_workspace.session import Session
from passport.connectors.google_workspace.values import primary_school, template_values
from passport.connectors.google_workspace.views import (
    UNLINKED,
    origin_marker,
    user_body,
    user_view,
)
from passport.errors import ConnectorError
from passport.model import Action, Fields

# No look-alikes (0 O 1 l I), so a printed password reads back right.
_LETTERS = "".join(c for c in string.ascii_letters if c not in "OIl")
_DIGITS = "23456789"
_SYMBOLS = "-_!#%+="
CREDENTIAL_COLUMNS = ("primaryEmail", "password", "givenName", "familyName", "orgUnitPath")
# What reads store records for a password template at apply time (the runner passes it).
StoreRecords = Callable[[str, list[str]], Mapping[str, Fields]]


def random_password(length: int) -> str:
    alphabet = _LETTERS + _DIGITS + _SYMBOLS
    while True:
        chars = [secrets.choice(alphabet) for _ in range(length)]
        if any(c in _DIGITS for c in chars) and any(c in _LETTERS for c in chars):
            return "".join(chars)


class Provisioner:
    def __init__(
        self,
        session: Session,
        options: GoogleOptions,
        context: ConnectContext,
        ids: dict[str, str],
        ous: set[str],
    ) -> None:
        self.api = session.api
        self.customer = session.settings.customer
        self.options = options
        self.context = context
        self.marker = origin_marker(context.activation)
        self.ids = ids  # app key -> Google id
        self.ous = ous

    def write(self, ops: Sequence[WriteOp]) -> list[WriteResult]:
        results: dict[int, WriteResult] = {}
        by_action: dict[Action, list[tuple[int, WriteOp]]] = {}
        grouped: list[tuple[int, WriteOp]] = []
        for n, op in enumerate(ops):
            if op.entity in ("classes", "enrollments") and self.options.groups is not None:
                grouped.append((n, op))
            elif op.entity != "users":
                results[n] = WriteResult(op, False, f"google-workspace does not write {op.entity}")
            else:
                by_action.setdefault(op.action, []).append((n, op))
        # Groups before accounts before memberships: the plan orders them so (classes,
        # users, enrollments), and a batch holds one apply's slice of that order.
        classes = [(n, op) for n, op in grouped if op.entity == "classes"]
        results.update(groups.write_groups(self.api, classes))
        writes = by_action.get(Action.CREATE, []) + by_action.get(Action.UPDATE, [])
        failed_ous = self._ensure_ous(
            [str((op.fields or {}).get("orgUnitPath") or "") for _, op in writes]
        )
        for n, op in writes:
            path = str((op.fields or {}).get("orgUnitPath") or "")
            if path in failed_ous:
                results[n] = WriteResult(op, False, failed_ous[path])
        pending = [(n, op) for n, op in by_action.get(Action.CREATE, []) if n not in results]
        results.update(self._create(pending))
        pending = [(n, op) for n, op in by_action.get(Action.UPDATE, []) if n not in results]
        results.update(self._update(pending))
        results.update(self._delete(by_action.get(Action.DELETE, [])))
        memberships = [(n, op) for n, op in grouped if op.entity == "enrollments"]
        results.update(groups.write_memberships(self.api, memberships))
        return [results[n] for n in range(len(ops))]

    # --- OUs ------------------------------------------------------------------------------

    def _ensure_ous(self, paths: list[str]) -> dict[str, str]:
        """Create the missing OUs (parents first) when create_ous allows; path -> why it
        could not be had."""
        failed: dict[str, str] = {}
        for path in sorted({p for p in paths if p and p not in self.ous}):
            if not self.options.create_ous:
                failed[path] = f"OU {path} does not exist in Google and create_ous is off"
                continue
            parts = path.strip("/").split("/")
            for depth in range(1, len(parts) + 1):
                level = "/" + "/".join(parts[:depth])
                if level in self.ous:
                    continue
                try:
                    create_ou(self.api, level, customer=self.customer)
                except ApiError as error:
                    if error.status != 409:
                        failed[path] = f"could not create OU {level}: {error.reason}"
                        break
                self.ous.add(level)
        return failed

    # --- users ----------------------------------------------------------------------------

    def _create(self, ops: list[tuple[int, WriteOp]]) -> dict[int, WriteResult]:
        out: dict[int, WriteResult] = {}
        if not ops:
            return out
        if not self.options.credentials_out:
            for n, op in ops:
                out[n] = WriteResult(
                    op, False, "set credentials_out: new accounts' passwords go there"
                )
            return out
        try:
            fd = self._credentials()
        except ConnectorError as error:
            return {n: WriteResult(op, False, error.reason) for n, op in ops}
        try:
            return self._create_with(ops, fd)
        finally:
            os.close(fd)

    def _create_with(self, ops: list[tuple[int, WriteOp]], fd: int) -> dict[int, WriteResult]:
        out: dict[int, WriteResult] = {}
        passwords = self._passwords([op for _, op in ops])
        bodies: list[tuple[int, WriteOp, User]] = []
        for n, op in ops:
            password = passwords.get(op.key)
            if password is None:
                out[n] = WriteResult(op, False, "the password template cannot be filled for it")
                continue
            body = cast(User, user_body(op.fields or {}, full=True, marker=self.marker))
            body["password"] = password
            body["changePasswordAtNextLogin"] = self.options.passwords.change_at_next_login
            bodies.append((n, op, body))
        answers = create_users(self.api, [body for _, _, body in bodies])
        handed_out: list[Mapping[str, Any]] = []
        for (n, op, body), answer in zip(bodies, answers, strict=True):
            if answer.ok:
                self.ids[op.key] = str((answer.data or {}).get("id") or "")
                handed_out.append(body)
                out[n] = WriteResult(op, True)
            else:
                out[n] = self._failed_create(op, answer)
        if handed_out:
            self._hand_out(fd, handed_out)
        return out

    def _failed_create(self, op: WriteOp, answer: Result) -> WriteResult:
        email = str((op.fields or {}).get("primaryEmail") or "")
        if answer.status == 409 and email:
            existing = get_user(self.api, email)
            if existing is not None and user_view(existing)[0] == op.key:
                # An earlier attempt landed (a lost answer, a killed apply): it is ours.
                self.ids[op.key] = str(existing.get("id") or "")
                return WriteResult(op, True)
            return WriteResult(
                op,
                False,
                f"{email} is already another account's (409 duplicate): the next plan links "
                "it or gives the user another address",
            )
        return WriteResult(op, False, answer.message or f"create failed ({answer.status})")

    def _update(self, ops: list[tuple[int, WriteOp]]) -> dict[int, WriteResult]:
        out: dict[int, WriteResult] = {}
        changes: list[tuple[int, WriteOp, str]] = []
        for n, op in ops:
            target = self._google_id(op)
            if target is None:
                out[n] = WriteResult(op, False, "the account is no longer in Google")
            else:
                changes.append((n, op, target))
        bodies = [
            (target, cast(User, user_body(op.fields or {}, full=False, marker=self.marker)))
            for _, op, target in changes
        ]
        for (n, op, _), answer in zip(changes, update_users(self.api, bodies), strict=True):
            out[n] = WriteResult(op, answer.ok, None if answer.ok else answer.message)
        return out

    def _delete(self, ops: list[tuple[int, WriteOp]]) -> dict[int, WriteResult]:
        out: dict[int, WriteResult] = {}
        targets: list[tuple[int, WriteOp, str]] = []
        for n, op in ops:
            target = self._google_id(op)
            if target is None:
                out[n] = WriteResult(op, True)  # already gone
            else:
                targets.append((n, op, target))
        answers = delete_users(self.api, [t for _, _, t in targets])
        for (n, op, _), answer in zip(targets, answers, strict=True):
            ok = answer.ok or answer.status == 404
            out[n] = WriteResult(op, ok, None if ok else answer.message)
        return out

    def _google_id(self, op: WriteOp) -> str | None:
        if op.key.startswith(UNLINKED):
            return op.key[len(UNLINKED) :]
        found = self.ids.get(op.key)
        if found:
            return found
        email = str((op.fields or {}).get("primaryEmail") or "")
        user = get_user(self.api, email) if email else None
        return str(user.get("id")) if user is not None and user.get("id") else None

    # --- passwords ------------------------------------------------------------------------

    def _passwords(self, ops: list[WriteOp]) -> dict[str, str]:
        policy = self.options.passwords
        if policy.policy == "random" or policy.template is None:
            return {op.key: random_password(policy.length) for op in ops}
        reader = self.context.extra.get("store_records")
        records: Mapping[str, Fields] = (
            reader("users", [op.key for op in ops]) if callable(reader) else {}
        )
        schools = sorted({primary_school(f) for f in records.values()} - {""})
        orgs = reader("orgs", schools) if callable(reader) and schools else {}
        names = {k: str(v.get("name") or k) for k, v in orgs.items()}
        today = dt.date.today()  # the day the account is made: its gradYear
        out: dict[str, str] = {}
        for op in ops:
            fields = records.get(op.key)
            if fields is None:
                continue
            values = template_values(
                op.key, fields, domain=self.options.domain, orgs=names, today=today
            )
            rendered = policy.template.render(values)
            if rendered:
                out[op.key] = rendered
        return out

    def _credentials(self) -> int:
        """credentials_out opened for appending (0600), before any account is created: a
        file that cannot take the passwords stops the creates, never loses a password.
        Never through a symlink, never anything but a regular file."""
        path = Path(str(self.options.credentials_out)).expanduser()
        if not path.is_absolute():
            path = Path(self.context.base_dir) / path
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o600)
        except OSError as error:
            raise ConnectorError(
                f"credentials_out {path} cannot be written: {error.strerror}",
                "new accounts' initial passwords go there; no account was created",
            ) from None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise ConnectorError(f"credentials_out {path} is not a regular file")
        os.fchmod(fd, 0o600)
        return fd

    def _hand_out(self, fd: int, created: list[Mapping[str, Any]]) -> None:
        """Append the new accounts' initial passwords, once."""
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        if os.fstat(fd).st_size == 0:
            writer.writerow(CREDENTIAL_COLUMNS)
        for body in created:
            name = body.get("name") or {}
            writer.writerow(
                (
                    body.get("primaryEmail", ""),
                    body.get("password", ""),
                    name.get("givenName", ""),
                    name.get("familyName", ""),
                    body.get("orgUnitPath", ""),
                )
            )
        os.write(fd, text.getvalue().encode("utf-8"))
        os.fsync(fd)
