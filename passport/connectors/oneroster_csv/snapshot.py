"""The application's side as read from a bundle: the `Snapshot` a plan reads.

Rows that fail a check are held (`held(entity)`), not yielded; the rest of the bundle
reads on. Problems of the bundle itself (its manifest, a header, a file that cannot be
decoded or parsed) refuse it: those of the manifest and the headers when it opens, and
those found while reading in `raise_problems()`, every file's problems together.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path

from passport.connectors.oneroster_csv.bundle import (
    PROFILES,
    ROLES,
    USER_FILES,
    Bundle,
    file_of,
    required_of,
)
from passport.connectors.oneroster_csv.columns import FOLDED
from passport.connectors.oneroster_csv.manifest import MANIFEST
from passport.connectors.oneroster_csv.problems import Problems
from passport.connectors.oneroster_csv.roles import Folded, fold_profiles, fold_roles
from passport.connectors.oneroster_csv.rows import Checks, Ref, RowReader, key_scan
from passport.connectors.oneroster_csv.values import DateReader, Modified
from passport.errors import Problem
from passport.model import Held, Record
from passport.oneroster import SPECS, Reference

# Entities others refer to: their keys are kept after a full read for reference checks.
REFERENCED = frozenset({"orgs", "academicSessions", "courses", "classes", "users"})
ROLE_REFS = (Reference("userSourcedId", "users"), Reference("orgSourcedId", "orgs"))
PROFILE_REFS = (Reference("userSourcedId", "users"),)


class CsvSnapshot:
    """A bundle opened for one plan. Reads stream; reference checks use key sets."""

    def __init__(
        self,
        path: Path,
        entities: Sequence[str],
        display: str | None = None,
        *,
        date_format: str | None = None,
        declared_version: str | None = None,
    ) -> None:
        self._problems = Problems()
        self._bundle = Bundle(path, display or str(path), self._problems)
        self._keys: dict[str, set[str]] = {}
        self._modified: dict[str, Modified] = {}
        self._held: dict[str, list[Held]] = {}
        self._broken: set[str] = set()
        self._dates = DateReader(date_format)
        self._fold: Folded | None = None
        self._preheld: dict[str, Held] = {}
        try:
            self._bundle.open_layouts(entities)
        except BaseException:
            self._bundle.close()
            raise
        self._warn_version(declared_version)
        # Warnings of the bundle as it opens; later ones are about rows read.
        self._opening_warnings = len(self._problems.warnings)
        self._contents: dict[str, str | None] = {}

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
        """A bulk file read to its end: a file that broke off is never a full listing."""
        return self._bundle.mode(entity) == "bulk" and entity not in self._broken

    def watermark(self, entity: str) -> str | None:
        modified = self._modified.get(entity)
        return modified.newest if modified else None

    def held(self, entity: str) -> list[Held]:
        """The rows of the entity's last full read that were held, with reason and place."""
        return list(self._held.get(entity, ()))

    def raise_problems(self) -> None:
        """Raise one BundleError for every problem of the files read (bytes that are not
        UTF-8, CSV that cannot be parsed); each such file refuses its entity."""
        self._problems.raise_if_any(self._bundle.display)

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

    def content_digest(self, entity: str) -> str | None:
        """A digest of what the entity's files hold and how they are read (the bundle's
        version, each file's mode and bytes; users with the files 1.2 folds into them),
        for a plan to skip an entity whose files did not change; None for a delta."""
        if entity not in self._contents:
            self._contents[entity] = self._content_digest(entity)
        return self._contents[entity]

    def quiet(self, entity: str) -> bool:
        """Whether reading the entity's files warned about none of their rows."""
        files = {file_of(e).lower() for e in self._files_of(entity)}
        later = self._problems.warnings[self._opening_warnings :]
        return not any(w.file.lower() in files for w in later)

    def _files_of(self, entity: str) -> list[str]:
        if entity == "users":
            return ["users", *(e for e in USER_FILES if self.mode(e) != "absent")]
        return [entity]

    def _content_digest(self, entity: str) -> str | None:
        hasher = hashlib.blake2b(digest_size=16)
        hasher.update(f"{self.version}\x1f{self._dates.format}".encode())
        for part in self._files_of(entity):
            mode = self.mode(part)
            hasher.update(f"\x1e{part}\x1f{mode}\x1f".encode())
            if mode == "delta":
                return None
            if mode == "absent":
                continue
            with self._bundle.source.open_binary(file_of(part)) as raw:
                while chunk := raw.read(1 << 20):
                    hasher.update(chunk)
        return hasher.hexdigest()

    def extension_columns(self, entity: str) -> list[str]:
        """The entity's extension columns, `metadata.*` and `ext_*` (none when absent)."""
        if self._bundle.mode(entity) == "absent":
            return []
        names = self._bundle.layout(entity).names
        return [n for n in names if n.startswith(("metadata.", "ext_"))]

    def empty_bulk(self, entity: str) -> bool:
        """Whether the entity's file is bulk with a header and no rows."""
        return entity in self._bundle.empty

    def close(self) -> None:
        self._bundle.close()

    # --- reading -------------------------------------------------------------------

    def _read(self, entity: str, keys: Collection[str] | None) -> Iterator[Record]:
        fold = self._users_fold() if entity == "users" and self.version == "1.2" else None
        modified = self._modified.setdefault(entity, Modified())
        preheld = self._preheld if fold is not None else {}
        roles = fold is not None and self._bundle.mode(ROLES) == "bulk"
        refs = self._refs(entity, keys is None)
        checks = Checks(refs, fold, modified, preheld, self._dates, roles_required=roles)
        return self._reader(entity, checks).records(keys)

    def _reader(self, entity: str, checks: Checks) -> RowReader:
        layout = self._bundle.layout(entity)
        needs = required_of(entity, self.version)
        source = self._bundle.source
        return RowReader(layout, checks, self._problems, source, self._done, needs)

    def _done(self, reader: RowReader, full: bool) -> None:
        entity = reader.layout.entity
        if reader.broken:
            self._broken.add(entity)
        if full:
            self._held[entity] = reader.held
            if entity in REFERENCED:
                self._keys[entity] = reader.seen

    def _refs(self, entity: str, full: bool) -> list[Ref]:
        layout = self._bundle.layout(entity)
        if layout.mode != "bulk":
            return []  # a delta refers to records that live elsewhere
        if entity == ROLES:
            spec_refs: Sequence[Reference] = ROLE_REFS
        elif entity == PROFILES:
            spec_refs = PROFILE_REFS
        else:
            spec_refs = SPECS[entity].references
        refs = []
        for ref in spec_refs:
            index = layout.at(ref.field)
            if index < 0 or self._bundle.mode(ref.target) != "bulk":
                continue
            if entity == "users" and ref.field in FOLDED and self.version == "1.2":
                continue
            multi = entity in SPECS and SPECS[entity].is_multi(ref.field)
            if ref.target == entity and full:  # forward references: checked at the end
                refs.append(Ref(index, ref.field, ref.target, None, multi, deferred=True))
            else:
                refs.append(Ref(index, ref.field, ref.target, self.keys(ref.target), multi))
        return refs

    def _users_fold(self) -> Folded:
        """users' fields from roles.csv and userProfiles.csv; a user one of whose rows
        there is held is held too (`_preheld`)."""
        if self._fold is None:
            folded: Folded = {}
            if self._bundle.mode(ROLES) != "absent":
                reader = self._reader(ROLES, Checks(self._refs(ROLES, True), dates=self._dates))
                folded = fold_roles(reader.records(None))
                self._hold_users(reader)
            if self._bundle.mode(PROFILES) != "absent":
                checks = Checks(self._refs(PROFILES, True), dates=self._dates)
                reader = self._reader(PROFILES, checks)
                fold_profiles(reader.records(None), folded)
                self._hold_users(reader)
            self._fold = folded
        return self._fold

    def _hold_users(self, reader: RowReader) -> None:
        noun = "role" if reader.layout.entity == ROLES else "user profile"
        for held in reader.held:
            user = reader.owners.get(held.key, "")
            if user and user not in self._preheld:
                reason = f"its {noun} {held.key!r} is held: {held.reason}"
                self._preheld[user] = Held(
                    "users", user, reason, held.file, held.row, held.column, held.field, held.hint
                )

    def _warn_version(self, declared: str | None) -> None:
        bundle = self._bundle
        if declared is None or declared == bundle.version:
            return
        said = "manifest.csv says" if bundle.has_manifest else "its files are"
        message = (
            f"delivery.version is {declared} but {said} OneRoster {bundle.version}: the "
            f"bundle is read as {bundle.version} (what it holds wins for reading; "
            f"delivery.version is the version passport writes)"
        )
        self._problems.warn(MANIFEST, message)


__all__ = ["CsvSnapshot", "required_of"]
