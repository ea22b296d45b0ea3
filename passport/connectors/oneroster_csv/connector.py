"""The `oneroster-csv` application: a OneRoster CSV bundle in a folder or a .zip."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from passport.connectors.base import CarriedOf, ConnectContext, OpsOf, WriteOp, WriteResult
from passport.connectors.oneroster_csv.columns import is_extension
from passport.connectors.oneroster_csv.snapshot import CsvSnapshot
from passport.connectors.oneroster_csv.writer import write_bundle
from passport.errors import BundleError, Problem
from passport.model import Action, Record
from passport.oneroster import ENTITIES, SPECS


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class CsvConnector:
    """Reads the bundle at `path`; writes bulk (the bundle with the ops applied) or delta."""

    def __init__(
        self,
        path: Path,
        *,
        version: str = "1.1",
        processing: str = "bulk",
        clock: Callable[[], str] = utc_now,
        mode: str = "import",
        date_format: str | None = None,
        declared_version: str | None = None,
    ) -> None:
        if version not in ("1.1", "1.2"):
            raise BundleError(f"unsupported OneRoster version {version!r}", "use 1.1 or 1.2")
        if processing not in ("bulk", "delta"):
            raise BundleError(f"unknown processing {processing!r}", "use bulk or delta")
        self.path = path
        self.version = version
        self.processing = processing
        self.clock = clock
        self.mode = mode
        self.date_format = date_format
        self.declared_version = declared_version
        self._snapshots: list[CsvSnapshot] = []

    def snapshot(
        self,
        entities: Sequence[str],
        *,
        full: bool = True,
        watermarks: Mapping[str, str] | None = None,
    ) -> CsvSnapshot | EmptySnapshot:
        """The bundle as it is: bulk files are full listings, delta files are changes.

        An export target that does not exist yet, or is an empty folder, reads as empty
        (and not complete); an import or two-way source that is missing or empty is an
        error, never "everything was deleted"."""
        if self.mode == "export" and not _has_bundle(self.path):
            return EmptySnapshot()
        snap = CsvSnapshot(
            self.path,
            entities,
            date_format=self.date_format,
            declared_version=self.declared_version,
        )
        self._snapshots.append(snap)
        return snap

    def write(self, ops: Sequence[WriteOp]) -> list[WriteResult]:
        """Land every op in one new bundle, or raise BundleError leaving the old one."""
        _check_ops(ops)
        now = self.clock()
        if self.processing == "delta":
            entities = _delta(ops, now)
            write_bundle(self.path, entities, version=self.version, processing="delta", now=now)
        else:
            self._write_bulk(ops, now)
        return [WriteResult(op, True) for op in ops]

    def write_parts(self, ops_of: OpsOf, carried_of: CarriedOf | None = None) -> None:
        """Land every entity's ops (`ops_of`, read an entity at a time, as often as needed)
        in one new bundle, or raise BundleError leaving the old one. A bulk bundle holds
        only the entity being written; a delta bundle is written from all ops at once.
        `carried_of` names the fields each entity's ops carry (its extension columns),
        where the caller knows them without reading the ops; else they are read twice."""
        if self.processing == "delta":
            self.write([op for entity in ENTITIES for op in ops_of(entity)])
            return
        now = self.clock()
        current = CsvSnapshot(self.path, ENTITIES) if _has_bundle(self.path) else None
        try:
            entities: dict[str, Iterable[Record]] = {}
            extensions: dict[str, list[str]] = {}
            for entity in ENTITIES:
                has_file = current is not None and current.mode(entity) != "absent"
                carried = _carried(ops_of(entity)) if carried_of is None else carried_of(entity)
                if carried is None and not has_file:
                    continue
                extensions[entity] = _extension_columns(current, entity, [], carried or set())
                if current is not None and has_file:
                    mine = list(ops_of(entity))
                    _check_ops(mine)
                    entities[entity] = _apply(_checked(current, entity), mine, now)
                else:
                    entities[entity] = _written(ops_of, entity)
            write_bundle(self.path, entities, version=self.version, now=now, extensions=extensions)
        finally:
            if current is not None:
                current.close()

    def close(self) -> None:
        for snap in self._snapshots:
            snap.close()
        self._snapshots.clear()

    def _write_bulk(self, ops: Sequence[WriteOp], now: str) -> None:
        current = CsvSnapshot(self.path, ENTITIES) if _has_bundle(self.path) else None
        try:
            entities: dict[str, Iterator[Record]] = {}
            extensions: dict[str, list[str]] = {}
            for entity in ENTITIES:
                mine = [op for op in ops if op.entity == entity]
                has_file = current is not None and current.mode(entity) != "absent"
                if not mine and not has_file:
                    continue
                old = _checked(current, entity) if current and has_file else iter(())
                entities[entity] = _apply(old, mine, now)
                extensions[entity] = _extension_columns(current, entity, mine)
            write_bundle(self.path, entities, version=self.version, now=now, extensions=extensions)
        finally:
            if current is not None:
                current.close()


class EmptySnapshot:
    """An export target with no bundle yet: every entity reads empty, nothing is complete."""

    warnings: list[Problem] = []  # noqa: RUF012 - never appended to

    def is_complete(self, entity: str) -> bool:
        return False

    def read(self, entity: str, keys: Collection[str] | None = None) -> Iterator[Record]:
        return iter(())

    def watermark(self, entity: str) -> str | None:
        return None


def _apply(old: Iterator[Record], ops: list[WriteOp], now: str) -> Iterator[Record]:
    """The bundle's records with the ops applied; a written record keeps its own
    dateLastModified (none stays none in a bulk file: the writer gives delta rows `now`)."""
    by_key = {op.key: op for op in ops}
    for record in old:
        op = by_key.pop(record.key, None)
        if op is None:
            yield record
        elif op.action != Action.DELETE:
            yield Record(record.key, dict(op.fields or {}), op.modified)
    for op in by_key.values():
        if op.action != Action.DELETE:
            yield Record(op.key, dict(op.fields or {}), op.modified)


def _checked(current: CsvSnapshot, entity: str) -> Iterator[Record]:
    """The bundle's records of the entity, then a refusal if any row was held: the new
    bundle is never put in place (the write is atomic), so the old one stays."""
    yield from current.read(entity)
    _refuse_held(current, entity)


def _refuse_held(current: CsvSnapshot | None, entity: str) -> None:
    """A bundle is rewritten whole: rows passport could not read would be lost with it."""
    held = current.held(entity) if current is not None else []
    if held:
        first = held[0]
        raise BundleError(
            f"cannot rewrite the bundle: {len(held)} row(s) of {first.file} cannot be read "
            f"and would be lost ({first.place()}: {first.reason})",
            "fix those rows in the bundle (or remove them) and apply again",
        )


def _delta(ops: Sequence[WriteOp], now: str) -> dict[str, list[Record]]:
    entities: dict[str, list[Record]] = {}
    for op in ops:
        deleted = op.action == Action.DELETE
        fields = {} if deleted else dict(op.fields or {})
        modified = now if deleted else op.modified or now
        entities.setdefault(op.entity, []).append(Record(op.key, fields, modified, deleted))
    return entities


def _extension_columns(
    current: CsvSnapshot | None,
    entity: str,
    ops: list[WriteOp],
    carried: set[str] | None = None,
) -> list[str]:
    names = set(current.extension_columns(entity)) if current else set()
    # Every field name the ops carry first (a bulk export sends the same few names in
    # every record), then the extension check once per distinct name.
    carried = carried if carried is not None else set()
    for op in ops:
        carried.update(op.fields or ())
    names.update(n for n in carried if is_extension(n))
    return sorted(names)


def _carried(ops: Iterable[WriteOp]) -> set[str] | None:
    """The field names the ops carry, each op checked; None when there are no ops."""
    carried: set[str] | None = None
    for op in ops:
        _check_ops([op])
        carried = carried if carried is not None else set()
        carried.update(op.fields or ())
    return carried


def _written(ops_of: OpsOf, entity: str) -> Iterator[Record]:
    """A new file's records: the ops' writes, streamed (deletes have nothing to remove)."""
    for op in ops_of(entity):
        _check_ops([op])
        if op.action != Action.DELETE:
            yield Record(op.key, dict(op.fields or {}), op.modified)


def _has_bundle(path: Path) -> bool:
    return path.is_file() or (path.is_dir() and any(path.iterdir()))


def _check_ops(ops: Sequence[WriteOp]) -> None:
    for op in ops:
        if op.entity not in SPECS:
            raise BundleError(f"cannot write {op.entity!r}: not a OneRoster entity")
        if op.action != Action.DELETE and op.fields is None:
            raise BundleError(f"{op.action} of {op.entity} {op.key!r} has no fields")


def connect(delivery: Mapping[str, Any], ctx: ConnectContext) -> CsvConnector:
    """The factory the registry calls: `path`, `version` (1.1 | 1.2), `processing`,
    `date_format` (how a source writes dates that are not ISO 8601)."""
    raw = delivery.get("path")
    if not raw:
        raise BundleError("delivery.path is required: a folder or .zip holding the bundle")
    path = Path(str(raw)).expanduser()
    if not path.is_absolute():
        path = Path(ctx.base_dir) / path
    clock = ctx.extra.get("clock", utc_now)
    declared = delivery.get("version")
    date_format = delivery.get("date_format")
    return CsvConnector(
        path,
        version=str(declared or "1.1"),
        processing=str(delivery.get("processing", "bulk")),
        clock=clock,
        mode=ctx.mode,
        date_format=str(date_format) if date_format else None,
        declared_version=str(declared) if declared else None,
    )
