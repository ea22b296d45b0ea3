"""Writing bundles: bulk or delta, OneRoster 1.1 or 1.2, with a manifest, atomically.

The files go into a temporary sibling of the target, which then replaces it in one
rename, so a reader never sees half a bundle and a failure leaves the old one intact.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import uuid
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO, Any

from passport.connectors.oneroster_csv.columns import (
    PROFILES_COLUMNS,
    PROFILES_FILE,
    ROLES_COLUMNS,
    ROLES_FILE,
    columns,
    is_extension,
)
from passport.connectors.oneroster_csv.manifest import MANIFEST, manifest_rows
from passport.connectors.oneroster_csv.roles import profile_rows, role_rows
from passport.connectors.oneroster_csv.values import join_multi
from passport.errors import BundleError
from passport.model import Record
from passport.oneroster import ENTITIES, SPECS, STATUS

Opener = Callable[[str], IO[str]]
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def write_bundle(
    path: Path,
    entities: Mapping[str, Iterable[Record]],
    *,
    version: str = "1.1",
    processing: str = "bulk",
    now: str = "",
    extensions: Mapping[str, Sequence[str]] | None = None,
    system_name: str = "passport",
) -> None:
    """Write one bundle holding `entities` (entity -> records, streamed in order).

    Rows carry the record's own status and dateLastModified as they came in; delta rows
    always have both (`active` and `now` when a record has none). Extension columns
    (`metadata.*`, `ext_*`) come from `extensions`, or are collected from the records when
    they are a list. Raises BundleError; the old bundle stays.
    """
    if version not in ("1.1", "1.2") or processing not in ("bulk", "delta"):
        raise BundleError(f"cannot write OneRoster {version} {processing} bundles")
    unknown = sorted(set(entities) - set(SPECS))
    if unknown:
        raise BundleError(f"cannot write unknown entities: {', '.join(unknown)}")
    with _atomic(path) as opener:
        modes: dict[str, str] = {}
        for entity in ENTITIES:
            if entity in entities:
                records = entities[entity]
                ext = _extensions(entity, records, extensions)
                extra = _write_entity(opener, entity, records, ext, version, processing, now)
                modes[entity] = processing
                modes.update({name: processing for name in extra})
        with opener(MANIFEST) as text:
            csv.writer(text, lineterminator="\n").writerows(
                manifest_rows(version, modes, system_name)
            )


def _extensions(
    entity: str, records: Iterable[Record], given: Mapping[str, Sequence[str]] | None
) -> tuple[str, ...]:
    if given is not None and entity in given:
        return tuple(given[entity])
    if isinstance(records, list | tuple):
        found = {n for r in records for n in r.fields if is_extension(n)}
        return tuple(sorted(found))
    return ()


def _write_entity(
    opener: Opener,
    entity: str,
    records: Iterable[Record],
    ext: tuple[str, ...],
    version: str,
    processing: str,
    now: str,
) -> list[str]:
    """Write the entity's file (and, for 1.2 users, roles.csv and userProfiles.csv);
    returns the files besides its own that were written, as manifest names."""
    spec = SPECS[entity]
    cols = columns(entity, version)
    names = (*cols[3:], *ext)
    allowed = frozenset(spec.fields) | frozenset(ext) | {STATUS}
    written: list[str] = []
    with ExitStack() as stack:
        out = csv.writer(stack.enter_context(opener(spec.csv_file)), lineterminator="\n")
        out.writerow((*cols, *ext))
        roles = profiles = None
        if entity == "users" and version == "1.2":
            roles = csv.writer(stack.enter_context(opener(ROLES_FILE)), lineterminator="\n")
            roles.writerow(ROLES_COLUMNS)
            written.append("roles")
        delta = processing == "delta"
        for record in records:
            extra = record.fields.keys() - allowed
            if extra:
                raise BundleError(
                    f"{spec.csv_file}: record {record.key!r} has fields that are not columns: "
                    + ", ".join(sorted(extra))
                )
            status, modified = _meta(record, delta, now)
            try:
                out.writerow([record.key, status, modified, *_cells(record, names)])
                if roles is not None and not record.deleted:
                    roles.writerows(role_rows(record, modified, status))
                    if record.fields.get("userProfiles"):
                        if profiles is None:
                            profiles = _open_profiles(stack, opener)
                            written.append("userProfiles")
                        profiles.writerows(profile_rows(record))
            except UnicodeEncodeError as error:
                raise BundleError(
                    f"{spec.csv_file}: record {record.key!r} has a value that cannot be "
                    f"written as UTF-8 ({error.reason})"
                ) from error
    return written


def _open_profiles(stack: ExitStack, opener: Opener) -> Any:
    profiles = csv.writer(stack.enter_context(opener(PROFILES_FILE)), lineterminator="\n")
    profiles.writerow(PROFILES_COLUMNS)
    return profiles


def _meta(record: Record, delta: bool, now: str) -> tuple[str, str]:
    if record.deleted:
        return "tobedeleted", record.modified or now
    status = record.fields.get(STATUS)
    own = status if isinstance(status, str) else ""
    if delta:
        return own or "active", record.modified or now
    return own, record.modified or ""


def _cells(record: Record, names: Iterable[str]) -> list[str]:
    fields = record.fields
    cells = []
    for name in names:
        value = fields.get(name)
        if value is None:
            cells.append("")
        elif isinstance(value, list):
            cells.append(join_multi(name, value))
        else:
            cells.append(value)
    return cells


@contextmanager
def _atomic(path: Path) -> Iterator[Opener]:
    """An opener for files of a new bundle that replaces `path` when the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tag = uuid.uuid4().hex[:12]
    zipped = path.suffix.lower() == ".zip"
    temp = path.parent / f".{path.name}.tmp-{tag}"
    try:
        if zipped:
            with zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as archive:
                yield _zip_opener(archive)
            os.replace(temp, path)
        else:
            temp.mkdir()
            yield _folder_opener(temp)
            _replace_folder(temp, path, path.parent / f".{path.name}.old-{tag}")
    except OSError as error:
        raise BundleError(f"cannot write the bundle {path}: {error}") from error
    finally:
        if temp.is_dir():
            shutil.rmtree(temp, ignore_errors=True)
        elif temp.exists():
            temp.unlink()


def _folder_opener(folder: Path) -> Opener:
    def opener(name: str) -> IO[str]:
        return open(folder / name, "w", encoding="utf-8", newline="")

    return opener


def _zip_opener(archive: zipfile.ZipFile) -> Opener:
    def opener(name: str) -> IO[str]:
        info = zipfile.ZipInfo(name, _ZIP_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        raw = archive.open(info, "w")
        return io.TextIOWrapper(raw, encoding="utf-8", newline="")

    return opener


def _replace_folder(new: Path, path: Path, old: Path) -> None:
    if not path.exists():
        os.rename(new, path)
        return
    os.rename(path, old)
    try:
        os.rename(new, path)
    except OSError:
        os.rename(old, path)
        raise
    shutil.rmtree(old, ignore_errors=True)
