"""Connecting to a PostgreSQL store, and what psycopg's errors mean (`store.translate`).

The password is resolved here, when the connection opens: a `${env:NAME}` /
`${file:PATH}` reference from the URL (via passport.secrets), else whatever libpq finds
itself (PGPASSWORD, ~/.pgpass, a service file). It is never put in a message: every
message names the store by its redacted URL, and libpq's own messages never hold it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from passport import secrets
from passport.errors import PassportError, StoreError
from passport.store.location import Location
from passport.store.translate import Rule, Translation, all_words, always, any_word, kind

Connection = psycopg.Connection[tuple[Any, ...]]

CONNECT_TIMEOUT_S = 10
# How soon the server notices that a lock holder's machine is gone (no FIN, no RST):
# keepalive probes after 30 s idle, every 10 s, 3 unanswered: about a minute.
LOCK_KEEPALIVES = (
    "SET tcp_keepalives_idle = 30",
    "SET tcp_keepalives_interval = 10",
    "SET tcp_keepalives_count = 3",
)


PG_ERRORS = Translation(
    psycopg.Error,
    (
        Rule(
            kind(pg_errors.InsufficientPrivilege),
            "the database refused an operation on the store at {where}: {text}",
            "grant the store's user the rights it needs on its schema (or ask the DBA)",
        ),
        Rule(
            kind(psycopg.OperationalError),
            "lost the connection to the store at {where}: {text}",
            "check the server and the network, then run the command again",
        ),
    ),
)
errors = PG_ERRORS.around

_CANNOT_CONNECT = "cannot connect to the store at {where}: {text}"
CONNECT_ERRORS = Translation(
    psycopg.Error,
    (
        Rule(
            any_word("password", "authentication"),
            _CANNOT_CONNECT,
            "check the user and its password: give the password as a reference in the URL "
            "(postgresql://user:${env:NAME}@host/db) or through PGPASSWORD or ~/.pgpass",
        ),
        Rule(
            all_words("database", "does not exist"),
            _CANNOT_CONNECT,
            "create the database first (createdb), or check the URL for a typo",
        ),
        Rule(
            all_words("role", "does not exist"),
            _CANNOT_CONNECT,
            "check the user name in the URL (or PGUSER), or create that role",
        ),
    ),
    fallback=Rule(
        always,
        _CANNOT_CONNECT,
        "check that the server runs and accepts connections from here (host, port, TLS)",
    ),
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
    with CONNECT_ERRORS.around(location.url):
        conn = psycopg.connect(location.dsn, **params)
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
