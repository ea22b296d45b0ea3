"""One HTTP request, done properly: credentials, retries with backoff, clear failures.

Retried: 429, 502, 503 and 504 (honouring Retry-After), connection errors, timeouts, a
body cut short and a 2xx body that is not JSON, with exponential backoff and jitter,
within a bounded number of attempts and a bounded total time. Requests are idempotent
(GET, PUT of a whole record, DELETE), so a retry never duplicates anything. A 401 gets
one more try with fresh credentials. Anything else fails at once with the service's
own reason. Every message is redacted.

Bodies are streamed and bounded: a 2xx body larger than `max_response_bytes` (a page of a
listing, a token) fails at once, naming the URL and the limit, after reading no more than
the limit; of an error body only the first `ERROR_BODY_BYTES` are read (they hold the
status envelope; the message shows a short excerpt of it anyway).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from passport import limits
from passport.connectors.oneroster_rest import log_filter
from passport.connectors.oneroster_rest.auth import Authenticator
from passport.connectors.oneroster_rest.problems import HttpError, Redactor, clean_url, failure
from passport.connectors.oneroster_rest.settings import Tuning
from passport.connectors.retrying import retry_after

log = logging.getLogger("passport.connectors.oneroster_rest")

RETRY_STATUSES = frozenset({429, 502, 503, 504})
TRANSIENT = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
USER_AGENT = "passport-oneroster-rest"
ERROR_BODY_BYTES = 64 * 1024
# Set by the codec, not by the bytes a settled response holds (already decoded).
_BODY_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


@dataclass(frozen=True, slots=True)
class Reply:
    response: httpx.Response
    data: Any  # the parsed JSON body (None when not asked for)


@dataclass(slots=True)
class _Attempt:
    problem: str  # why this attempt failed, for the log and the final message
    status: int | None = None
    retry_after: float | None = None


class Http:
    def __init__(
        self,
        client: httpx.Client,
        *,
        timeout_s: float,
        tuning: Tuning,
        redactor: Redactor,
        auth: Authenticator | None = None,
        clock: Callable[[], float] = time.monotonic,
        max_response_bytes: int | None = None,
    ) -> None:
        self.client = client
        self.auth = auth
        self.redact = redactor
        log_filter.watch(redactor)
        self._timeout = httpx.Timeout(timeout_s)
        self._timeout_s = timeout_s
        self._tuning = tuning
        self._closed = threading.Event()
        self._clock = clock
        self._random = random.Random()
        self._max_bytes = (
            limits.MAX_RESPONSE_BYTES.value() if max_response_bytes is None else max_response_bytes
        )

    def close(self) -> None:
        """Stop retrying: requests still waiting to be retried give up (a read aborted,
        or the connector closed)."""
        self._closed.set()

    def get_json(self, url: str, params: dict[str, str] | None = None) -> Reply:
        return self._call("GET", url, params=params, parse=True)

    def send(self, method: str, url: str, body: Any = None) -> httpx.Response:
        content = orjson.dumps(body) if body is not None else None
        return self._call(method, url, content=content).response

    def post_form(self, url: str, form: dict[str, str], authorization: str) -> httpx.Response:
        """An unauthenticated POST with its own Authorization (the OAuth 2 token request)."""
        headers = {"Authorization": authorization}
        return self._call("POST", url, form=form, headers=headers, signed=False).response

    def _call(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, str] | None = None,
        content: bytes | None = None,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        signed: bool = True,
        parse: bool = False,
    ) -> Reply:
        def build() -> httpx.Request:
            request = self.client.build_request(
                method, url, params=params, content=content, data=form, timeout=self._timeout
            )
            request.headers["Accept"] = "application/json"
            request.headers["User-Agent"] = USER_AGENT
            if content is not None:
                request.headers["Content-Type"] = "application/json"
            request.headers.update(headers or {})
            if signed and self.auth is not None:
                self.auth.sign(request)
            return request

        return self._attempts(method, url, build, parse, renewable=signed)

    def _attempts(
        self,
        method: str,
        url: str,
        build: Callable[[], httpx.Request],
        parse: bool,
        *,
        renewable: bool,
    ) -> Reply:
        started = self._clock()
        deadline = started + self._tuning.retry_budget_s
        attempt, renewed = 0, not renewable
        while True:
            attempt += 1
            if self._closed.is_set():
                raise HttpError(f"{method} {clean_url(url)} was given up: the connection closed")
            request = build()
            outcome = self._once(request, parse)
            if isinstance(outcome, Reply):
                return outcome
            if outcome.status == 401:
                if not renewed and self.auth is not None and self.auth.rejected(request):
                    renewed, attempt = True, attempt - 1
                    continue
                raise HttpError(self.redact(outcome.problem), 401)
            if outcome.status is not None and outcome.status not in RETRY_STATUSES:
                raise HttpError(self.redact(outcome.problem), outcome.status)
            delay = self._delay(attempt, outcome.retry_after)
            if attempt >= self._tuning.max_attempts or self._clock() + delay > deadline:
                raise HttpError(self._given_up(outcome, attempt, started, delay), outcome.status)
            log.info(
                "retrying %s %s in %.2f s (attempt %d): %s",
                method,
                clean_url(url),
                delay,
                attempt + 1,
                self.redact(outcome.problem),
            )
            self._closed.wait(delay)

    def _once(self, request: httpx.Request, parse: bool) -> Reply | _Attempt:
        url = str(request.url)
        try:
            streamed = self.client.send(request, stream=True)
            try:
                body = self._read(streamed, url)
            finally:
                streamed.close()
        except TRANSIENT as error:
            return _Attempt(self._transport_problem(url, error))
        response = _settled(streamed, body)
        status = response.status_code
        if 200 <= status < 300:
            if not parse:
                return Reply(response, None)
            try:
                return Reply(response, orjson.loads(body))
            except orjson.JSONDecodeError as error:
                return _Attempt(f"the answer from {clean_url(url)} is not valid JSON ({error})")
        location = response.headers.get("Location")
        problem = failure(
            status, url, body, response.reason_phrase, redact=self.redact, location=location
        )
        if status in RETRY_STATUSES:
            return _Attempt(problem, status, retry_after(response.headers.get("Retry-After")))
        return _Attempt(problem, status)

    def _read(self, response: httpx.Response, url: str) -> bytes:
        """The body, decoded: whole when it is within the limit, the head of an error."""
        if not 200 <= response.status_code < 300:
            return _first(response, ERROR_BODY_BYTES)
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self._max_bytes:
            raise self._too_large(url, int(declared))
        body = _within(response, self._max_bytes)
        if body is None:
            raise self._too_large(url, None)
        return body

    def _too_large(self, url: str, size: int | None) -> HttpError:
        said = f" ({limits.size_text(size)})" if size is not None else ""
        limit = limits.MAX_RESPONSE_BYTES
        return HttpError(
            self.redact(
                f"the answer from {clean_url(url)}{said} is larger than the "
                f"{limits.size_text(self._max_bytes)} one answer may be ({limit.name})"
            ),
            hint=f"ask for smaller pages (delivery.page_size), or raise {limit.name}",
        )

    def _transport_problem(self, url: str, error: Exception) -> str:
        where = clean_url(url)
        said = self.redact.excerpt(str(error) or type(error).__name__, 200)
        if isinstance(error, httpx.TimeoutException):
            return f"no answer from {where} within {self._timeout_s:g} s"
        if isinstance(error, httpx.ConnectError):
            return f"cannot connect to {where} ({said})"
        return f"the connection to {where} broke off ({said})"

    def _delay(self, attempt: int, after: float | None) -> float:
        base = self._tuning.backoff_base_s
        if after is not None:
            return after + self._random.uniform(0, base)
        ceiling = min(self._tuning.backoff_cap_s, base * 2 ** (attempt - 1))
        return self._random.uniform(ceiling / 2, ceiling)

    def _given_up(self, outcome: _Attempt, attempt: int, started: float, delay: float) -> str:
        spent = self._clock() - started
        if outcome.retry_after is not None and outcome.retry_after > self._tuning.retry_budget_s:
            why = f"the service asked to wait {outcome.retry_after:g} s, beyond the retry budget"
        else:
            times = "once" if attempt == 1 else f"{attempt} times"
            why = f"tried {times} in {spent:.1f} s"
        return self.redact(f"{outcome.problem} ({why})")


def _first(response: httpx.Response, size: int) -> bytes:
    """The first `size` bytes of the decoded body, reading no further than needed."""
    chunks: list[bytes] = []
    have = 0
    for chunk in response.iter_bytes():
        chunks.append(chunk)
        have += len(chunk)
        if have >= size:
            break
    return b"".join(chunks)[:size]


def _within(response: httpx.Response, size: int) -> bytes | None:
    """The decoded body when it holds at most `size` bytes; None as soon as it holds more
    (what was read so far is dropped, not joined)."""
    chunks: list[bytes] = []
    have = 0
    for chunk in response.iter_bytes():
        have += len(chunk)
        if have > size:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _settled(streamed: httpx.Response, body: bytes) -> httpx.Response:
    """A closed streamed response as an ordinary one holding `body` (the bounded read)."""
    headers = [(k, v) for k, v in streamed.headers.multi_items() if k.lower() not in _BODY_HEADERS]
    return httpx.Response(
        streamed.status_code,
        headers=headers,
        content=body,
        request=streamed.request,
        extensions=streamed.extensions,
    )
