"""The application's side as read from a bundle: the `Snapshot` a plan reads."""

from __future__ import annotations

import csv
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path

from passport.connectors.oneroster_csv.bundle import ROLES, Bundle
from passport.connectors.oneroster_csv.columns import FOLDED
from passport.connectors.oneroster_csv.problems import Problems
from passport.connectors.oneroster_csv.roles import fold_roles
from passport.connectors.oneroster_csv.rows import Checks, Fold, Ref, RowReader, key_scan
from passport.connectors.oneroster_csv.values import Modified
from passport.errors import Problem
from passport.model import Record
from passport.oneroster import SPECS, Reference

# Entities others refer to: their keys are kept after a full read for reference checks.
REFERENCED = frozenset({"orgs", "academicSessions", "courses", "classes", "users"})
ROLE_REFS = (Reference("userSourcedId", "users"), Reference("orgSourcedId", "orgs"))


class CsvSnapshot:
    """A bundle opened for one plan. Reads stream; reference checks use key sets."""

    def __init__(self, path: Path, entities: Sequence[str], display: str | None = None) -> None:
        self._problems = Problems()
        self._bundle = Bundle(path, display or str(path), self._problems)
        self._keys: dict[str, set[str]] = {}
        self._modified: dict[str, Modified] = {}
        self._fold: Fold | None = None
        try:
            self._bundle.open_layouts(entities)
        except BaseException:
            self._bundle.close()
            raise

    @property
    def version(self) -> str:
        return self._bundle.version

    @property
    def warnings(self) -> list[Problem]:
        return self._problems.warnings

    def mode(self, entity: str) -> str:
        """bulk | delta | absent."""
        return self._bundle.mode(entity)

    def is_complete(self, entity: str) -> bool:
        return self._bundle.mode(entity) == "bulk"

    def watermark(self, entity: str) -> str | None:
        modified = self._modified.get(entity)
        return modified.newest if modified else None

    def read(self, entity: str, keys: Collection[str] | None = None) -> Iterator[Record]:
        if entity not in SPECS:
            raise KeyError(entity)
        if self._bundle.mode(entity) == "absent":
            return iter(())
        self._bundle.layout(entity)
        return self._read(entity, keys)

    def keys(self, entity: str) -> set[str]:
        """Every sourcedId of the entity's file (read keys-only, then kept)."""
        if entity not in self._keys:
            layout = self._bundle.layout(entity)
            # Bytes that are not UTF-8 are reported when the file itself is read.
            with self._bundle.source.open_binary(layout.file) as raw:
                lines = (line.decode("utf-8", "surrogateescape") for line in raw)
                rows = csv.reader(lines)
                next(rows, None)
                self._keys[entity] = key_scan(rows, layout.at("sourcedId"))
        return self._keys[entity]

    def extension_columns(self, entity: str) -> list[str]:
        """The entity's `metadata.*` columns (none when the file is absent)."""
        if self._bundle.mode(entity) == "absent":
            return []
        return [n for n in self._bundle.layout(entity).names if n.startswith("metadata.")]

    def close(self) -> None:
        self._bundle.close()

    # --- reading -------------------------------------------------------------------

    def _read(self, entity: str, keys: Collection[str] | None) -> Iterator[Record]:
        fold = self._roles() if entity == "users" and self.version == "1.2" else None
        modified = self._modified.setdefault(entity, Modified())
        checks = Checks(self._refs(entity, keys is None), fold, modified)
        return self._reader(entity, checks).records(keys)

    def _reader(self, entity: str, checks: Checks) -> RowReader:
        layout = self._bundle.layout(entity)
        return RowReader(layout, checks, self._problems, self._bundle.source, self._done)

    def _done(self, reader: RowReader, full: bool) -> None:
        self._problems.raise_if_any(self._bundle.display)
        if full and reader.layout.entity in REFERENCED:
            self._keys[reader.layout.entity] = reader.seen

    def _refs(self, entity: str, full: bool) -> list[Ref]:
        layout = self._bundle.layout(entity)
        if layout.mode != "bulk":
            return []  # a delta refers to records that live elsewhere
        spec_refs = ROLE_REFS if entity == ROLES else SPECS[entity].references
        refs = []
        for ref in spec_refs:
            index = layout.at(ref.field)
            if index < 0 or self._bundle.mode(ref.target) != "bulk":
                continue
            if entity == "users" and ref.field in FOLDED and self.version == "1.2":
                continue
            multi = entity != ROLES and SPECS[entity].is_multi(ref.field)
            if ref.target == entity and full:  # forward references: checked at the end
                refs.append(Ref(index, ref.field, ref.target, None, multi, deferred=True))
            else:
                refs.append(Ref(index, ref.field, ref.target, self.keys(ref.target), multi))
        return refs

    def _roles(self) -> Fold:
        if self._fold is None:
            if self._bundle.mode(ROLES) == "absent":
                self._fold = {}
            else:
                reader = self._reader(ROLES, Checks(self._refs(ROLES, True)))
                self._fold = fold_roles(reader.records(None))
        return self._fold
