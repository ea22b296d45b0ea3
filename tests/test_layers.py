"""The layer contracts (.importlinter, drawn in ARCHITECTURE.md) hold, and they bite: a
throwaway upward import in a copy of the package makes them fail, naming the import."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).with_name("lint-imports")


def lint(package_parent: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(package_parent)}
    return subprocess.run(
        [str(LINT), "--no-cache", str(ROOT / ".importlinter")],
        cwd=package_parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def copy_of_passport(tmp_path: Path) -> Path:
    shutil.copytree(
        ROOT / "passport", tmp_path / "passport", ignore=shutil.ignore_patterns("__pycache__")
    )
    return tmp_path


def test_the_contracts_hold_for_the_package_as_it_is(tmp_path: Path) -> None:
    result = lint(copy_of_passport(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_upward_import_breaks_the_floors(tmp_path: Path) -> None:
    copy = copy_of_passport(tmp_path)
    model = copy / "passport" / "model.py"
    model.write_text(model.read_text() + "\nimport passport.runner  # noqa: E402\n")
    result = lint(copy)
    assert result.returncode != 0
    assert "passport.model is not allowed to import passport.runner" in result.stdout


def test_the_plan_may_not_reach_the_store(tmp_path: Path) -> None:
    copy = copy_of_passport(tmp_path)
    merge = copy / "passport" / "plan" / "merge.py"
    merge.write_text(merge.read_text() + "\nimport passport.store  # noqa: E402\n")
    result = lint(copy)
    assert result.returncode != 0
    assert "passport.plan is not allowed to import passport.store" in result.stdout


def test_one_application_may_not_import_another(tmp_path: Path) -> None:
    copy = copy_of_passport(tmp_path)
    module = copy / "passport" / "connectors" / "oneroster_csv" / "values.py"
    module.write_text(
        module.read_text() + "\nimport passport.connectors.oneroster_rest.shapes  # noqa: E402\n"
    )
    result = lint(copy)
    assert result.returncode != 0
    assert "passport.connectors.oneroster_csv is not allowed to import" in result.stdout
