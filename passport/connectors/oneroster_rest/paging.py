"""The pages of one collection listing, in order, checked against what the service announced.

How pages are found, in this order:
- a total is announced (`X-Total-Count` or `x-count`) and the pages step by offset (no
  `Link`, or a `Link rel="next"` that is just the next offset): every offset is known after
  the first page, so pages are fetched by a bounded pool, and handed on in order;
- `Link rel="next"`: followed, one page after another (links may be opaque cursors);
- neither: the offset steps by what came back until an empty page, or a page shorter than
  those before it (a first page shorter than `limit` may be clamped, so it proves nothing).

A page that fails (after retries) ends the listing with an error. So does a page shorter
than the announced total requires, or a total that changes half-way: a short listing must
never read as deleted records.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

from passport.connectors.oneroster_rest.http import Http, Reply
from passport.connectors.oneroster_rest.problems import clean_url
from passport.errors import ConnectorError

TOTAL_HEADERS = ("X-Total-Count", "x-count")
NOTHING_CHANGED = "nothing was changed; run again once the service answers in full"


@dataclass(frozen=True, slots=True)
class Page:
    url: str
    offset: int
    items: list[Any]
    total: int | None
    next_url: str | None


class Listing:
    def __init__(
        self,
        http: Http,
        url: str,
        wrapper: str,
        *,
        params: dict[str, str],
        page_size: int,
        concurrency: int,
        progress: Callable[[int, int | None], None] = lambda done, total: None,
    ) -> None:
        self.http = http
        self.url = url
        self.wrapper = wrapper
        self.params = params
        self.page_size = page_size
        self.concurrency = max(1, concurrency)
        self.progress = progress
        self.total: int | None = None  # as announced by the first page
        self.done = 0

    def pages(self) -> Generator[Page, None, None]:
        first = self._fetch(self.url, 0, self._params(0))
        self.total = first.total
        yield self._counted(first)
        size = len(first.items)
        if self.total is not None and size >= self.total:
            return
        if self.total is not None and self._steps_by_offset(first):
            if size == 0:
                raise self._short(first, self.total)
            yield from self._concurrent(size, self.total)
        elif first.next_url:
            yield from self._follow(first)
        else:
            yield from self._step(first)

    # --- the three ways ---------------------------------------------------------------

    def _concurrent(self, step: int, total: int) -> Iterator[Page]:
        offsets = iter(range(step, total, step))
        pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="oneroster-page")
        window: deque[tuple[int, Future[Page]]] = deque()

        def submit() -> None:
            offset = next(offsets, None)
            if offset is not None:
                window.append((offset, pool.submit(self._fetch_offset, offset)))

        try:
            for _ in range(self.concurrency + 2):  # a few parsed pages ahead, no more
                submit()
            while window:
                offset, future = window.popleft()
                page = future.result()
                submit()
                self._check(page, min(step, total - offset))
                yield self._counted(page)
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

    def _follow(self, first: Page) -> Iterator[Page]:
        seen = {first.url}
        page = first
        while page.next_url:
            url = page.next_url
            if url in seen:
                raise ConnectorError(f"{clean_url(url)}: the next-page links go round in a loop")
            seen.add(url)
            page = self._fetch(url, page.offset + len(page.items), None)
            self._check(page, None)
            yield self._counted(page)

    def _step(self, first: Page) -> Iterator[Page]:
        page, longest = first, len(first.items)
        while page.items and len(page.items) >= longest:
            longest = max(longest, len(page.items))
            offset = page.offset + len(page.items)
            previous = page
            page = self._fetch_offset(offset)
            if page.items and _first_key(page) == _first_key(previous):
                raise ConnectorError(
                    f"{clean_url(page.url)}: the service ignores offset (the same page twice)",
                    NOTHING_CHANGED,
                )
            yield self._counted(page)

    # --- fetching and checking ---------------------------------------------------------

    def _params(self, offset: int) -> dict[str, str]:
        return {**self.params, "limit": str(self.page_size), "offset": str(offset)}

    def _fetch_offset(self, offset: int) -> Page:
        return self._fetch(self.url, offset, self._params(offset))

    def _fetch(self, url: str, offset: int, params: dict[str, str] | None) -> Page:
        reply = self.http.get_json(url, params)
        fetched = str(reply.response.url)
        return Page(fetched, offset, self._items(reply, fetched), _total(reply), self._next(reply))

    def _items(self, reply: Reply, url: str) -> list[Any]:
        data = reply.data
        if isinstance(data, dict):
            items = data.get(self.wrapper)
            if items is None:
                lists = [v for v in data.values() if isinstance(v, list)]
                items = lists[0] if len(lists) == 1 else None
        else:
            items = data
        if not isinstance(items, list):
            raise ConnectorError(
                f"the answer from {clean_url(url)} holds no {self.wrapper!r} list", NOTHING_CHANGED
            )
        return items

    def _next(self, reply: Reply) -> str | None:
        link = reply.response.links.get("next", {}).get("url")
        if not link:
            return None
        target = urljoin(str(reply.response.url), link)
        if _origin(target) != _origin(self.url):
            raise ConnectorError(
                f"{clean_url(self.url)}: the next-page link leads to another host "
                f"({clean_url(target)}); passport does not send credentials there"
            )
        return target

    def _steps_by_offset(self, first: Page) -> bool:
        if first.next_url is None:
            return True
        query = parse_qs(urlsplit(first.next_url).query)
        return query.get("offset") == [str(len(first.items))]

    def _check(self, page: Page, expected: int | None) -> None:
        if self.total is not None and page.total is not None and page.total != self.total:
            raise ConnectorError(
                f"{clean_url(self.url)}: the collection changed while it was read "
                f"(total {self.total}, then {page.total})",
                NOTHING_CHANGED,
            )
        if expected is not None and len(page.items) < expected:
            raise self._short(page, expected)

    def _short(self, page: Page, expected: int) -> ConnectorError:
        return ConnectorError(
            f"{clean_url(self.url)}: the listing came up short: the page at offset "
            f"{page.offset} holds {len(page.items)} records where {expected} were due "
            f"(total {self.total})",
            NOTHING_CHANGED,
        )

    def _counted(self, page: Page) -> Page:
        self.done += len(page.items)
        self.progress(self.done, self.total)
        return page


def _total(reply: Reply) -> int | None:
    for name in TOTAL_HEADERS:
        value = reply.response.headers.get(name)
        if value is not None and value.strip().isdigit():
            return int(value)
    return None


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port


def _first_key(page: Page) -> object:
    item = page.items[0]
    return item.get("sourcedId") if isinstance(item, dict) else item
