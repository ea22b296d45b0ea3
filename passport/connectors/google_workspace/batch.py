"""The Directory API batch endpoint: up to `batch_size` calls in one multipart/mixed
request, each answered in its own part.

Google counts every call of a batch against the quota, and answers each on its own: some
parts may succeed while others are rate limited. A part that failed transiently is sent
again in a later batch after its own backoff, within its own time budget; the others
stand. A batch that fails as a whole counts as that failure for each of its parts.
"""

from __future__ import annotations

import random
import secrets
from collections import deque
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import urlencode, urlsplit

import orjson

from passport.connectors.google_workspace.http import (
    TRANSIENT,
    Api,
    Call,
    Result,
    retryable,
)
from passport.connectors.google_workspace.problems import clean_url
from passport.connectors.retrying import retry_after

BATCH_PATH = "/batch/admin/directory_v1"


def execute(api: Api, calls: Sequence[Call]) -> list[Result]:
    """Every call carried out, in order of `calls`; batched unless batch_size is 1."""
    if not calls:
        return []
    if api.tuning.batch_size == 1:
        with ThreadPoolExecutor(max_workers=api.tuning.concurrency) as pool:
            return list(pool.map(api.result, calls))
    return _Batches(api, calls).run()


class _Batches:
    """Sends the calls in batches, front of the queue first. A rate limit or a failure is
    the service's state, not one call's: when calls must go again, they go back to the
    front and nothing is sent until the pause ends. The pause is short (the backoff base,
    a quota window) while some calls still pass, and grows exponentially while none do;
    each call gives up when its own time budget would be passed."""

    def __init__(self, api: Api, calls: Sequence[Call]) -> None:
        self.api = api
        self.calls = calls
        self.results: dict[int, Result] = {}
        self.queue: deque[int] = deque(range(len(calls)))
        self.first_failure: dict[int, float] = {}
        self.renewed: set[int] = set()
        self.pause_until = 0.0
        self.stalled = 0  # rounds in a row where no call passed
        self.rng = random.Random()

    def run(self) -> list[Result]:
        while self.queue:
            self.api.wait(max(0.0, self.pause_until - self.api.clock()))
            chunk = self._next_chunk()
            answers = self._send(chunk)
            passed = sum(1 for _, result, _ in answers if result.ok)
            again: list[tuple[int, Result]] = []
            afters: list[float] = []
            for index, result, after in answers:
                if result.status == 401 and index not in self.renewed:
                    self.renewed.add(index)
                    again.append((index, result))
                elif result.ok or not retryable(result):
                    self.results[index] = result
                else:
                    again.append((index, result))
                    afters += [after] if after is not None else []
            self._pause(again, afters, passed)
        return [self.results[i] for i in range(len(self.calls))]

    def _pause(self, again: list[tuple[int, Result]], afters: list[float], passed: int) -> None:
        if not again:
            self.stalled = 0
            return
        failed = [(i, r) for i, r in again if r.status != 401 or i not in self.renewed]
        tuning, now = self.api.tuning, self.api.clock()
        self.stalled = 0 if passed else self.stalled + 1
        base = tuning.backoff_base_s
        if afters:
            delay = max(afters)
        elif not failed or passed:
            delay = base if failed else 0.0
        else:
            delay = min(tuning.backoff_cap_s, base * 2 ** (self.stalled - 1))
        delay += self.rng.uniform(0, base) if failed else 0.0
        requeue: list[int] = []
        for index, result in again:
            started = self.first_failure.setdefault(index, now)
            spent = now + delay - started > tuning.retry_budget_s
            if result.status != 401 and (spent or self.stalled >= tuning.max_attempts):
                self.results[index] = _given_up(result, now - started, self.stalled)
            else:
                requeue.append(index)
        self.queue.extendleft(reversed(requeue))
        self.pause_until = now + delay

    def _next_chunk(self) -> list[int]:
        size = self.api.tuning.batch_size
        if self.api.pacer.capacity:  # a batch larger than the quota's second never fits
            size = min(size, self.api.pacer.capacity)
        return [self.queue.popleft() for _ in range(min(size, len(self.queue)))]

    def _send(self, chunk: list[int]) -> Iterable[tuple[int, Result, float | None]]:
        api = self.api
        header = api.auth.header()
        boundary = "batch_passport_" + secrets.token_hex(8)
        prefix = urlsplit(api.api_url).path.rstrip("/")
        body = encode([(str(i), self.calls[i]) for i in chunk], boundary, prefix)
        headers = {
            "Authorization": header,
            "Content-Type": f"multipart/mixed; boundary={boundary}",
        }
        try:
            with api.pacer.slot(len(chunk)):
                response = api.request("POST", BATCH_PATH, headers=headers, content=body)
        except TRANSIENT as error:
            problem = (
                f"POST {clean_url(api.api_url + BATCH_PATH)}: no answer ({type(error).__name__})"
            )
            return [(i, Result(self.calls[i], None, message=problem), None) for i in chunk]
        whole_after = retry_after(response.headers.get("Retry-After"))
        if response.status_code == 401:
            api.auth.rejected(header)
        if not 200 <= response.status_code < 300:
            return [
                (i, api.answer(self.calls[i], response.status_code, response.content), whole_after)
                for i in chunk
            ]
        parts = decode(response.headers.get("Content-Type", ""), response.content)
        if any(part[2] == 401 for part in parts.values()):
            api.auth.rejected(header)
        answered: list[tuple[int, Result, float | None]] = []
        for i in chunk:
            part = parts.get(str(i))
            if part is None:
                missing = (
                    f"the batch answer has no part for {self.calls[i].method} {self.calls[i].path}"
                )
                answered.append((i, Result(self.calls[i], None, message=missing), None))
                continue
            part_after, content, status = part
            answered.append((i, api.answer(self.calls[i], status, content), part_after))
        return answered


