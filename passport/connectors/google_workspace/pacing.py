"""A client-side pacer: at most `rate` API calls a second (batch parts count one each,
as Google counts them), so a known quota is kept instead of hit and backed off from."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Pacer:
    def __init__(
        self,
        rate: float | None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate is not None and rate <= 0:
            raise ValueError("rate must be positive")
        self._interval = 1.0 / rate if rate else 0.0
        self._clock = clock
        self._sleep = sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def take(self, calls: int = 1) -> None:
        """Wait until `calls` more calls keep within the rate."""
        if not self._interval:
            return
        with self._lock:
            now = self._clock()
            start = max(now, self._next)
            self._next = start + calls * self._interval
            # The first call of the slot goes at `start`; the rest spread after it.
            wait = start - now
        if wait > 0:
            self._sleep(wait)
