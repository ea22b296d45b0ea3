"""Connecting to a PostgreSQL store, and psycopg errors as StoreErrors naming the store.

The password is resolved here, when the connection opens: a `${env:NAME}` /
`${file:PATH}` reference from the URL (via passport.secrets), else whatever libpq finds
itself (PGPASSWORD, ~/.pgpass, a service file). It is never put in a message: every
message names the store by its redacted URL, and libpq's own messages never hold it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from passport import secrets
from passport.errors import PassportError, StoreError
from passport.store.location import Location

Connection = psycopg.Connection[tuple[Any, ...]]

CONNECT_TIMEOUT_S = 10
# How soon the server notices that a lock holder's machine is gone (no FIN, no RST):
# keepalive probes after 30 s idle, every 10 s, 3 unanswered: about a minute.
LOCK_KEEPALIVES = (
    "SET tcp_keepalives_idle = 30",
    "SET tcp_keepalives_interval = 10",
    "SET tcp_keepalives_count = 3",
)


def connect(
    location: Location, *, autocommit: bool = True, application_name: str = "passport"
) -> Connection:
    """A connection whose search_path is the store's schema (which may not exist yet)."""
    params: dict[str, Any] = {"autocommit": autocommit}
    given = conninfo_to_dict(location.dsn)
    if "connect_timeout" not in given:
        params["connect_timeout"] = CONNECT_TIMEOUT_S
    if "application_name" not in given:
        params["application_name"] = application_name
    if location.password_ref:
        params["password"] = _password(location)
    try:
        conn = psycopg.connect(location.dsn, **params)
    except psycopg.Error as exc:
        raise _connect_error(exc, location) from exc
    try:
        with errors(location.url):
            conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(location.schema)))
            if not autocommit:
                conn.commit()
    except BaseException:
        conn.close()
        raise
    return conn


def _password(location: Location) -> str:
    try:
        return secrets.resolve(location.password_ref, Path.cwd())
    except PassportError as exc:
        raise StoreError(
            f"cannot open the store at {location.url}: {exc.reason}", exc.hint
        ) from None


def _connect_error(exc: psycopg.Error, location: Location) -> StoreError:
    text = _first_line(exc)
    low = text.lower()
    if "password" in low or "authentication" in low:
        hint = (
            "check the user and its password: give the password as a reference in the URL "
            "(postgresql://user:${env:NAME}@host/db) or through PGPASSWORD or ~/.pgpass"
        )
    elif "database" in low and "does not exist" in low:
        hint = "create the database first (createdb), or check the URL for a typo"
    elif "role" in low and "does not exist" in low:
        hint = "check the user name in the URL (or PGUSER), or create that role"
    else:
        hint = "check that the server runs and accepts connections from here (host, port, TLS)"
    return StoreError(f"cannot connect to the store at {location.url}: {text}", hint)


@contextmanager
def errors(where: str) -> Iterator[None]:
    """Turn psycopg errors raised inside into StoreErrors naming `where`."""
    try:
        yield
    except psycopg.Error as exc:
        raise translate(exc, where) from exc


def translate(exc: psycopg.Error, where: str) -> StoreError:
    text = _first_line(exc)
    if isinstance(exc, pg_errors.InsufficientPrivilege):
        return StoreError(
            f"the database refused an operation on the store at {where}: {text}",
            "grant the store's user the rights it needs on its schema (or ask the DBA)",
        )
    if isinstance(exc, psycopg.OperationalError):
        return StoreError(
            f"lost the connection to the store at {where}: {text}",
            "check the server and the network, then run the command again",
        )
    return StoreError(f"store error at {where}: {text}")


def _first_line(exc: psycopg.Error) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__
