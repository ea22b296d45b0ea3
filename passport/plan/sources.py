"""What the plan reads, as structural types: the store and application sides.

The plan package imports neither the store nor any connector; the runner hands it objects
that fit these protocols (a `passport.store.base.Store`, a connector's `Snapshot`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from typing import Protocol

from passport.model import Fields, Record


class StoredLike(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def fields(self) -> Fields: ...
    @property
    def digest(self) -> str: ...
    @property
    def modified(self) -> str | None: ...


class BaseLike(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def digest(self) -> str: ...
    @property
    def store_digest(self) -> str | None: ...
    @property
    def fields(self) -> Fields | None: ...
    @property
    def current_store_digest(self) -> str | None: ...


class StoreSide(Protocol):
    def count(self, entity: str) -> int: ...
    def scan(self, entity: str) -> Iterator[StoredLike]: ...
    def get(self, entity: str, keys: Collection[str]) -> Mapping[str, StoredLike]: ...
    def owners(self, entity: str, keys: Collection[str]) -> Mapping[str, list[str]]: ...
    def base_scan(self, activation: str, entity: str) -> Iterator[BaseLike]: ...
    def base_count(self, activation: str, entity: str) -> int: ...
    def base_digests(
        self, activation: str, entity: str
    ) -> Iterator[tuple[str, str, str | None, str | None]]: ...


class AppSide(Protocol):
    def read(self, entity: str, keys: Collection[str] | None = None) -> Iterator[Record]:
        """Each key at most once per read."""
        ...

    def is_complete(self, entity: str) -> bool: ...
    def watermark(self, entity: str) -> str | None: ...


# (stage, done, total) -> None; stage like "reading users"
Progress = Callable[[str, int, int | None], None]


def no_progress(stage: str, done: int, total: int | None) -> None:
    return None
