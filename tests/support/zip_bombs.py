"""Zip bombs for tests, built in a second: a OneRoster bundle whose users.csv unzips to
gigabytes of newlines.

The deflate stream is flushed fully after each mebibyte, so every mebibyte after the
first compresses to the same bytes and is written, not compressed, again. The zip is a
real one (its CRC computed over every byte): a reader that trusted it would unzip it all.
"""

from __future__ import annotations

import shutil
import struct
import zipfile
import zlib
from pathlib import Path

MIB = 1 << 20
HEADER = (
    b"sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,"
    b"givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,"
    b"password\n"
)


def _deflated(size: int) -> tuple[bytes, int, int]:
    """(deflate stream, CRC-32, size) of HEADER and newlines up to `size` bytes."""
    chunk = b"\n" * MIB
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    parts = [packer.compress(HEADER) + packer.flush(zlib.Z_FULL_FLUSH)]
    crc = zlib.crc32(HEADER)
    left = size - len(HEADER)
    first = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    again = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    chunks = left // MIB
    parts += [first] + [again] * (chunks - 1)
    for _ in range(chunks):
        crc = zlib.crc32(chunk, crc)
    tail = b"\n" * (left - chunks * MIB)
    parts.append(packer.compress(tail) + packer.flush(zlib.Z_FINISH))
    crc = zlib.crc32(tail, crc)
    return b"".join(parts), crc, size


def write_member(path: Path, name: str, size: int, declared: int | None = None) -> None:
    """A zip holding one deflated member of `size` bytes; its directory may declare
    another size (`declared`), as a lying zip does."""
    data, crc, real = _deflated(size)
    told = real if declared is None else declared
    encoded = name.encode()
    local = struct.pack(
        "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), told, len(encoded), 0
    )
    central = struct.pack(
        "<IHHHHHHIIIHHHHHII",
        0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(data), told, len(encoded), 0, 0, 0, 0,
        0o100644 << 16, 0,
    )  # fmt: skip
    directory_at = len(local) + len(encoded) + len(data)
    directory = central + encoded
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(directory), directory_at, 0)
    path.write_bytes(local + encoded + data + directory + end)


def bomb_bundle(path: Path, bundle: Path, size: int = 3 * 1024 * MIB) -> Path:
    """`bundle`'s files zipped, except users.csv: `size` bytes of newlines."""
    write_member(path, "users.csv", size)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        for child in sorted(bundle.iterdir()):
            if child.name != "users.csv":
                archive.write(child, child.name)
    return path


def copy_bundle(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target
