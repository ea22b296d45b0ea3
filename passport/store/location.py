"""Where the store lives: one place that turns a URL, env var or default into a location.

Accepted forms:
- a plain path (`district.db`, `/srv/passport/store.db`, `~/store.db`), relative to
  `base_dir` (default: the current directory);
- `sqlite:///abs/path` (absolute) and `sqlite:relative/path`;
- `:memory:` (a private in-memory store, for tests and experiments);
- `postgresql://...` / `postgres://...` (recognised; the backend arrives in a later version).

Nothing here opens a database. A URL shown to a user never includes a password.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from passport.errors import StoreError

ENV_VAR = "PASSPORT_STORE"
DEFAULT_PATH = Path(".passport") / "store.db"
MEMORY = ":memory:"

_SCHEME = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]+):")
_POSTGRES = frozenset({"postgresql", "postgres"})
_HINT = (
    f"give a file path, sqlite:///absolute/path or sqlite:relative/path (via --store or {ENV_VAR})"
)


@dataclass(frozen=True, slots=True)
class Location:
    backend: str  # "sqlite" | "postgresql"
    url: str  # for messages: never includes a password
    path: Path | None = None  # sqlite: the database file; None for :memory:
    dsn: str = ""  # postgresql: the connection string as given (may hold a password)
    is_default: bool = False  # the built-in default: its folder may be created


def resolve(url: str | None = None, *, base_dir: Path | None = None) -> Location:
    """The store location from the argument, else $PASSPORT_STORE, else the default."""
    base = base_dir if base_dir is not None else Path.cwd()
    given = url if url else os.environ.get(ENV_VAR, "")
    if not given.strip():
        path = Path(os.path.abspath(base / DEFAULT_PATH))
        return Location("sqlite", _sqlite_url(path), path=path, is_default=True)
    return parse(given.strip(), base)


def parse(url: str, base: Path) -> Location:
    if url == MEMORY or url in {"sqlite::memory:", "sqlite://:memory:"}:
        return Location("sqlite", "sqlite::memory:")
    match = _SCHEME.match(url)
    if match is None:
        return _sqlite_location(url, base, url)
    scheme = match["scheme"].lower()
    if scheme == "sqlite":
        rest = url[match.end() :]
        if rest.startswith("//"):  # sqlite:///abs/path: the path after the empty host
            rest = rest[2:]
            if not rest.startswith("/"):
                raise StoreError(f"store URL {url!r} has no absolute path", _HINT)
        return _sqlite_location(rest, base, url)
    if scheme in _POSTGRES:
        return Location("postgresql", redact(url), dsn=url)
    raise StoreError(f"unknown store URL scheme {scheme!r} in {redact(url)!r}", _HINT)


def redact(url: str) -> str:
    """The URL with any password replaced by `***`."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparsable store URL>"
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port is not None else ""
    netloc = f"{user}:***@{host}{port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _sqlite_location(raw: str, base: Path, given: str) -> Location:
    if not raw:
        raise StoreError(f"store URL {given!r} names no file", _HINT)
    path = Path(raw).expanduser()
    path = Path(os.path.abspath(base / path))  # an absolute `path` replaces `base`
    return Location("sqlite", _sqlite_url(path), path=path)


def _sqlite_url(path: Path) -> str:
    return f"sqlite://{path.as_posix()}"
