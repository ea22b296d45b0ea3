"""Where a bundle's files come from: a folder or a .zip, names matched case-insensitively.

Sizes are bounded before anything is read, from what the folder or the zip's directory
says: each file (`PASSPORT_MAX_CSV_FILE_BYTES`), the whole bundle
(`PASSPORT_MAX_CSV_BUNDLE_BYTES`) and, for a zip, how many times a file grows when
unzipped (`PASSPORT_MAX_ZIP_RATIO`): a zip bomb stops at once, with its numbers. A zip
cannot yield more than its directory declares (zipfile stops there and checks the CRC),
and a member that lies about its size is a BundleError naming it, not a traceback.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from passport import limits
from passport.errors import BundleError

BOM = b"\xef\xbb\xbf"
_BUFFER = 1 << 20
RATIO_FLOOR = 1 << 20  # files smaller than this unzipped are not judged by their ratio
_BAD_ZIP = (zipfile.BadZipFile, zlib.error, EOFError)


class Source:
    """The files of one bundle. `names` maps a lower-case file name to the stored name."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.names: dict[str, str] = {}

    def has(self, name: str) -> bool:
        return name.lower() in self.names

    def stored_name(self, name: str) -> str:
        return self.names.get(name.lower(), name)

    def open_binary(self, name: str) -> IO[bytes]:
        raise NotImplementedError

    def open_text(self, name: str) -> IO[str]:
        """The file as UTF-8 text (a leading BOM skipped), newlines kept for csv."""
        raw = self.open_binary(name)
        return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")

    def head(self, name: str, size: int = 4096) -> bytes:
        with self.open_binary(name) as raw:
            return raw.read(size)

    def close(self) -> None:
        return None


class FolderSource(Source):
    def __init__(self, path: Path) -> None:
        super().__init__(path)
        sizes = []
        for child in sorted(path.iterdir()):
            if child.is_file():
                self.names[child.name.lower()] = child.name
                sizes.append((child.name, child.stat().st_size))
        check_sizes(path, sizes, zipped=False)

    def open_binary(self, name: str) -> IO[bytes]:
        return open(self.path / self.stored_name(name), "rb", buffering=_BUFFER)


class ZipSource(Source):
    def __init__(self, path: Path) -> None:
        super().__init__(path)
        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as error:
            raise BundleError(f"{path} is not a readable .zip file: {error}") from error
        members = [i for i in self._zip.infolist() if not i.is_dir()]
        try:
            check_sizes(path, [(i.filename, i.file_size) for i in members], zipped=True)
            check_ratios(path, members)
        except BundleError:
            self._zip.close()
            raise
        files = [i.filename for i in members]
        prefix = _common_folder(files)
        self._prefix = prefix
        for name in files:
            if name.startswith(prefix) and "/" not in name[len(prefix) :]:
                self.names[name[len(prefix) :].lower()] = name[len(prefix) :]

    def open_binary(self, name: str) -> IO[bytes]:
        member = self._prefix + self.stored_name(name)
        try:
            raw = self._zip.open(member)
        except _BAD_ZIP as error:
            raise _damaged(self.path, member, error) from None
        return io.BufferedReader(_Checked(raw, self.path, member), _BUFFER)

    def close(self) -> None:
        self._zip.close()


class _Checked(io.RawIOBase):
    """A zip member whose damage (a size or CRC that lies, bad data) is a BundleError."""

    def __init__(self, raw: IO[bytes], path: Path, member: str) -> None:
        self._raw, self._path, self._member = raw, path, member

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        try:
            data = self._raw.read(len(buffer))
        except _BAD_ZIP as error:
            raise _damaged(self._path, self._member, error) from None
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._raw.close()
        super().close()


def _damaged(path: Path, member: str, error: Exception) -> BundleError:
    return BundleError(
        f"{path}: {member} is damaged and cannot be unzipped ({error})",
        "export the bundle again; nothing was changed",
    )


def check_sizes(path: Path, sizes: Iterable[tuple[str, int]], *, zipped: bool) -> None:
    """Each file, and all together, within the limits (unzipped sizes)."""
    most, whole = limits.MAX_CSV_FILE_BYTES, limits.MAX_CSV_BUNDLE_BYTES
    unzipped = " unzipped" if zipped else ""
    one, total_limit = most.value(), whole.value()
    total = 0
    for name, size in sizes:
        if size > one:
            raise BundleError(
                f"{path}: {name} is {limits.size_text(size)}{unzipped}, more than the "
                f"{limits.size_text(one)} one file of a bundle may be ({most.name})",
                f"check the export; for a district this large, raise {most.name}",
            )
        total += size
    if total > total_limit:
        raise BundleError(
            f"{path} is {limits.size_text(total)}{unzipped}, more than the "
            f"{limits.size_text(total_limit)} a bundle may be ({whole.name})",
            f"check the export; for a district this large, raise {whole.name}",
        )


def check_ratios(path: Path, members: Iterable[zipfile.ZipInfo]) -> None:
    """No zipped file grows more than the limit when unzipped (a zip bomb's mark)."""
    setting = limits.MAX_ZIP_RATIO
    most = setting.value()
    for info in members:
        if info.file_size <= RATIO_FLOOR:
            continue
        ratio = info.file_size / max(1, info.compress_size)
        if ratio > most:
            sizes = f"{limits.size_text(info.compress_size)} → {limits.size_text(info.file_size)}"
            raise BundleError(
                f"{path}: {info.filename} would grow {ratio:,.0f} times when unzipped "
                f"({sizes}), more than the {most} times a zipped file may ({setting.name}): "
                "it looks like a zip bomb, and nothing was read",
                f"check where the bundle came from; if it is genuine, raise {setting.name}",
            )


def _common_folder(files: list[str]) -> str:
    """ "export/" when every file sits in one top-level folder (a zipped folder), else ""."""
    if not files or any("/" not in f for f in files):
        return ""
    tops = {f.split("/", 1)[0] for f in files}
    return f"{tops.pop()}/" if len(tops) == 1 else ""


def open_source(path: Path) -> Source:
    if path.is_dir():
        return FolderSource(path)
    if path.is_file():
        return ZipSource(path)
    raise BundleError(
        f"no OneRoster bundle at {path}",
        "check `delivery.path`: a folder of CSV files or a .zip, relative to the config folder",
    )
