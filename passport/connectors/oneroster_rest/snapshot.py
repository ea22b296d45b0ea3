"""The service's side for one plan: listings read once, kept on disk, read again from there.

A full read (no watermark) is a complete listing: a record missing from it is deleted on
the service. A delta read (`filter=dateLastModified>='W'`) lists only what changed since
the watermark, so it is never complete, and a record it does not list is fetched on its
own when the plan or an update asks for it by key.

Every error that leaves a snapshot passes through the connection's redactor once more,
whatever raised it (a page's link, a record's place, the HTTP layer), so no message can
carry a credential the service echoed back.
"""

from __future__ import annotations

import contextlib
import itertools
import shutil
import tempfile
from collections.abc import Collection, Generator, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from passport.connectors.oneroster_rest import shapes
from passport.connectors.oneroster_rest.fields import COLLECTIONS, FALLBACKS
from passport.connectors.oneroster_rest.paging import NOTHING_CHANGED, Listing, Page
from passport.connectors.oneroster_rest.problems import HttpError, clean_url
from passport.connectors.oneroster_rest.session import Session
from passport.connectors.oneroster_rest.spool import Spool
from passport.errors import ConnectorError, PassportError, Problem
from passport.model import Record
from passport.oneroster import SPECS

OPTIONAL = frozenset({"demographics"})  # many services do not offer it


@dataclass
class _Read:
    spool: Spool | None  # None: the service does not offer the entity
    complete: bool
    newest: str | None


