"""A plan's changes, kept in memory while few and spilled to a temporary file when many.

A first import of a large district plans millions of creates, each carrying its whole
record; held in memory they need several GiB. A `ChangeLog` keeps at most `spill_at`
changes in memory: beyond that it sorts them in plan order (`order_key`, the order of
`builder.order_changes`) and writes them as one *run* to an anonymous temporary file.
Iterating merges the runs, reading each a block at a time, so memory stays bounded while
the plan is still exactly the set of changes that is reviewed and applied: nothing is
read again from the source.

The file is `tempfile.TemporaryFile`: unlinked as soon as it is made and readable only
by its owner (mode 0600), so nothing of it is left behind, even by a crash. It is the
plan's one piece of I/O, an implementation detail no caller sees.

A log that never spilled behaves as the list it holds. The threshold comes from
`PASSPORT_SPILL_AT` (tests set it tiny to spill small plans).
"""

from __future__ import annotations

import heapq
import os
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from itertools import count
from typing import IO, Any

import orjson

from passport.model import NO_FIELDS, Action, Change, Direction
from passport.oneroster import ENTITIES
from passport.plan.fingerprint import TOTAL_MOD, change_digest, changes_total

SPILL_AT = 50_000
_BLOCK = 1 << 16  # bytes read from a run at a time
_RANK = {e: i for i, e in enumerate(ENTITIES)}
_ACTIONS = {a.value: a for a in Action}
_DIRECTIONS = {d.value: d for d in Direction}
# Withdrawable actions: what an import plans from a record it later holds.
_FROM_RECORDS = frozenset({Action.CREATE, Action.UPDATE, Action.LINK})
# Appends across all logs, in order: ties in plan order keep the order changes were made.
_SEQUENCE = count()

# (deletes last, entity rank (reversed for deletes), direction, key, order of appending)
OrderKey = tuple[int, int, str, str, int]


def spill_threshold() -> int:
    """How many changes a log keeps in memory before it spills (`PASSPORT_SPILL_AT`)."""
    value = os.environ.get("PASSPORT_SPILL_AT", "")
    return max(1, int(value)) if value.isdigit() else SPILL_AT


def order_key(change: Change, seq: int) -> OrderKey:
    """Creates and updates in dependency order, then deletes in reverse dependency order;
    within an entity and direction by key."""
    rank = _RANK[change.entity]
    if change.action is Action.DELETE:
        return (1, -rank, change.direction.value, change.key, seq)
    return (0, rank, change.direction.value, change.key, seq)


# A run's sections: (deletes last, entity rank, direction) -> where its changes lie.
_Section = tuple[int, int, str]
# Of a section's changes that write data: how many, and the names of the fields they write.
_Writes = tuple[int, frozenset[str]]


class _Run:
    """One sorted run of encoded changes in the log's file: bytes [start, end), one
    change a line; `sections` says where each entity's writes and deletes lie in it,
    `total` is the order-free total of its changes' digests (`fingerprint.change_digest`)
    and `writes` what its export sections write (`ChangeLog.writes_of`)."""

    __slots__ = ("end", "file", "sections", "start", "total", "writes")

    def __init__(
        self,
        file: IO[bytes],
        start: int,
        end: int,
        sections: dict[_Section, tuple[int, int]] | None = None,
        total: int = 0,
        writes: dict[_Section, _Writes] | None = None,
    ) -> None:
        self.file, self.start, self.end = file, start, end
        self.sections = sections or {}
        self.total = total
        self.writes = writes or {}

    def section(self, which: _Section) -> _Run | None:
        where = self.sections.get(which)
        return None if where is None else _Run(self.file, *where)

    def __iter__(self) -> Iterator[tuple[OrderKey, Change]]:
        fd, offset, end = self.file.fileno(), self.start, self.end
        rest = b""
        while offset < end:
            block = os.pread(fd, min(_BLOCK, end - offset), offset)
            if not block:
                raise OSError("a plan's spill file ended early")
            offset += len(block)
            lines = (rest + block).split(b"\n")
            rest = lines.pop()
            for line in lines:
                yield _decode(line)
        if rest:
            yield _decode(rest)


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"cannot spill {type(value).__name__}")


