"""Where the store lives: one place that turns a URL, env var or default into a location.

Accepted forms:
- a plain path (`district.db`, `/srv/passport/store.db`, `~/store.db`), relative to
  `base_dir` (default: the current directory);
- `sqlite:///abs/path` (absolute) and `sqlite:relative/path`;
- `:memory:` (a private in-memory store, for tests and experiments);
- `postgresql://[user[:${env:NAME}]@]host[:port]/database[?schema=NAME&...]` (also
  `postgres://`): a PostgreSQL store in schema NAME (default `passport`), so several
  districts can share one server. The password comes by reference (`${env:NAME}` or
  `${file:PATH}` in the URL, resolved when the connection opens) or from libpq's own
  PGPASSWORD and ~/.pgpass; a plain password in the URL is refused. Other query
  parameters (sslmode, connect_timeout, ...) go to libpq as they are.

Nothing here opens a database. A URL shown to a user never includes a password.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from passport.errors import StoreError

ENV_VAR = "PASSPORT_STORE"
DEFAULT_PATH = Path(".passport") / "store.db"
MEMORY = ":memory:"

_SCHEME = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]+):")
_POSTGRES = frozenset({"postgresql", "postgres"})
DEFAULT_SCHEMA = "passport"
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
# A password reference in the user-info part; `${file:/path}` holds slashes, so it is
# taken out before the URL is split.
_PASSWORD_REF = re.compile(
    r"^(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^:/@?#]*:)(?P<ref>\$\{(?:env|file):[^{}]+\})@"
)
_REF_MARK = "PASSPORT-PASSWORD-REFERENCE"
_QUERY_PASSWORD = re.compile(r"((?:^|&)password=)[^&]*")
_PG_HINT = (
    "write the password as a reference, postgresql://user:${env:NAME}@host/db, "
    "or leave it out and let libpq find it (PGPASSWORD, ~/.pgpass)"
)
_HINT = (
    f"give a file path, sqlite:///absolute/path or sqlite:relative/path (via --store or {ENV_VAR})"
)


@dataclass(frozen=True, slots=True)
class Location:
    backend: str  # "sqlite" | "postgresql"
    url: str  # for messages: never includes a password
    path: Path | None = None  # sqlite: the database file; None for :memory:
    dsn: str = ""  # postgresql: the URL for libpq, without password and schema
    is_default: bool = False  # the built-in default: its folder may be created
    schema: str = ""  # postgresql: the schema holding the store's tables
    password_ref: str = ""  # postgresql: `${env:NAME}` / `${file:PATH}`, resolved on connect


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
        return _postgres_location(url)
    raise StoreError(f"unknown store URL scheme {scheme!r} in {redact(url)!r}", _HINT)


def redact(url: str) -> str:
    """The URL with any password (in the user info or a `password=` parameter) as `***`."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if parts.password is not None:
            user = parts.username or ""
            host = parts.hostname or ""
            if ":" in host:
                host = f"[{host}]"
            port = f":{parts.port}" if parts.port is not None else ""
            netloc = f"{user}:***@{host}{port}"
    except ValueError:
        return "<unparsable store URL>"
    query = _QUERY_PASSWORD.sub(r"\1***", parts.query)
    if netloc == parts.netloc and query == parts.query:
        return url
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _postgres_location(given: str) -> Location:
    """Take the password reference and the schema out; refuse a plain password."""
    url, ref = given, ""
    found = _PASSWORD_REF.match(given)
    if found:
        ref = found["ref"]
        url = f"{found['head']}{_REF_MARK}@{given[found.end() :]}"
    try:
        parts = urlsplit(url)
        password = parts.password
        query = parse_qsl(parts.query, keep_blank_values=True)
    except ValueError as exc:
        raise StoreError(f"cannot read the store URL {redact(given)!r} ({exc})", _PG_HINT) from exc
    if password not in (None, _REF_MARK) or any(k == "password" for k, _ in query):
        raise StoreError(
            f"the store URL {redact(given)!r} holds a password in plain text", _PG_HINT
        )
    schemas = [v for k, v in query if k == "schema"]
    schema = schemas[-1] if schemas else DEFAULT_SCHEMA
    if not _SCHEMA_NAME.match(schema):
        raise StoreError(
            f"{schema!r} is not a usable schema name (in {redact(given)!r})",
            "use lower-case letters, digits and _ (at most 63, not starting with a digit), "
            "e.g. ?schema=district_a",
        )
    # The other parameters stay as written: libpq decodes %XX itself (and not `+`).
    rest = "&".join(p for p in parts.query.split("&") if p and p.split("=")[0] != "schema")
    netloc = parts.netloc.replace(f":{_REF_MARK}@", "@")
    dsn = _url(netloc, parts.path, rest)
    shown = _url(netloc, parts.path, _shown_query(rest, schema))
    if ref:
        shown = shown.replace("@", ":***@", 1) if "@" in netloc else shown
    return Location("postgresql", shown, dsn=dsn, schema=schema, password_ref=ref)


def _url(netloc: str, path: str, query: str) -> str:
    return f"postgresql://{netloc}{path}" + (f"?{query}" if query else "")


def _shown_query(rest: str, schema: str) -> str:
    return "&".join(q for q in (f"schema={schema}", rest) if q)


def _sqlite_location(raw: str, base: Path, given: str) -> Location:
    if not raw:
        raise StoreError(f"store URL {given!r} names no file", _HINT)
    path = Path(raw).expanduser()
    path = Path(os.path.abspath(base / path))  # an absolute `path` replaces `base`
    return Location("sqlite", _sqlite_url(path), path=path)


def _sqlite_url(path: Path) -> str:
    return f"sqlite://{path.as_posix()}"
