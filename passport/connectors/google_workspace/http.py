"""One Directory API request, done properly: the token, retries, backoff, clear failures.

Retried, with exponential backoff and jitter within a time budget, honouring Retry-After:
403 userRateLimitExceeded and rateLimitExceeded, 429, 500, 502, 503 (backendError), 504,
connection errors and timeouts. A 401 gets one more try with a fresh token. Anything else
fails at once with Google's own reason. Every message is redacted.

A POST retried after a lost answer may have been carried out: the retry then answers 409
duplicate, which callers treat as "exists" (link it), never as a crash.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

from passport.connectors.google_workspace.credentials import Authorizer
from passport.connectors.google_workspace.pacing import Pacer
from passport.connectors.google_workspace.problems import (
    ApiError,
    GoogleError,
    Redactor,
    clean_url,
    describe,
    parse_error,
)
from passport.connectors.google_workspace.settings import Tuning
from passport.connectors.retrying import retry_after

log = logging.getLogger("passport.connectors.google_workspace")

TRANSIENT = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
USER_AGENT = "passport-google-workspace"


@dataclass(frozen=True, slots=True)
class Call:
    """One API call: `path` is below api_url, e.g. /admin/directory/v1/users."""

    method: str
    path: str
    params: Mapping[str, str] = field(default_factory=dict)
    body: Mapping[str, Any] | None = field(default=None, repr=False)  # may hold a password
    key: str = ""  # the caller's name for it, e.g. the user's email


@dataclass(frozen=True, slots=True)
class Result:
    """What became of one call. `reason` is Google's (`duplicate`, `notFound` ...)."""

    call: Call
    status: int | None  # None: no answer came
    data: Any = None
    reason: str | None = None
    message: str | None = None  # redacted, for a report

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass(slots=True)
class Backoff:
    """The delays of one call's retries, and its deadline."""

    tuning: Tuning
    clock: Callable[[], float]
    rng: random.Random
    started: float = 0.0
    attempt: int = 0

    def __post_init__(self) -> None:
        self.started = self.clock()

    def next_delay(self, retry_after: float | None) -> float | None:
        """Seconds to wait before the next try, or None when the budget is spent."""
        self.attempt += 1
        base = self.tuning.backoff_base_s
        if retry_after is not None:
            delay = retry_after + self.rng.uniform(0, base)
        else:
            ceiling = min(self.tuning.backoff_cap_s, base * 2 ** (self.attempt - 1))
            delay = ceiling + self.rng.uniform(0, base)
        deadline = self.started + self.tuning.retry_budget_s
        if self.attempt >= self.tuning.max_attempts or self.clock() + delay > deadline:
            return None
        return delay

    def spent(self) -> str:
        times = "once" if self.attempt <= 1 else f"{self.attempt} times"
        return f"tried {times} in {self.clock() - self.started:.1f} s"


class Api:
    def __init__(
        self,
        client: httpx.Client,
        api_url: str,
        authorizer: Authorizer,
        redactor: Redactor,
        tuning: Tuning,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.api_url = api_url
        self.auth = authorizer
        self.redact = redactor
        self.tuning = tuning
        self.pacer = Pacer(tuning.requests_per_s)
        self.clock = clock
        self._timeout = httpx.Timeout(tuning.timeout_s)
        self._closed = threading.Event()
        self._rng = random.Random()
        self.sent = 0  # HTTP requests sent, retries included

    def close(self) -> None:
        """Stop retrying: calls still waiting to be retried give up."""
        self._closed.set()

    def backoff(self) -> Backoff:
        return Backoff(self.tuning, self.clock, self._rng)

    def wait(self, delay: float) -> None:
        self._closed.wait(delay)

    def call(self, call: Call) -> Any:
        """The parsed answer of one call; raises ApiError when it fails for good."""
        result = self.result(call)
        if not result.ok:
            raise ApiError(result.message or "failed", result.status, result.reason)
        return result.data

    def result(self, call: Call) -> Result:
        """What became of one call, after its retries; never raises for an API error
        (only for credentials that cannot be had)."""
        backoff = self.backoff()
        renewed = False
        while True:
            if self._closed.is_set():
                return Result(call, None, message=f"{call.method} {call.path} was given up")
            header = self.auth.header()
            with self.pacer.slot():
                outcome, retry_after = self._once(call, header)
            if outcome.ok:
                return outcome
            if outcome.status == 401 and not renewed:
                self.auth.rejected(header)
                renewed = True
                continue
            if not retryable(outcome):
                return outcome
            delay = backoff.next_delay(retry_after)
            if delay is None:
                return gave_up(outcome, backoff)
            log.info("retrying %s %s in %.2f s: %s", call.method, call.path, delay, outcome.message)
            self.wait(delay)

    def request(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str],
        params: Mapping[str, str] | None = None,
        content: bytes | None = None,
    ) -> httpx.Response:
        """One HTTP request, no retry (the batch endpoint and `_once` build on it)."""
        request = self.client.build_request(
            method,
            self.api_url + path,
            params=dict(params or {}),
            content=content,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json", **headers},
            timeout=self._timeout,
        )
        self.sent += 1
        return self.client.send(request)

    def _once(self, call: Call, header: str) -> tuple[Result, float | None]:
        headers = {"Authorization": header}
        content = None
        if call.body is not None:
            content = orjson.dumps(call.body)
            headers["Content-Type"] = "application/json"
        url = self.api_url + call.path
        try:
            response = self.request(
                call.method, call.path, headers=headers, params=call.params, content=content
            )
        except TRANSIENT as error:
            problem = f"{call.method} {clean_url(url)}: no answer ({type(error).__name__})"
            return Result(call, None, message=self.redact(problem)), None
        after = retry_after(response.headers.get("Retry-After"))
        return self.answer(call, response.status_code, response.content), after

    def answer(self, call: Call, status: int, content: bytes) -> Result:
        """A Result from an HTTP status and body (of a request or of a batch part)."""
        if 200 <= status < 300:
            try:
                data = orjson.loads(content) if content.strip() else None
            except orjson.JSONDecodeError:
                where = clean_url(self.api_url + call.path)
                return Result(call, None, message=f"the answer from {where} is not JSON")
            return Result(call, status, data)
        error = parse_error(status, content)
        text = self.redact(describe(error, call.method, self.api_url + call.path))
        return Result(call, status, None, error.reason, text)

    def pages(self, path: str, params: Mapping[str, str], items: str) -> Iterator[dict[str, Any]]:
        """Every item of a listing, page by page along nextPageToken. A page that fails
        raises (a short listing must never read as deletions)."""
        query = dict(params)
        seen: set[str] = set()
        while True:
            page = self.call(Call("GET", path, query))
            if not isinstance(page, dict):
                raise ApiError(f"the listing at {clean_url(self.api_url + path)} is not an object")
            found = page.get(items, [])  # Google leaves the key out of an empty page
            if not isinstance(found, list):
                raise ApiError(f"{items} in {clean_url(self.api_url + path)} is not a list")
            yield from found
            token = page.get("nextPageToken")
            if not token:
                return
            if token in seen:
                raise ApiError(
                    f"the listing at {clean_url(self.api_url + path)} repeats a page token"
                )
            seen.add(token)
            query["pageToken"] = str(token)


def retryable(result: Result) -> bool:
    if result.status is None:
        return True
    return GoogleError(result.status, result.reason, None).retryable


def gave_up(result: Result, backoff: Backoff) -> Result:
    message = f"{result.message or 'no answer'} (gave up: {backoff.spent()})"
    return Result(result.call, result.status, None, result.reason, message)
