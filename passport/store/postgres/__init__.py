"""The PostgreSQL backend: one schema per store, COPY for bulk writes, advisory locks.

Importing it imports psycopg; `passport.store.open_store` does so only for a
`postgresql://` URL.
"""

from __future__ import annotations

from passport.store.postgres.store import PostgresStore

__all__ = ["PostgresStore"]
