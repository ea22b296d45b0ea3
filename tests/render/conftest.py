from __future__ import annotations

from collections.abc import Iterator

import pytest
from headless import Browser, find_chromium


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Chromium. Missing, the test fails: CI installs it from .ci/apt-packages."""
    binary = find_chromium()
    if binary is None:
        pytest.fail(
            "Chromium is needed for the HTML report tests: apt-get install chromium "
            "(or set PASSPORT_CHROMIUM to a Chrome/Chromium binary)"
        )
    started = Browser(binary)
    yield started
    started.close()