def _encode(key: OrderKey, c: Change) -> bytes:
    """One line: the change's order key first (read back as it is), then its fields."""
    return orjson.dumps(
        [
            *key,
            c.entity,
            c.action.value,
            c.before,
            c.after,
            c.changed,
            c.identity or None,
            c.school,
            c.reason,
            c.modified,
            c.app_key,
            c.agreed,
        ],
        default=_plain,
    )


def _decode(line: bytes) -> tuple[OrderKey, Change]:
    group, rank, direction, key, seq, entity, action, before, after, changed, *rest = orjson.loads(
        line
    )
    identity, school, reason, modified, app_key, agreed = rest
    change = Change(
        entity,
        key,
        _ACTIONS[action],
        _DIRECTIONS[direction],
        before,
        after,
        tuple(changed) if changed else (),
        identity or NO_FIELDS,
        school,
        reason,
        modified,
        app_key,
        agreed,
    )
    return (group, rank, direction, key, seq), change


class ChangeLog:
    """Changes in plan order: appended in any order, iterated sorted (repeatably).

    `withdraw` takes changes planned from records later held back out again; `counts`
    and `len` are kept as changes are appended, so neither reads the spilled runs."""

    def __init__(self, changes: Iterable[Change] = (), *, spill_at: int | None = None) -> None:
        self._spill_at = spill_at if spill_at is not None else spill_threshold()
        self._buffer: list[tuple[OrderKey, Change]] = []
        self._sorted = True
        self._runs: list[_Run] = []
        self._file: IO[bytes] | None = None
        self._files: list[IO[bytes]] = []  # every file a run lives in (absorbed logs' too)
        # (direction, entity, action) -> changes: the summaries and counts, kept as added
        self._counts: Counter[tuple[Direction, str, Action]] = Counter()
        self._withdrawn: set[tuple[str, Direction, str]] = set()
        self._stale = False  # counts unknown: a withdrawal reached into the runs
        self.extend(changes)

    # --- building -------------------------------------------------------------------

    def append(self, change: Change) -> None:
        self._add((order_key(change, next(_SEQUENCE)), change))

    def extend(self, changes: Iterable[Change]) -> None:
        for change in changes:
            self.append(change)

    def absorb(self, other: ChangeLog) -> None:
        """Take over every change of `other` (its runs as they are, not copied)."""
        if other is self:
            return
        self._runs += other._runs
        self._files += [f for f in other._files if f not in self._files]
        self._withdrawn |= other._withdrawn
        self._stale = self._stale or other._stale
        if not other._stale:
            run_counts = other._counts.copy()
            run_counts.subtract((c.direction, c.entity, c.action) for _, c in other._buffer)
            self._counts.update(run_counts)
        buffered = other._buffer
        other._buffer, other._runs, other._counts = [], [], Counter()
        for item in buffered:  # with the order each was given when it was made
            self._add(item)

    def _add(self, item: tuple[OrderKey, Change]) -> None:
        change = item[1]
        self._buffer.append(item)
        self._sorted = False
        self._counts[(change.direction, change.entity, change.action)] += 1
        if len(self._buffer) >= self._spill_at:
            self._spill()

    def withdraw(self, entity: str, direction: Direction, keys: set[str]) -> None:
        """Take back out the created, updated or linked records of `keys`."""
        if not keys:
            return
        kept = []
        for item in self._buffer:
            c = item[1]
            if (
                c.entity == entity
                and c.direction is direction
                and c.key in keys
                and c.action in _FROM_RECORDS
            ):
                self._counts[(c.direction, c.entity, c.action)] -= 1
                continue
            kept.append(item)
        self._buffer = kept
        if self._runs:
            self._withdrawn.update((entity, direction, k) for k in keys)
            self._stale = True

    def _spill(self) -> None:
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="passport-plan-")  # noqa: SIM115
            self._files.append(self._file)
        self._buffer.sort(key=_first)
        file = self._file
        file.seek(0, os.SEEK_END)
        start = offset = file.tell()
        sections: dict[_Section, tuple[int, int]] = {}
        lines: list[bytes] = []
        total = 0
        # What each export section writes: a bundle's header (its extension columns) is
        # known before its rows are read back.
        writes: dict[_Section, tuple[int, set[str]]] = {}
        for key, c in self._buffer:
            total += change_digest(c)
            if c.direction is Direction.EXPORT and c.writes_data:
                n, names = writes.setdefault(key[:3], (0, set()))
                names.update(c.agreed_fields() or ())
                writes[key[:3]] = (n + 1, names)
            line = _encode(key, c) + b"\n"
            lines.append(line)
            which = key[:3]
            begun = sections.get(which)
            sections[which] = (offset if begun is None else begun[0], offset + len(line))
            offset += len(line)
        file.write(b"".join(lines))
        file.flush()
        kept = {which: (n, frozenset(names)) for which, (n, names) in writes.items()}
        self._runs.append(_Run(file, start, offset, sections, total % TOTAL_MOD, kept))
        self._buffer = []
        self._sorted = True

    # --- reading --------------------------------------------------------------------

    @property
    def spilled(self) -> bool:
        return bool(self._runs)

    def __iter__(self) -> Iterator[Change]:
        if not self._sorted:
            self._buffer.sort(key=_first)
            self._sorted = True
        if not self._runs:
            return (c for _, c in self._buffer)
        merged = heapq.merge(*self._runs, list(self._buffer), key=_first)
        if not self._withdrawn:
            return (c for _, c in merged)
        return (c for _, c in merged if not self._is_withdrawn(c))

    def of(
        self, entity: str, direction: Direction, *, deletes: bool | None = None
    ) -> Iterator[Change]:
        """The changes of one entity in one direction, in plan order (only its writes or
        only its deletes, if `deletes` says), reading only the parts of the runs that
        hold them."""
        rank = _RANK[entity]
        if not self._sorted:
            self._buffer.sort(key=_first)
            self._sorted = True
        sections: list[_Section] = [(0, rank, direction.value), (1, -rank, direction.value)]
        if deletes is not None:
            sections = sections[1:] if deletes else sections[:1]
        for which in sections:
            runs = [part for run in self._runs if (part := run.section(which)) is not None]
            mine = [item for item in self._buffer if item[0][:3] == which]
            merged = heapq.merge(*runs, mine, key=_first) if runs else iter(mine)
            for _, c in merged:
                if not (self._withdrawn and self._is_withdrawn(c)):
                    yield c

    def _is_withdrawn(self, c: Change) -> bool:
        return c.action in _FROM_RECORDS and (c.entity, c.direction, c.key) in self._withdrawn

    def tally(self) -> Mapping[tuple[Direction, str, Action], int]:
        """How many changes the log holds of each direction, entity and action."""
        if self._stale:
            self._counts = Counter((c.direction, c.entity, c.action) for c in self)
            self._stale = False
        return self._counts

    def total(self) -> int:
        """The order-free total of the digests of the changes the log holds: kept run by
        run as they are written, so the runs are read only when a withdrawal reached into
        them (which of a run's changes it took is known only by reading)."""
        if self._withdrawn:
            return changes_total(self)
        written = sum(run.total for run in self._runs)
        return (written + changes_total(c for _, c in self._buffer)) % TOTAL_MOD

    def writes_of(self, entity: str, direction: Direction) -> tuple[int, set[str]] | None:
        """How many of the entity's changes in `direction` write data, and the names of
        the fields they write, reading none of the runs (kept as they are written, for
        the export direction); None when that cannot be told without reading them."""
        if self._withdrawn or direction is not Direction.EXPORT:
            return None
        rank, n, names = _RANK[entity], 0, set[str]()
        for which in ((0, rank, direction.value), (1, -rank, direction.value)):
            for run in self._runs:
                count, written = run.writes.get(which, (0, frozenset()))
                n += count
                names |= written
        for _, c in self._buffer:
            if c.entity == entity and c.direction is direction and c.writes_data:
                n += 1
                names.update(c.agreed_fields() or ())
        return n, names

    def counts(self) -> Mapping[Action, int]:
        """How many changes of each action the log holds."""
        out: Counter[Action] = Counter()
        for (_, _, action), n in self.tally().items():
            out[action] += n
        return out

    def __len__(self) -> int:
        return sum(self.tally().values())

    def appended(self) -> Iterator[Change]:
        """The changes in the order they were added while the log is in memory (in plan
        order once it spilled: the order of appending is not kept on disk)."""
        if self._runs:
            return iter(self)
        return (c for _, c in sorted(self._buffer, key=_seq))

    def __bool__(self) -> bool:
        return len(self) > 0

    def close(self) -> None:
        for file in self._files:
            file.close()


def _seq(item: tuple[OrderKey, Change]) -> int:
    return item[0][4]


def _first(item: tuple[OrderKey, Change]) -> OrderKey:
    return item[0]
