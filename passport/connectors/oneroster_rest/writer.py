"""Writes: PUT /{collection}/{sourcedId} for creates and updates, DELETE for deletes.

Ops go out in waves: each run of consecutive ops on one entity and of one kind (writes or
deletes) runs under a concurrency bound, and the next waits for it, so the dependency
order the plan gives (orgs before classes, enrollments deleted before users) holds.
Every op succeeds or fails on its own. A PUT carries the whole record, so repeating it
changes nothing; a DELETE answered 404 is done already.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from passport.connectors.base import WriteOp, WriteResult
from passport.connectors.oneroster_rest import shapes
from passport.connectors.oneroster_rest.fields import COLLECTIONS
from passport.connectors.oneroster_rest.session import Session
from passport.errors import PassportError
from passport.model import Action

# The records as read, by entity and keys (from the snapshot a plan made), or nothing.
RawLookup = Callable[[str, list[str]], dict[str, Any]]


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class Writer:
    def __init__(
        self, session: Session, lookup: RawLookup, clock: Callable[[], str] = utc_now
    ) -> None:
        self._session = session
        self._lookup = lookup
        self._clock = clock

    def write(self, ops: Sequence[WriteOp]) -> list[WriteResult]:
        results: list[WriteResult | None] = [None] * len(ops)
        done = 0
        for wave in _waves(ops):
            entity = ops[wave[0]].entity
            updates = [ops[i].key for i in wave if ops[i].action is Action.UPDATE]
            raws = self._lookup(entity, updates) if updates and entity in COLLECTIONS else {}
            workers = max(1, min(self._session.tuning.write_concurrency, len(wave)))
            with ThreadPoolExecutor(workers, thread_name_prefix="oneroster-write") as pool:
                jobs = [(i, pool.submit(self._one, ops[i], raws.get(ops[i].key))) for i in wave]
                for i, job in jobs:
                    results[i] = job.result()
            done += len(wave)
            self._session.progress("writing", done, len(ops))
        return [r for r in results if r is not None]

    def _one(self, op: WriteOp, raw: Any) -> WriteResult:
        if op.entity not in COLLECTIONS:
            return WriteResult(op, False, f"{op.entity!r} is not a OneRoster collection")
        url = self._session.record_url(op.entity, op.key)
        http = self._session.http
        try:
            if op.action is Action.DELETE:
                http.send("DELETE", url)
            elif op.fields is None:
                return WriteResult(op, False, f"{op.action} of {op.key!r} has no fields")
            else:
                http.send("PUT", url, {COLLECTIONS[op.entity][1]: self._body(op, raw)})
        except PassportError as error:
            if op.action is Action.DELETE and getattr(error, "status", None) == 404:
                return WriteResult(op, True)  # already gone
            return WriteResult(op, False, http.redact(error.reason))
        return WriteResult(op, True)

    def _body(self, op: WriteOp, raw: Any) -> dict[str, Any]:
        settings = self._session.settings
        return shapes.body(
            op.entity,
            op.key,
            op.fields or {},
            version=settings.version,
            base_url=settings.base_url,
            now=self._clock(),
            raw=raw if isinstance(raw, dict) else None,
            modified=op.modified,
            resources_url=settings.resources_url,
        )


def _waves(ops: Sequence[WriteOp]) -> Iterator[list[int]]:
    """Indices of consecutive ops with the same entity and kind (delete or not)."""
    wave: list[int] = []
    for i, op in enumerate(ops):
        if wave:
            head = ops[wave[0]]
            same = head.entity == op.entity
            if not same or (head.action is Action.DELETE) != (op.action is Action.DELETE):
                yield wave
                wave = []
        wave.append(i)
    if wave:
        yield wave
