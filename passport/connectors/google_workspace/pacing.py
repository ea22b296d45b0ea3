"""A client-side pacer: at most `rate` API calls in any second (batch parts count one
each, as Google counts them), so a known quota is kept instead of hit and backed off from.

A sliding window, like the quota it mirrors. The server stamps a call when it handles
it, which may be well after the client sent it (a slow first connection, a token fetched
on the way, a loaded machine). So a call counts against the window from the moment it is
sent until one window (plus `margin_s`) after its answer came back: every stamp the
server gave it lies before that answer, so no two windows' calls can ever meet in one of
the server's seconds, however late the server handled the first.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class Pacer:
    def __init__(
        self,
        rate: float | None,
        *,
        window_s: float = 1.0,
        margin_s: float = 0.05,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate is not None and rate < 1:
            raise ValueError("rate must be at least 1 call a second")
        self.capacity = int(rate * window_s) if rate else 0  # calls one window may hold
        self._window = window_s + margin_s
        self._clock = clock
        self._answered: deque[tuple[float, int]] = deque()  # (answer came back, calls)
        self._in_window = 0  # answered calls still inside the window
        self._in_flight = 0  # calls sent and not yet answered
        self._changed = threading.Condition()

    @contextmanager
    def slot(self, calls: int = 1) -> Iterator[None]:
        """Hold `calls` calls (at most `capacity`) of the rate while the block sends
        them and reads the answer; waits first until they fit."""
        if not self.capacity:
            yield
            return
        calls = min(calls, self.capacity)
        self._reserve(calls)
        try:
            yield
        finally:
            self._release(calls)

    def _reserve(self, calls: int) -> None:
        with self._changed:
            while True:
                now = self._clock()
                while self._answered and self._answered[0][0] <= now - self._window:
                    self._in_window -= self._answered.popleft()[1]
                if self._in_window + self._in_flight + calls <= self.capacity:
                    self._in_flight += calls
                    return
                # Wake when the oldest answered calls leave the window, or when calls
                # in flight are answered (which starts their window, and may free none).
                wait = self._answered[0][0] + self._window - now if self._answered else None
                self._changed.wait(wait)

    def _release(self, calls: int) -> None:
        with self._changed:
            self._in_flight -= calls
            self._answered.append((self._clock(), calls))
            self._in_window += calls
            self._changed.notify_all()
