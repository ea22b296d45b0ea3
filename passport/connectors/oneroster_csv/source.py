"""Where a bundle's files come from: a folder or a .zip, names matched case-insensitively."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import IO

from passport.errors import BundleError

BOM = b"\xef\xbb\xbf"
_BUFFER = 1 << 20


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
        for child in sorted(path.iterdir()):
            if child.is_file():
                self.names[child.name.lower()] = child.name

    def open_binary(self, name: str) -> IO[bytes]:
        return open(self.path / self.stored_name(name), "rb", buffering=_BUFFER)


class ZipSource(Source):
    def __init__(self, path: Path) -> None:
        super().__init__(path)
        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as error:
            raise BundleError(f"{path} is not a readable .zip file: {error}") from error
        files = [i.filename for i in self._zip.infolist() if not i.is_dir()]
        prefix = _common_folder(files)
        self._prefix = prefix
        for name in files:
            if name.startswith(prefix) and "/" not in name[len(prefix) :]:
                self.names[name[len(prefix) :].lower()] = name[len(prefix) :]

    def open_binary(self, name: str) -> IO[bytes]:
        raw = self._zip.open(self._prefix + self.stored_name(name))
        return raw

    def close(self) -> None:
        self._zip.close()


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
