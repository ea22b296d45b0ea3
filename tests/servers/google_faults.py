"""Faults the Google test server injects, by rule, at random, or by quota.

A rule hits calls whose method and path (with its query) match, after letting `after` of
them through, `times` times (None: every time). Each call of a batch is matched on its
own (as Google answers each on its own); `where="batch"` matches the batch request itself.

| kind        | what the client sees                                               |
|-------------|--------------------------------------------------------------------|
| duplicate   | 409 duplicate "Entity already exists." (the call is not carried out) |
| user_rate   | 403 userRateLimitExceeded (domain usageLimits)                     |
| rate        | 429 rateLimitExceeded (domain usageLimits)                         |
| backend     | 503 backendError                                                   |
| drop        | the connection closes before any answer (outer requests only)      |
| echo        | 400 whose message echoes the request: its headers and body (a server |
|             | that leaks what it was sent, for redaction tests)                 |
| expire      | every access token issued so far stops working (then the call goes on) |
| slow        | the server waits `delay_s` before it handles (and stamps) the request |

The quota (`Quota`) counts calls in a sliding second, each call of a batch once, as
Google counts them; past it a call gets 403 userRateLimitExceeded (or 429).
"""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from dataclasses import dataclass, field

KINDS = frozenset({"duplicate", "user_rate", "rate", "backend", "drop", "echo", "expire", "slow"})
STATUS = {"duplicate": 409, "user_rate": 403, "rate": 429, "backend": 503, "echo": 400}
RANDOM_KINDS = ("user_rate", "rate", "backend")


@dataclass
class Fault:
    kind: str
    path: str = ""  # a substring of the call's path and query; "" matches all
    method: str = "*"
    times: int | None = 1
    after: int = 0
    where: str = "call"  # "call": API calls (inside a batch too); "batch": the batch POST
    retry_after: str | None = None
    delay_s: float = 0.0  # for "slow"
    seen: int = 0
    hits: int = 0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault {self.kind!r}")

    def matches(self, method: str, path: str, where: str) -> bool:
        return self.where == where and self.method in ("*", method) and self.path in path


@dataclass
class Faults:
    rules: list[Fault] = field(default_factory=list)
    random_rate: float = 0.0
    random_hits: int = 0
    _rng: random.Random = field(default_factory=random.Random)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, **options: object) -> Fault:
        fault = Fault(kind, **options)  # type: ignore[arg-type]
        with self._lock:
            self.rules.append(fault)
        return fault

    def randomly(self, rate: float, seed: int = 0) -> None:
        """Fail `rate` of all API calls with 403 userRateLimitExceeded, 429 or 503."""
        with self._lock:
            self.random_rate = rate
            self._rng = random.Random(seed)

    def clear(self) -> None:
        with self._lock:
            self.rules.clear()
            self.random_rate = 0.0

    def pick(self, method: str, path: str, where: str = "call") -> Fault | None:
        with self._lock:
            for fault in self.rules:
                if not fault.matches(method, path, where):
                    continue
                fault.seen += 1
                if fault.seen <= fault.after:
                    continue
                if fault.times is not None and fault.hits >= fault.times:
                    continue
                fault.hits += 1
                return fault
            if where == "call" and self.random_rate and self._rng.random() < self.random_rate:
                self.random_hits += 1
                return Fault(self._rng.choice(RANDOM_KINDS))
        return None


@dataclass
class Quota:
    """At most `per_s` calls in any one second (None: no limit). Google's own is
    2,400 a minute per user; a one-second window is the strict form of 40 a second."""

    per_s: int | None = None
    status: int = 403  # 403 userRateLimitExceeded, or 429 rateLimitExceeded
    refused: int = 0
    _calls: deque[float] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def allow(self) -> bool:
        if self.per_s is None:
            return True
        now = time.monotonic()
        with self._lock:
            while self._calls and self._calls[0] <= now - 1.0:
                self._calls.popleft()
            if len(self._calls) >= self.per_s:
                self.refused += 1
                return False
            self._calls.append(now)
            return True
