from __future__ import annotations

import shutil
from pathlib import Path

import pytest

BUNDLES = Path(__file__).resolve().parent.parent / "bundles"


@pytest.fixture
def good11(tmp_path: Path) -> Path:
    """A copy of the OneRoster 1.1 fixture bundle that a test may edit."""
    target = tmp_path / "sis"
    shutil.copytree(BUNDLES / "good-1.1", target)
    return target
