"""`make test` checks the Debian packages the tests need before anything else.

Missing ones are installed when the user may (root, or passwordless sudo); otherwise the
run stops at once with the one command to run. `id`, `sudo` and `apt-get` are replaced by
small scripts on PATH here, so no test installs anything or needs the network; the
package check itself is the machine's real `dpkg-query` where there is one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHECK = ROOT / ".ci" / "check-packages"
NO_SUCH = "passport-test-no-such-package"
HAS_DPKG = shutil.which("dpkg-query") is not None
needs_dpkg = pytest.mark.skipif(not HAS_DPKG, reason="dpkg-query: only Debian systems check")


def fake(bin_dir: Path, name: str, body: str) -> None:
    path = bin_dir / name
    path.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    path.chmod(0o755)


@pytest.fixture
def shims(tmp_path: Path) -> Path:
    """A folder of stand-ins for id, sudo and apt-get; apt-get logs its arguments."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake(bin_dir, "apt-get", f'echo "$@" >> {tmp_path / "apt.log"}')
    as_user(bin_dir, uid=1000, sudo=False)
    return bin_dir


def as_user(bin_dir: Path, *, uid: int, sudo: bool) -> None:
    fake(bin_dir, "id", f'[ "$1" = "-u" ] && echo {uid} || exec /usr/bin/id "$@"')
    fake(bin_dir, "sudo", '[ "$1" = "-n" ] && [ "$2" = "true" ] && exit 0; exec "$@"')
    if not sudo:
        fake(bin_dir, "sudo", "exit 1")


def listing(tmp_path: Path, *packages: str) -> Path:
    path = tmp_path / "apt-packages"
    path.write_text("# a comment\n\n" + "\n".join(packages) + "\n", encoding="utf-8")
    return path


def run(args: list[str], bin_dir: Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def apt_calls(tmp_path: Path) -> list[str]:
    log = tmp_path / "apt.log"
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


@needs_dpkg
def test_a_missing_package_stops_early_with_the_command(shims: Path, tmp_path: Path) -> None:
    done = run([str(CHECK), str(listing(tmp_path, "dpkg", NO_SUCH))], shims)
    assert done.returncode == 1
    assert f"not installed: {NO_SUCH}\n" in done.stderr
    assert f"sudo apt-get install -y --no-install-recommends {NO_SUCH}\n" in done.stderr
    assert apt_calls(tmp_path) == []


@needs_dpkg
def test_check_only_never_installs_even_as_root(shims: Path, tmp_path: Path) -> None:
    as_user(shims, uid=0, sudo=True)
    done = run([str(CHECK), "--check-only", str(listing(tmp_path, NO_SUCH))], shims)
    assert done.returncode == 1 and NO_SUCH in done.stderr
    assert apt_calls(tmp_path) == []


@needs_dpkg
@pytest.mark.parametrize("uid, sudo", [(0, False), (1000, True)], ids=["root", "sudo"])
def test_who_may_installs_what_is_missing_with_one_update(
    shims: Path, tmp_path: Path, uid: int, sudo: bool
) -> None:
    as_user(shims, uid=uid, sudo=sudo)
    done = run([str(CHECK), str(listing(tmp_path, "dpkg", NO_SUCH, f"{NO_SUCH}-2"))], shims)
    assert done.returncode == 0, done.stderr
    assert apt_calls(tmp_path) == [
        "update -qq",
        f"install -y -qq --no-install-recommends {NO_SUCH} {NO_SUCH}-2",
    ]


@needs_dpkg
def test_nothing_missing_runs_no_apt_get(shims: Path, tmp_path: Path) -> None:
    as_user(shims, uid=0, sudo=True)
    done = run([str(CHECK), str(listing(tmp_path, "dpkg"))], shims)
    assert done.returncode == 0 and done.stderr == ""
    assert apt_calls(tmp_path) == []


@needs_dpkg
def test_the_shipped_list_is_installed_here(shims: Path, tmp_path: Path) -> None:
    """This machine runs the suite, so what the suite needs is here: the check passes."""
    done = run([str(CHECK), "--check-only"], shims)
    assert done.returncode == 0, done.stderr


@needs_dpkg
def test_make_test_stops_before_lint_when_a_package_is_missing(shims: Path, tmp_path: Path) -> None:
    if shutil.which("make") is None:
        pytest.fail("make is needed: it is the README's test command")
    packages = listing(tmp_path, NO_SUCH)
    done = run(["make", "test", f"PACKAGES={packages}"], shims)
    assert done.returncode != 0
    assert f"sudo apt-get install -y --no-install-recommends {NO_SUCH}" in done.stderr
    assert "ruff" not in done.stdout + done.stderr and "pytest" not in done.stdout


def test_ci_runs_the_readme_test_command_and_installs_nothing_itself() -> None:
    text = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert commands[-1] == "make test"
    assert not [line for line in commands if "apt-get" in line]