class RestSnapshot:
    def __init__(
        self,
        session: Session,
        entities: Sequence[str],
        *,
        full: bool = True,
        watermarks: Mapping[str, str] | None = None,
    ) -> None:
        self._session = session
        self._entities = list(entities)
        marks = {} if full else dict(watermarks or {})
        self._since = {e: m for e, m in marks.items() if e in SPECS and m}
        self._reads: dict[str, _Read] = {}
        self._singles: dict[str, dict[str, Any]] = {}
        self._folder = tempfile.mkdtemp(prefix="passport-rest-")
        self._warnings: list[Problem] = []

    @property
    def warnings(self) -> list[Problem]:
        return self._warnings

    def is_complete(self, entity: str) -> bool:
        with self._masking():
            return self._ensure(entity).complete

    def has_read(self, entity: str) -> bool:
        return entity in self._reads

    def watermark(self, entity: str) -> str | None:
        read = self._reads.get(entity)
        return read.newest if read else None

    def read(self, entity: str, keys: Collection[str] | None = None) -> Iterator[Record]:
        if entity not in SPECS:
            raise KeyError(entity)
        if entity not in self._reads and keys is None:
            return self._masked(self._fetch(entity))
        return self._masked(shapes.record(entity, raw) for _, raw in self._raw(entity, keys))

    def raw(self, entity: str, keys: Collection[str] | None) -> Iterator[tuple[str, Any]]:
        """(sourcedId, JSON object) pairs as the service sent them; with `keys`, only those
        (for a delta, also those it did not list, fetched one by one)."""
        return self._masked(self._raw(entity, keys))

    def close(self) -> None:
        shutil.rmtree(self._folder, ignore_errors=True)

    @contextlib.contextmanager
    def _masking(self) -> Iterator[None]:
        try:
            yield
        except PassportError as error:
            raise self._session.http.redact.error(error) from None

    def _masked(self, items: Iterable[Any]) -> Iterator[Any]:
        with self._masking():
            yield from items

    def _raw(self, entity: str, keys: Collection[str] | None) -> Iterator[tuple[str, Any]]:
        read = self._ensure(entity)
        found: set[str] = set()
        if read.spool is not None:
            for key, raw in read.spool.scan(keys):
                found.add(key)
                yield key, raw
        if keys is not None and not read.complete and read.spool is not None:
            yield from self._fetch_singles(entity, [k for k in keys if k not in found])

    # --- listing -----------------------------------------------------------------------

    def _ensure(self, entity: str) -> _Read:
        if entity not in self._reads:
            for _ in self._fetch(entity):
                pass
        return self._reads[entity]

    def _fetch(self, entity: str) -> Iterator[Record]:
        since = self._since.get(entity)
        params = {"filter": f"dateLastModified>='{since}'"} if since else {}
        opened = self._open(entity, params)
        if opened is None:
            self._reads[entity] = _Read(None, False, None)
            return
        listing, first, rest, complete = opened
        spool = Spool(self._folder)
        keys: set[str] = set()
        newest = Newest()
        try:
            for page in itertools.chain([first], rest):
                records = [_record(entity, page, n, raw) for n, raw in enumerate(page.items)]
                spool.add_page((rec.key for rec in records), page.items)
                for rec in records:
                    keys.add(rec.key)
                    newest.see(rec.modified)
                yield from records
            _check_count(listing, len(keys))
        except BaseException:
            spool.discard()
            raise
        finally:
            rest.close()
        spool.finish()
        self._reads[entity] = _Read(spool, complete and since is None, newest.value)

    def _open(
        self, entity: str, params: dict[str, str]
    ) -> tuple[Listing, Page, Generator[Page, None, None], bool] | None:
        """The entity's listing with its first page read; a fallback collection (or
        nothing, for an optional entity) when the service does not offer it."""
        collection = COLLECTIONS[entity][0]
        candidates = [(collection, True)]
        if entity in FALLBACKS:
            candidates.append((FALLBACKS[entity], False))
        missing: HttpError | None = None
        for path, complete in candidates:
            listing = self._listing(entity, path, params)
            pages = listing.pages()
            try:
                first = next(pages)
            except HttpError as error:
                if error.status != 404:
                    raise
                missing = missing or error
                continue
            if not complete:
                self._warn(listing.url, f"/{collection} is not offered: read {entity} from /{path}")
            return listing, first, pages, complete
        if entity in OPTIONAL:
            url = self._session.collection_url(entity)
            self._warn(url, f"the service does not offer {entity}: read as empty, nothing deleted")
            return None
        assert missing is not None
        raise missing

    def _listing(self, entity: str, path: str, params: dict[str, str]) -> Listing:
        session = self._session
        stage = f"fetching {entity}"
        return Listing(
            session.http,
            f"{session.base_url}/{path}",
            COLLECTIONS[entity][0],
            # A stable order, so that an offset walk over a set that changes meanwhile
            # neither skips nor repeats records (and the count check catches the rest).
            params={**params, "sort": "sourcedId"},
            page_size=session.settings.page_size,
            concurrency=session.tuning.concurrency,
            progress=lambda done, total: session.progress(stage, done, total),
        )

    def _warn(self, url: str, message: str) -> None:
        self._warnings.append(Problem(clean_url(url), message, severity="warning"))

    # --- single records (deltas) -------------------------------------------------------

    def _fetch_singles(self, entity: str, keys: list[str]) -> Iterator[tuple[str, Any]]:
        cache = self._singles.setdefault(entity, {})
        missing = [k for k in keys if k not in cache]
        if missing:
            workers = max(1, min(self._session.tuning.concurrency, len(missing)))
            with ThreadPoolExecutor(workers, thread_name_prefix="oneroster-get") as pool:
                for key, raw in zip(missing, pool.map(self._single(entity), missing), strict=True):
                    cache[key] = raw
        for key in keys:
            if cache.get(key) is not None:
                yield key, cache[key]

    def _single(self, entity: str) -> Any:
        session = self._session
        wrapper = COLLECTIONS[entity][1]

        def get(key: str) -> Any:
            try:
                data = session.http.get_json(session.record_url(entity, key)).data
            except HttpError as error:
                if error.status == 404:
                    return None
                raise
            raw = data.get(wrapper, data) if isinstance(data, dict) else None
            return raw if isinstance(raw, dict) and raw.get("sourcedId") == key else None

        return get


def _record(entity: str, page: Page, n: int, raw: Any) -> Record:
    try:
        return shapes.record(entity, raw)
    except (shapes.NoKey, AttributeError):
        where = f"{clean_url(page.url)}: record {page.offset + n + 1} of the listing"
        what = "has no sourcedId" if isinstance(raw, dict) else "is not a JSON object"
        raise ConnectorError(f"{where} {what}", NOTHING_CHANGED) from None


def _check_count(listing: Listing, distinct: int) -> None:
    if listing.total is not None and distinct < listing.total:
        raise ConnectorError(
            f"{clean_url(listing.url)}: the listing came up short: {distinct} distinct "
            f"records where the service announced {listing.total}",
            NOTHING_CHANGED,
        )


class Newest:
    """The newest dateLastModified seen, as the service wrote it (the next watermark)."""

    def __init__(self) -> None:
        self.value: str | None = None
        self._at: datetime | None = None
        self._seen: set[str] = set()

    def see(self, value: str | None) -> None:
        if not value or value in self._seen:
            return
        if len(self._seen) < 10_000:
            self._seen.add(value)
        try:
            at = datetime.fromisoformat(value)
        except ValueError:
            return
        at = at.replace(tzinfo=UTC) if at.tzinfo is None else at
        if self._at is None or at > self._at:
            self.value, self._at = value, at
