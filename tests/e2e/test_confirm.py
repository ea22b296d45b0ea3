"""apply asks before it changes anything: on a terminal it waits for an answer, elsewhere
it refuses without --yes."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import time
from pathlib import Path

from district_files import district
from passport_cli import Passport


def on_a_terminal(root: Path, args: list[str], answer: str) -> tuple[int, str]:
    """Run passport with stdin/stdout on a pseudo-terminal, answer its prompt, return the
    exit code and everything it printed."""
    leader, follower = pty.openpty()
    cmd = [sys.executable, "-m", "passport", *args]
    child = subprocess.Popen(cmd, cwd=root, stdin=follower, stdout=follower, stderr=follower)
    os.close(follower)
    seen = b""
    deadline = time.monotonic() + 60
    while b"Apply these changes?" not in seen and time.monotonic() < deadline:
        seen += os.read(leader, 65536)
    os.write(leader, answer.encode() + b"\n")
    while child.poll() is None:
        try:
            seen += os.read(leader, 65536)
        except OSError:
            break
    child.wait(timeout=60)
    os.close(leader)
    return child.returncode, seen.decode(errors="replace")


def test_off_a_terminal_apply_refuses_without_yes(passport: Passport) -> None:
    district(passport.root)
    result = passport("apply", "sis", code=1)
    assert "no terminal to ask on" in result.output and "pass --yes" in result.output
    assert "Usage:" not in result.output
    assert passport.open_store().count("users") == 0


def test_on_a_terminal_apply_asks_and_a_no_changes_nothing(passport: Passport) -> None:
    district(passport.root, users=60)
    args = ["apply", "sis", "--store", str(passport.store), "--configs", str(passport.configs)]
    code, printed = on_a_terminal(passport.root, args, "n")
    assert code == 1 and "Apply cancelled. Nothing was changed." in printed
    assert "Plan:" in printed
    assert passport.open_store().count("users") == 0
    code, printed = on_a_terminal(passport.root, args, "y")
    assert code == 0 and "succeeded" in printed
    assert passport.open_store().count("users") > 0
