"""Faults the OneRoster test server can inject, by rule or at random.

A rule hits requests whose method and path (with its query) match, after letting `after`
of them through, `times` times (None: every time). Kinds:

| kind          | what the client sees                                                |
|---------------|---------------------------------------------------------------------|
| status        | `status` (429, 500, 503 ...) with an imsx body, and Retry-After      |
| slow          | the normal answer, `delay_s` late (past the client's timeout)        |
| malformed     | 200 with a body that is not JSON                                    |
| truncated     | 200 whose body stops half-way (Content-Length promises more)        |
| short         | a page missing half its records, headers unchanged                  |
| drop          | the connection closes before any answer                             |
| drop_after    | the request is carried out, then the connection closes unanswered   |
| expire_token  | every OAuth 2 token issued so far stops working                     |
| no_sourcedid  | the page's first record comes without its sourcedId                 |
| grow          | a record is added to the collection just before this page is cut    |
| echo          | `status` with a JSON error repeating the request (roster_echo.py)   |
| echo_html     | `status` with an HTML page repeating the request                    |
| echo_redirect | `status` (a 3xx) to a Location repeating the request, and a body too |
| huge          | `status` with a JSON body of `size` bytes, its Content-Length given  |
| huge_chunked  | the same, chunked: its size known only at the end                   |
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field

KINDS = frozenset(
    {
        "status",
        "slow",
        "malformed",
        "truncated",
        "short",
        "drop",
        "drop_after",
        "expire_token",
        "no_sourcedid",
        "grow",
        "echo",
        "echo_html",
        "echo_redirect",
        "huge",
        "huge_chunked",
    }
)
RANDOM_KINDS = (
    ("status", 503),
    ("status", 502),
    ("status", 429),
    ("status", 500),
    ("drop", 0),
    ("drop_after", 0),
)


@dataclass
class Fault:
    kind: str
    path: str = ""  # a substring of the request's path and query; "" matches all
    method: str = "GET"  # or "*"
    times: int | None = 1
    after: int = 0
    status: int = 503
    retry_after: str | None = None
    delay_s: float = 0.0
    size: int = 0  # bytes of a huge body
    sent: int = 0  # bytes of it written before the client hung up
    seen: int = 0  # matching requests so far
    hits: int = 0  # requests it hit

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault {self.kind!r}")

    def matches(self, method: str, path: str) -> bool:
        return (self.method in ("*", method)) and self.path in path


@dataclass
class Faults:
    rules: list[Fault] = field(default_factory=list)
    random_rate: float = 0.0
    random_seed: int = 0
    random_hits: int = 0
    _rng: random.Random = field(default_factory=random.Random)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, **options: object) -> Fault:
        fault = Fault(kind, **options)  # type: ignore[arg-type]
        with self._lock:
            self.rules.append(fault)
        return fault

    def randomly(self, rate: float, seed: int = 0) -> None:
        """Fail `rate` of all requests with a random transient or server error."""
        with self._lock:
            self.random_rate, self.random_seed = rate, seed
            self._rng = random.Random(seed)

    def clear(self) -> None:
        with self._lock:
            self.rules.clear()
            self.random_rate = 0.0

    def pick(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self.rules:
                if not fault.matches(method, path):
                    continue
                fault.seen += 1
                if fault.seen <= fault.after:
                    continue
                if fault.times is not None and fault.hits >= fault.times:
                    continue
                fault.hits += 1
                return fault
            if self.random_rate and self._rng.random() < self.random_rate:
                self.random_hits += 1
                kind, status = self._rng.choice(RANDOM_KINDS)
                return Fault(kind, status=status, retry_after="0" if status == 429 else None)
        return None
