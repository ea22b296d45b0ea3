"""Opening a bundle: its manifest, how each file is sent, its version, its headers.

Everything that can be told without reading the data rows is checked here, at once,
so that a truncated or empty bundle stops before anything is compared.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from passport.connectors.oneroster_csv.columns import (
    FILES,
    PROFILES_FILE,
    PROFILES_REQUIRED,
    ROLES_FILE,
    ROLES_REQUIRED,
    UNMODELED,
    required,
)
from passport.connectors.oneroster_csv.header import Layout, read_layout
from passport.connectors.oneroster_csv.manifest import MANIFEST, Manifest, read_manifest
from passport.connectors.oneroster_csv.problems import Problems
from passport.connectors.oneroster_csv.source import BOM, Source, open_source
from passport.errors import BundleError
from passport.oneroster import ENTITIES, SPECS
from passport.oneroster import NOUNS as ENTITY_NOUNS

ROLES = "roles"
PROFILES = "userProfiles"
# Files folded into users (OneRoster 1.2), read whenever users are.
USER_FILES = (ROLES, PROFILES)
NOUNS = {**ENTITY_NOUNS, ROLES: "role", PROFILES: "user profile"}


def file_of(entity: str) -> str:
    if entity == ROLES:
        return ROLES_FILE
    if entity == PROFILES:
        return PROFILES_FILE
    return SPECS[entity].csv_file


def required_of(entity: str, version: str) -> tuple[str, ...]:
    if entity == ROLES:
        return ROLES_REQUIRED
    if entity == PROFILES:
        return PROFILES_REQUIRED
    return required(entity, version)


class Bundle:
    """An opened bundle: modes per entity (bulk | delta | absent), version, headers."""

    def __init__(self, path: Path, display: str, problems: Problems | None = None) -> None:
        self.display = display
        self.problems = problems if problems is not None else Problems()
        self.source: Source = open_source(path)
        self.modes: dict[str, str] = {}
        self.layouts: dict[str, Layout] = {}
        self.has_manifest = False
        self.version = "1.1"
        self.empty: set[str] = set()  # bulk files with a header and no rows
        try:
            # Problems of the manifest are raised with those of the headers
            # (`open_layouts`), so that one run shows them all.
            self._read_modes()
        except BaseException:
            self.source.close()
            raise

    def mode(self, entity: str) -> str:
        return self.modes.get(entity, "absent")

    def close(self) -> None:
        self.source.close()

    def layout(self, entity: str) -> Layout:
        """The entity's header, read once; raises BundleError for a bad header."""
        if entity not in self.layouts:
            self.layouts[entity] = self._read_layout(entity)
            self.problems.raise_if_any(self.display)
        return self.layouts[entity]

    def open_layouts(self, entities: Iterable[str]) -> None:
        """Read every header the entities need, reporting all their problems together."""
        wanted = [e for e in entities if self.mode(e) != "absent"]
        if "users" in wanted:
            wanted += [e for e in USER_FILES if self.mode(e) != "absent"]
        # A file the manifest declares and the bundle lacks is already a problem.
        wanted = [e for e in wanted if self.source.has(file_of(e))]
        for entity in wanted:
            if entity not in self.layouts:
                self.layouts[entity] = self._read_layout(entity)
        self.problems.raise_if_any(self.display)

    # --- modes ---------------------------------------------------------------------

    def _read_modes(self) -> None:
        source, problems = self.source, self.problems
        if not source.names:
            raise BundleError(
                f"the OneRoster bundle {self.display} is empty",
                "an empty bundle is never read as 'everything was deleted'; check the export",
            )
        manifest = read_manifest(source, problems)
        self.has_manifest = manifest is not None
        if manifest is None:
            problems.warn(
                MANIFEST, "the bundle has no manifest.csv; the files present are read as bulk"
            )
        for entity in (*ENTITIES, *USER_FILES):
            self.modes[entity] = self._mode(entity, manifest)
        self._warn_unread(manifest)
        if all(mode == "absent" for mode in self.modes.values()) and not problems:
            raise BundleError(
                f"the OneRoster bundle {self.display} has no OneRoster files to read",
                "an empty bundle is never read as 'everything was deleted'; check the export",
            )
        self.version = self._version(manifest)

    def _mode(self, entity: str, manifest: Manifest | None) -> str:
        file = file_of(entity)
        present = self.source.has(file)
        if manifest is None:
            return "bulk" if present else "absent"
        mode = manifest.files.get(file.lower())
        if mode is None:
            if present:
                self.problems.warn(file, "the file is not listed in manifest.csv and is not read")
            return "absent"
        if mode in ("bulk", "delta") and not present:
            message = (
                f"manifest.csv declares {file} as {mode} but the bundle has no {file}; "
                "the bundle looks truncated"
            )
            self.problems.error(file, message)
        elif mode == "absent" and present:
            self.problems.warn(file, "the file is declared absent in manifest.csv and is not read")
        return mode

    def _warn_unread(self, manifest: Manifest | None) -> None:
        modelled = {name.lower() for name in FILES}
        modelled |= {ROLES_FILE.lower(), PROFILES_FILE.lower(), MANIFEST}
        for lower, name in sorted(self.source.names.items()):
            if lower in modelled:
                continue
            if lower in UNMODELED:
                message = "passport does not model this OneRoster file; it is ignored"
            else:
                message = "not a OneRoster file; it is ignored"
            self.problems.warn(name, message)
        if manifest is None:
            return
        for lower, mode in sorted(manifest.files.items()):
            if lower in UNMODELED and mode != "absent" and not self.source.has(lower):
                self.problems.warn(lower, f"declared {mode} in manifest.csv but missing (ignored)")

    def _version(self, manifest: Manifest | None) -> str:
        if manifest is not None and manifest.version:
            return manifest.version
        if self.mode(ROLES) != "absent":
            return "1.2"
        if self.mode("users") != "absent":
            header = self._header("users.csv")
            lowered = {cell.strip().lower() for cell in header or []}
            if "role" not in lowered and "orgsourcedids" not in lowered:
                return "1.2"
        return "1.1"

    # --- headers -------------------------------------------------------------------

    def _header(self, file: str) -> list[str] | None:
        return self._head_rows(file)[0]

    def _head_rows(self, file: str) -> tuple[list[str] | None, list[str] | None]:
        """The header and the first non-blank row; bad bytes are left for the row reader."""
        with self.source.open_binary(file) as raw:
            lines = (line.decode("utf-8", "surrogateescape") for line in raw)
            rows = csv.reader(lines)
            header = next(rows, None)
            first = next((row for row in rows if row), None)
        if header and header[0].startswith("\ufeff"):
            header[0] = header[0][1:]
        return header, first

    def _read_layout(self, entity: str) -> Layout:
        file, mode = file_of(entity), self.mode(entity)
        needs = required_of(entity, self.version)
        self._warn_encoding(file)
        header, first = self._head_rows(file)
        if header is None:
            self.problems.error(file, "the file is empty: it has no header row")
            return Layout(file, entity, mode, [], 0)
        layout = read_layout(file, entity, mode, header, needs, self.problems)
        if mode == "bulk" and first is None:
            # Not refused here: nothing is deleted where the store holds nothing this
            # activation brought in, and otherwise the plan's safety rules stop it.
            declared = "declared bulk" if self.has_manifest else "read as bulk (no manifest)"
            message = (
                f"{file} is {declared} but has no rows: it lists no {NOUNS[entity]}, so "
                f"every {NOUNS[entity]} this activation brought in would be deleted"
            )
            self.problems.warn(file, message, 2)
            self.empty.add(entity)
        return layout

    def _warn_encoding(self, file: str) -> None:
        head = self.source.head(file)
        if head.startswith(BOM):
            self.problems.warn(file, "the file starts with a UTF-8 byte order mark (skipped)")
        end = head.find(b"\n")
        if end > 0 and head[end - 1 : end] == b"\r":
            self.problems.warn(file, "the file has Windows (CRLF) line endings (read fine)")
