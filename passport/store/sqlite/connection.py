"""Opening a SQLite store file, and what SQLite's errors mean (`passport.store.translate`).

A user sees `StoreError(reason, hint)` for every problem with the file (a folder in its
place, a missing or unwritable folder, a file that is not a database, a damaged database),
never a raw sqlite3 traceback.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from passport.errors import StoreError
from passport.store.translate import Rule, Translation, any_word

BUSY_TIMEOUT_S = 30.0
# 16 KiB pages: records are ~300-600 bytes of canonical JSON; measured on 1M users, loads
# in random key order run ~30% faster than with 4 KiB pages and scans ~10% faster.
PAGE_SIZE = 16384
# Pragmas that hold for a connection. WAL lets readers run beside the one writer;
# synchronous=NORMAL in WAL mode keeps every committed transaction across a process
# crash (only an OS crash or power loss can lose the last commits, never consistency).
PRAGMAS = (
    "PRAGMA synchronous = NORMAL",
    "PRAGMA cache_size = -65536",  # KiB: 64 MiB of page cache for bulk loads and scans
    "PRAGMA temp_store = MEMORY",
)


SQLITE_ERRORS = Translation(
    sqlite3.Error,
    (
        Rule(
            any_word("not a database"),
            "{where} is not a SQLite database",
            "point --store or PASSPORT_STORE at a passport store, or at a new file",
        ),
        Rule(
            any_word("malformed", "corrupt"),
            "the store at {where} is damaged ({text})",
            "restore it from a backup, or try `sqlite3 {where} .recover`",
        ),
        Rule(
            any_word("locked", "busy"),
            "the store at {where} is busy: another process kept it locked ({text})",
            "try again when the other passport command has finished",
        ),
        Rule(
            any_word("readonly", "unable to open", "disk i/o", "full"),
            "cannot open or write the store at {where} ({text})",
            "check that the folder exists, that you may write to it, and that the disk has room",
        ),
    ),
)
errors = SQLITE_ERRORS.around


def connect(path: Path | None, *, create_folder: bool) -> sqlite3.Connection:
    """An autocommit connection (transactions are explicit) with WAL and the pragmas."""
    where = str(path) if path is not None else ":memory:"
    if path is not None:
        _check_path(path, create_folder)
    with errors(where):
        conn = sqlite3.connect(where, isolation_level=None, timeout=BUSY_TIMEOUT_S)
    try:
        with errors(where):
            if path is not None:
                conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")  # new files only
                conn.execute("PRAGMA journal_mode = WAL").fetchone()
            for pragma in PRAGMAS:
                conn.execute(pragma)
    except BaseException:
        conn.close()
        raise
    return conn


def _check_path(path: Path, create_folder: bool) -> None:
    if path.is_dir():
        raise StoreError(
            f"the store path {path} is a folder, not a file",
            f"name a file inside it, for example {path / 'store.db'}",
        )
    folder = path.parent
    if folder.is_dir():
        return
    if folder.exists():
        raise StoreError(
            f"cannot create the store at {path}: {folder} is not a folder",
            "choose a path whose folder exists",
        )
    if not create_folder:
        raise StoreError(
            f"cannot create the store at {path}: the folder {folder} does not exist",
            "create the folder first, or check the path for a typo",
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(
            f"cannot create the folder {folder} for the store ({exc.strerror})",
            "check that you may write there, or point PASSPORT_STORE elsewhere",
        ) from exc
