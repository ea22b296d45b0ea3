"""A saved plan as a contract: the exact change set a reviewer read, sealed with a key.

`apply FILE` carries out exactly the reviewed change set or refuses. A fresh plan made at
apply time (today's date counts: rollover windows, export_until) must have the same
contract digest as the file: the same records, actions, fields and values, the same held
set, the same conflicts and safety breaches. When it does not, `first_difference` names
the first change that differs, from the changes the file lists.

Values enter the digests only through an HMAC with the plan key, never as plain hashes:
a plain hash of a birth date or a name is guessed in seconds. The key lives outside the
plan file (the store's own key, or `PASSPORT_PLAN_KEY`), so an edited file cannot be
sealed again by hand.

For plans of millions of changes the file lists the first `LISTED` changes (what a
reviewer reads) and carries the digest of the whole change set.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from passport.model import Change, Held, Plan, Suppressed, first_changes

LISTED = 100_000  # changes (and held records) a saved file lists one by one


def key_id(key: bytes) -> str:
    """A name for the key that sealed a file, so a file from another store is told apart
    from an edited one. A hash of a random key gives nothing of it away."""
    return hashlib.sha256(b"passport plan key\x00" + key).hexdigest()[:12]


def _values(change: Change) -> bytes:
    return orjson.dumps(
        [change.before, change.after, change.agreed, change.modified],
        option=orjson.OPT_SORT_KEYS,
    )


def _change_line(change: Change) -> bytes:
    head = "\x1f".join(
        (
            change.direction.value,
            change.action.value,
            change.entity,
            change.key,
            change.app_key,
            ",".join(change.changed),
        )
    )
    return head.encode() + b"\x1f" + _values(change)


def _held_line(held: Suppressed) -> bytes:
    parts = (held.direction.value, held.action.value, held.entity, held.key, held.reason)
    return "\x1f".join(parts).encode()


def _record_held_line(held: Held) -> bytes:
    parts = (held.direction.value, held.entity, held.key, held.reason, held.place())
    return "\x1f".join(parts).encode()


def change_digest(key: bytes, change: Change) -> str:
    return hmac.new(key, _change_line(change), hashlib.sha256).hexdigest()[:32]


def contract_digest(key: bytes, plan: Plan) -> str:
    """The keyed digest of everything apply would do and hold back."""
    mac = hmac.new(key, f"passport contract\x00{plan.activation}".encode(), hashlib.sha256)
    for label, lines in (
        (b"changes", (_change_line(c) for c in plan.changes)),
        (b"suppressed", (_held_line(x) for x in plan.suppressed)),
        (b"held", (_record_held_line(h) for h in plan.held)),
        (b"conflicts", (_conflict_line(c) for c in plan.conflicts)),
        (b"breaches", (str(b).encode() for b in plan.breaches)),
    ):
        mac.update(b"\x1d" + label)
        for line in lines:
            mac.update(b"\x1e" + line)
    return mac.hexdigest()


def _conflict_line(conflict: Any) -> bytes:
    return orjson.dumps(
        [conflict.entity, conflict.key, conflict.kind, list(conflict.fields), conflict.resolution]
    )


def contract(key: bytes, plan: Plan) -> dict[str, Any]:
    """The `contract` object a saved plan carries."""
    listed = first_changes(plan.changes, LISTED)
    return {
        "digest": contract_digest(key, plan),
        "key_id": key_id(key),
        "changes": len(plan.changes),
        "held": len(plan.suppressed),
        "listed": len(listed),
        "change_digests": [change_digest(key, c) for c in listed],
    }


def seal(key: bytes, body: Mapping[str, Any]) -> str:
    """The HMAC of a plan document without its own `seal`."""
    rest = {k: v for k, v in body.items() if k != "seal"}
    return hmac.new(key, orjson.dumps(rest, option=orjson.OPT_SORT_KEYS), "sha256").hexdigest()


def seal_ok(key: bytes, body: Mapping[str, Any]) -> bool:
    stated = body.get("seal")
    return isinstance(stated, str) and hmac.compare_digest(stated, seal(key, body))


# --- naming the first difference --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Listed:
    direction: str
    action: str
    entity: str
    key: str
    changed: tuple[str, ...]
    digest: str

    @property
    def record(self) -> tuple[str, str, str]:
        return (self.direction, self.entity, self.key)

    def says(self) -> str:
        fields = f" ({', '.join(self.changed)})" if self.changed else ""
        return f"{self.action}s {self.entity} {self.key}{fields}"


def _reviewed(body: Mapping[str, Any]) -> list[_Listed]:
    digests = body.get("contract", {}).get("change_digests", [])
    out = []
    for change, digest in zip(body.get("changes", []), digests, strict=False):
        out.append(
            _Listed(
                str(change.get("direction")),
                str(change.get("action")),
                str(change.get("entity")),
                str(change.get("key")),
                tuple(change.get("changed_fields") or ()),
                str(digest),
            )
        )
    return out


def _fresh(key: bytes, changes: Sequence[Change]) -> list[_Listed]:
    return [
        _Listed(
            c.direction.value,
            c.action.value,
            c.entity,
            c.key,
            c.changed,
            change_digest(key, c),
        )
        for c in changes
    ]


def _held_reasons(body: Mapping[str, Any]) -> dict[tuple[str, str, str], str]:
    return {
        (str(x.get("direction")), str(x.get("entity")), str(x.get("key"))): str(x.get("reason"))
        for x in body.get("suppressed", [])
    }


def first_difference(key: bytes, body: Mapping[str, Any], plan: Plan) -> str:
    """In words, the first way the fresh `plan` differs from the reviewed plan `body`."""
    reviewed = _reviewed(body)
    fresh = _fresh(key, first_changes(plan.changes, len(reviewed) + 1))
    held_then = _held_reasons(body)
    by_record = {item.record: item for item in reviewed}
    for n, now in enumerate(fresh):
        if n < len(reviewed) and reviewed[n] == now:
            continue
        return _describe(now, by_record.get(now.record), held_then)
    if len(plan.changes) < len(reviewed):
        gone = reviewed[len(plan.changes)]
        return f"the reviewed plan {gone.says()}, which the fresh plan no longer would"
    listed = int(body.get("contract", {}).get("listed", 0))
    total = int(body.get("contract", {}).get("changes", 0))
    if total != len(plan.changes):
        return f"the reviewed plan has {total:,} changes, the fresh plan {len(plan.changes):,}"
    if listed < total:
        return f"a change after the first {listed:,} the file lists differs"
    return _held_difference(body, plan.suppressed) or (
        "the conflicts or safety breaches differ from the reviewed plan's"
    )


def _describe(
    now: _Listed, then: _Listed | None, held_then: Mapping[tuple[str, str, str], str]
) -> str:
    if then is None:
        held = held_then.get(now.record)
        if held is not None:
            return (
                f"the fresh plan {now.says()} ({now.direction}), which the reviewed plan "
                f"held back: {held}"
            )
        return f"the fresh plan {now.says()} ({now.direction}), which the reviewed plan does not"
    if (then.action, then.changed) != (now.action, now.changed):
        return f"the reviewed plan {then.says()}; the fresh plan {now.says()}"
    return (
        f"{now.entity} {now.key}: the fresh plan would {now.action} it with other values "
        "than the reviewed plan"
    )


def _held_difference(body: Mapping[str, Any], held: Iterable[Suppressed]) -> str:
    then = _held_reasons(body)
    now = {(x.direction.value, x.entity, x.key): x.reason for x in held}
    for record, reason in now.items():
        if then.get(record) != reason:
            direction, entity, key = record
            return f"the fresh plan holds back {entity} {key} ({direction}): {reason}"
    for record in then:
        if record not in now:
            direction, entity, key = record
            return (
                f"the reviewed plan held back {entity} {key} ({direction}); the fresh plan does not"
            )
    return ""