def _given_up(result: Result, spent_s: float, stalled: int) -> Result:
    why = f"gave up after {spent_s:.1f} s of retries"
    if stalled:
        why += f", {stalled} rounds in a row with no call passing"
    message = f"{result.message or 'no answer'} ({why})"
    return Result(result.call, result.status, None, result.reason, message)


def encode(calls: Sequence[tuple[str, Call]], boundary: str, prefix: str = "") -> bytes:
    """A multipart/mixed body with one application/http part per call."""
    out: list[bytes] = []
    for content_id, call in calls:
        target = prefix + call.path
        if call.params:
            target += "?" + urlencode(dict(call.params))
        inner = [f"{call.method} {target} HTTP/1.1"]
        payload = b""
        if call.body is not None:
            payload = orjson.dumps(call.body)
            inner += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
        head = "\r\n".join(
            [
                f"--{boundary}",
                "Content-Type: application/http",
                "Content-Transfer-Encoding: binary",
                f"Content-ID: <item-{content_id}>",
                "",
                *inner,
                "",
                "",
            ]
        )
        out.append(head.encode() + payload + b"\r\n")
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out)


def decode(content_type: str, body: bytes) -> dict[str, tuple[float | None, bytes, int]]:
    """content id -> (Retry-After, body, status) for each part of a batch answer."""
    if not content_type.lower().startswith("multipart/mixed"):
        return {}
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    found: dict[str, tuple[float | None, bytes, int]] = {}
    for part in message.iter_parts():
        content_id = str(part.get("Content-ID", "")).strip().strip("<>")
        content_id = content_id.removeprefix("response-").removeprefix("item-")
        raw = part.get_payload(decode=True)
        if not isinstance(raw, bytes):
            continue
        parsed = _inner_response(raw)
        if parsed is not None:
            found[content_id] = parsed
    return found


def _inner_response(raw: bytes) -> tuple[float | None, bytes, int] | None:
    """(Retry-After, body, status) of an `HTTP/1.1 200 OK` message inside a part."""
    ends = [(raw.find(sep), sep) for sep in (b"\r\n\r\n", b"\n\n") if raw.find(sep) >= 0]
    if not ends:
        return None
    at, sep = min(ends)
    lines = raw[:at].replace(b"\r\n", b"\n").split(b"\n")
    status_line = lines[0].split(b" ", 2)
    if len(status_line) < 2 or not status_line[1].isdigit():
        return None
    after = None
    for line in lines[1:]:
        name, _, value = line.decode("latin-1").partition(":")
        if name.strip().lower() == "retry-after":
            after = retry_after(value.strip())
    return after, raw[at + len(sep) :], int(status_line[1])
