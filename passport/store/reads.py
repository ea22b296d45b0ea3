"""The read queries every SQL backend shares, written once.

Parameters are marked `?`; a backend whose driver wants another mark (psycopg: `%s`)
sets `PARAM`. Each backend provides `_errors` (its error translation), `_stream` (its own
cursors) and `_key_chunk`, how one chunk of a lookup by many keys is asked (SQLite:
`IN (?, ?, ...)` under its variable limit; PostgreSQL: `= ANY(array)`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any

import orjson

from passport.store.base import BaseEntry, StoredRecord
from passport.store.buffered import BufferedTransaction
from passport.store.rows import ACTIVATIONS_SQL, ENTITIES_SQL, WATERMARKS_SQL

_BASE_JOIN = (
    "FROM base AS b LEFT JOIN records AS r ON r.entity = b.entity AND r.key = b.key "
    "WHERE b.activation = ? AND b.entity = ? ORDER BY b.key"
)
_GET = "SELECT key, data, digest, modified FROM records WHERE entity = ? AND key"
_DIGESTS = "SELECT key, digest FROM records WHERE entity = ? AND key"
# Base rows whose store copy moved since they were agreed, or is gone: rare.
_DRIFT = (
    "SELECT b.key, b.digest, b.store_digest, r.digest "
    "FROM base AS b LEFT JOIN records AS r ON r.entity = b.entity AND r.key = b.key "
    "WHERE b.activation = ? AND b.entity = ? "
    "AND (r.digest IS NULL OR b.store_digest IS NULL OR b.store_digest <> r.digest) ORDER BY b.key"
)
_BASE_OF = (
    "SELECT b.key, b.digest, b.store_digest, r.digest, b.activation "
    "FROM base AS b LEFT JOIN records AS r ON r.entity = b.entity AND r.key = b.key "
    "WHERE b.entity = ? AND b.key"
)
# Base rows per aggregate read: a chunk's keys and digests as two JSON arrays.
AGREED_CHUNK = 200_000
_OWNERS = "SELECT key, activation FROM base WHERE entity = ? AND key"


class SqlReads:
    PARAM = "?"
    # One chunk of an activation's base, (keys, agreed digests) as two JSON arrays in key
    # order, the keys after a given one; the backend's own aggregate (`base_agreed`).
    _AGREED: str = (
        "SELECT json_group_array(key), json_group_array(digest) FROM (SELECT key, digest "
        "FROM base WHERE activation = ? AND entity = ? AND key > ? ORDER BY key LIMIT ?)"
    )

    def _q(self, sql: str) -> str:
        return sql if self.PARAM == "?" else sql.replace("?", self.PARAM)

    # Each backend sets these: its connection, the open transaction (whose buffered
    # writes reads must see), where it lives (for messages), its error translation and
    # how many keys one lookup asks for at most.
    _conn: Any
    _tx: BufferedTransaction | None
    _where: str
    _chunk: int
    # The entity stamps this store object saw (`stamp`) and moved on by its own commits
    # since; None where another writer may have come in between.
    _known_stamps: dict[str, int | None]

    def _errors(self) -> AbstractContextManager[None]:
        raise NotImplementedError

    def _sync(self) -> None:
        """Reads inside a transaction see its buffered writes."""
        if self._tx is not None:
            with self._errors():
                self._tx.flush()

    def _all(self, sql: str, params: Sequence[Any]) -> list[Any]:
        self._sync()
        with self._errors():
            return list(self._conn.execute(sql, params).fetchall())

    def _one(self, sql: str, params: Sequence[Any]) -> Any:
        self._sync()
        with self._errors():
            row = self._conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def _first_row(self, sql: str, params: Sequence[Any]) -> Any:
        self._sync()
        with self._errors():
            return self._conn.execute(sql, params).fetchone()

    def _stream(self, sql: str, params: Sequence[Any]) -> Iterator[Any]:
        """The rows of a query, streamed from a cursor of the backend's (`_batches`)."""
        raise NotImplementedError

    def _batches(self, cursor: Any, size: int) -> Iterator[list[Any]]:
        """The cursor's rows, `size` at a time (a batch, not a row, per step: scans are hot)."""
        while True:
            with self._errors():
                rows = cursor.fetchmany(size)
            if not rows:
                return
            yield rows

    def _key_chunk(self, head: str, entity: str, keys: list[str], tail: str) -> list[Any]:
        """The rows of `{head} <key is among keys> {tail}` (`head` ends at the key column)."""
        raise NotImplementedError

    def _by_keys(self, head: str, entity: str, keys: Collection[str], tail: str) -> Iterator[Any]:
        self._sync()
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), self._chunk):
            with self._errors():
                rows = self._key_chunk(head, entity, unique[start : start + self._chunk], tail)
            yield from rows

    # records

    def count(self, entity: str) -> int:
        return int(self._one(self._q("SELECT count(*) FROM records WHERE entity = ?"), (entity,)))

    def scan(self, entity: str) -> Iterator[StoredRecord]:
        sql = "SELECT key, data, digest, modified FROM records WHERE entity = ? ORDER BY key"
        for key, data, digest, modified in self._stream(self._q(sql), (entity,)):
            yield StoredRecord(key, orjson.loads(data), digest, modified)

    def get(self, entity: str, keys: Collection[str]) -> dict[str, StoredRecord]:
        found: dict[str, StoredRecord] = {}
        for key, data, digest, modified in self._by_keys(self._q(_GET), entity, keys, ""):
            found[key] = StoredRecord(key, orjson.loads(data), digest, modified)
        return found

    def digests(self, entity: str, keys: Collection[str]) -> dict[str, str]:
        return dict(self._by_keys(self._q(_DIGESTS), entity, keys, ""))

    def owners(self, entity: str, keys: Collection[str]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        tail = "ORDER BY key, activation"
        for key, activation in self._by_keys(self._q(_OWNERS), entity, keys, tail):
            found.setdefault(key, []).append(activation)
        return found

    # base and watermarks

    def base_scan(self, activation: str, entity: str) -> Iterator[BaseEntry]:
        sql = self._q(f"SELECT b.key, b.digest, b.store_digest, b.data, r.digest {_BASE_JOIN}")
        for key, digest, store_digest, data, current in self._stream(sql, (activation, entity)):
            fields = None if data is None else orjson.loads(data)
            yield BaseEntry(key, digest, store_digest, fields, current)

    def base_digests(
        self, activation: str, entity: str
    ) -> Iterator[tuple[str, str, str | None, str | None]]:
        sql = self._q(f"SELECT b.key, b.digest, b.store_digest, r.digest {_BASE_JOIN}")
        yield from self._stream(sql, (activation, entity))

    def base_agreed(self, activation: str, entity: str) -> Iterator[tuple[list[str], list[str]]]:
        """The activation's base for the entity as (keys, agreed digests) in key order, in
        chunks of `AGREED_CHUNK` read at once (an aggregate per chunk, not a row per step:
        this is the hot read of every import plan). JSON keeps any character of a key."""
        after = ""
        while True:
            keys_json, digests_json = self._first_row(
                self._q(self._AGREED), (activation, entity, after, AGREED_CHUNK)
            )
            keys: list[str] = orjson.loads(keys_json or "[]")
            if not keys:
                return
            digests: list[str] = orjson.loads(digests_json)
            yield keys, digests
            if len(keys) < AGREED_CHUNK:
                return
            after = keys[-1]

    def base_drift(
        self, activation: str, entity: str
    ) -> list[tuple[str, str, str | None, str | None]]:
        """The base rows whose store record moved since they were agreed or is gone, as
        `base_digests` gives them (nearly always none)."""
        return [tuple(row) for row in self._all(self._q(_DRIFT), (activation, entity))]

    def base_digests_of(
        self, activation: str, entity: str, keys: Collection[str]
    ) -> list[tuple[str, str, str | None, str | None]]:
        """`base_digests` of just the given keys (a delta lists few records)."""
        return [
            (key, agreed, then, now)
            for key, agreed, then, now, owner in self._by_keys(self._q(_BASE_OF), entity, keys, "")
            if owner == activation
        ]

    def stamp(self, entity: str) -> int:
        value = self._one(self._q("SELECT stamp FROM entity_stamps WHERE entity = ?"), (entity,))
        stamp = 0 if value is None else int(value)
        self._known_stamps[entity] = stamp
        return stamp

    def source_digest(self, activation: str, entity: str) -> tuple[str, int, str] | None:
        sql = "SELECT digest, stamp, counts FROM source_digests WHERE activation = ? AND entity = ?"
        rows = self._all(self._q(sql), (activation, entity))
        return (str(rows[0][0]), int(rows[0][1]), str(rows[0][2])) if rows else None

    def base_count(self, activation: str, entity: str) -> int:
        sql = "SELECT count(*) FROM base WHERE activation = ? AND entity = ?"
        return int(self._one(self._q(sql), (activation, entity)))

    def watermark(self, activation: str, entity: str) -> str | None:
        sql = "SELECT value FROM watermarks WHERE activation = ? AND entity = ?"
        value = self._one(self._q(sql), (activation, entity))
        return None if value is None else str(value)

    # the whole store

    def entities_digest(self, entities: Sequence[str]) -> str:
        hasher = hashlib.blake2b(digest_size=16)
        sql = self._q("SELECT key, digest FROM records WHERE entity = ? ORDER BY key")
        for entity in entities:
            for key, digest in self._stream(sql, (entity,)):
                hasher.update(orjson.dumps((entity, key, digest)))
                hasher.update(b"\n")
        return hasher.hexdigest()

    def entities(self) -> list[str]:
        return [row[0] for row in self._all(ENTITIES_SQL, ())]

    def activations(self) -> list[str]:
        return [row[0] for row in self._all(ACTIVATIONS_SQL, ())]

    def watermarks(self, activation: str) -> dict[str, str]:
        return dict(self._all(self._q(WATERMARKS_SQL), (activation,)))
