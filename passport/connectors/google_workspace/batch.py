"""The Directory API batch endpoint: up to `batch_size` calls in one multipart/mixed
request, each answered in its own part.

Google counts every call of a batch against the quota, and answers each on its own: some
parts may succeed while others are rate limited. A part that failed transiently is sent
again in a later batch after its own backoff, within its own time budget; the others
stand. A batch that fails as a whole counts as that failure for each of its parts.
"""

from __future__ import annotations

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
    Backoff,
    Call,
    Result,
    gave_up,
    retry_after,
    retryable,
)
from passport.connectors.google_workspace.problems import clean_url

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
    def __init__(self, api: Api, calls: Sequence[Call]) -> None:
        self.api = api
        self.calls = calls
        self.results: dict[int, Result] = {}
        self.queue: deque[int] = deque(range(len(calls)))
        self.ready_at: dict[int, float] = {}
        self.backoffs: dict[int, Backoff] = {}
        self.renewed: set[int] = set()

    def run(self) -> list[Result]:
        while self.queue:
            chunk = self._next_chunk()
            if not chunk:
                soonest = min(self.ready_at[i] for i in self.queue)
                self.api.wait(max(0.0, soonest - self.api.clock()))
                continue
            again = [
                (i, delay)
                for i, r, after in self._send(chunk)
                if (delay := self._settle(i, r, after)) is not None
            ]
            if again:
                # The calls that failed together go again together, after the longest wait.
                ready = self.api.clock() + max(delay for _, delay in again)
                for index, _ in again:
                    self.ready_at[index] = ready
                    self.queue.append(index)
        return [self.results[i] for i in range(len(self.calls))]

    def _next_chunk(self) -> list[int]:
        now, size = self.api.clock(), self.api.tuning.batch_size
        if self.api.pacer.capacity:  # a batch larger than the quota's second never fits
            size = min(size, self.api.pacer.capacity)
        chunk: list[int] = []
        waiting: list[int] = []
        while self.queue and len(chunk) < size:
            index = self.queue.popleft()
            (chunk if self.ready_at.get(index, 0.0) <= now else waiting).append(index)
        self.queue.extendleft(reversed(waiting))
        return chunk

    def _settle(self, index: int, result: Result, after: float | None) -> float | None:
        """Keep the call's result, or return how long to wait before it goes again."""
        if result.status == 401 and index not in self.renewed:
            self.renewed.add(index)
            return 0.0
        if result.ok or not retryable(result):
            self.results[index] = result
            return None
        backoff = self.backoffs.setdefault(index, self.api.backoff())
        delay = backoff.next_delay(after)
        if delay is None:
            self.results[index] = gave_up(result, backoff)
        return delay

    def _send(self, chunk: list[int]) -> Iterable[tuple[int, Result, float | None]]:
        api = self.api
        api.pacer.take(len(chunk))
        header = api.auth.header()
        boundary = "batch_passport_" + secrets.token_hex(8)
        prefix = urlsplit(api.api_url).path.rstrip("/")
        body = encode([(str(i), self.calls[i]) for i in chunk], boundary, prefix)
        headers = {
            "Authorization": header,
            "Content-Type": f"multipart/mixed; boundary={boundary}",
        }
        try:
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
