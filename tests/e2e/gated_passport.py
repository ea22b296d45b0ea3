"""`passport` held at a gate, for the concurrency tests: an apply that has taken its lock
touches $PASSPORT_TEST_GATE.locked, then waits until the file $PASSPORT_TEST_GATE exists.

    python gated_passport.py apply NAME --yes --store URL --configs DIR
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import passport.runner.applying as applying
from passport.cli import main

GATE = Path(os.environ["PASSPORT_TEST_GATE"])
_planned = applying.planned


@contextmanager
def _gated(*args: Any, **kwargs: Any) -> Iterator[Any]:
    GATE.with_suffix(".locked").touch()  # apply plans only once it holds the lock
    while not GATE.exists():
        time.sleep(0.02)
    with _planned(*args, **kwargs) as result:
        yield result


applying.planned = _gated  # type: ignore[assignment]

if __name__ == "__main__":
    sys.exit(main())
