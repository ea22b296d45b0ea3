"""A client-side pacer: at most `rate` API calls in any second (batch parts count one
each, as Google counts them), so a known quota is kept instead of hit and backed off from.

A sliding window, like the quota it mirrors; `margin_s` widens it a little, since the
server stamps a call when it handles it, a moment after the client sent it.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class Pacer:
    def __init__(
        self,
        rate: float | None,
        *,
        window_s: float = 1.0,
        margin_s: float = 0.05,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate is not None and rate < 1:
            raise ValueError("rate must be at least 1 call a second")
        self.capacity = int(rate * window_s) if rate else 0  # calls one window may hold
        self._window = window_s + margin_s
        self._clock = clock
        self._sleep = sleep
        self._sent: deque[tuple[float, int]] = deque()  # (when, calls)
        self._in_window = 0
        self._lock = threading.Lock()

    def take(self, calls: int = 1) -> None:
        """Wait until `calls` more calls (at most `capacity`) keep within the rate."""
        if not self.capacity:
            return
        calls = min(calls, self.capacity)
        with self._lock:
            while True:
                now = self._clock()
                while self._sent and self._sent[0][0] <= now - self._window:
                    self._in_window -= self._sent.popleft()[1]
                if self._in_window + calls <= self.capacity:
                    self._sent.append((now, calls))
                    self._in_window += calls
                    return
                self._sleep(self._sent[0][0] + self._window - now)
