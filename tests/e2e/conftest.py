from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from passport.cli import main


class Passport:
    """Runs the CLI as a user would, against one store and one configs folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.store = root / "store.db"
        self.configs = root / "configs"

    def __call__(self, *args: str, code: int | None = 0) -> Result:
        runner = CliRunner()
        full = list(args)
        if args and args[0] in ("plan", "apply", "history", "unlock"):
            full += ["--store", str(self.store)]
        if args and args[0] in ("plan", "apply"):
            full += ["--configs", str(self.configs)]
        result = runner.invoke(main, full, catch_exceptions=False)
        if code is not None:
            assert result.exit_code == code, result.output + result.stderr
        return result


@pytest.fixture
def passport(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Passport]:
    monkeypatch.chdir(tmp_path)
    yield Passport(tmp_path)
