"""Run a command with stdin and stdout on a pseudo-terminal, as a person at a terminal does."""

from __future__ import annotations

import os
import pty
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path


def on_a_terminal(
    cmd: Sequence[str],
    cwd: Path,
    *,
    prompt: str | None = None,
    answer: str = "",
    env: Mapping[str, str] | None = None,
    timeout_s: float = 120,
) -> tuple[int, str]:
    """Run `cmd` on a pty; when `prompt` shows, type `answer` and Enter. Returns the exit
    code and everything it printed (stdout and stderr, as the terminal showed them)."""
    leader, follower = pty.openpty()
    child = subprocess.Popen(
        list(cmd), cwd=cwd, stdin=follower, stdout=follower, stderr=follower, env=env
    )
    os.close(follower)
    seen = b""
    deadline = time.monotonic() + timeout_s
    if prompt is not None:
        while prompt.encode() not in seen and time.monotonic() < deadline:
            try:
                seen += os.read(leader, 65536)
            except OSError:
                break
        os.write(leader, answer.encode() + b"\n")
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    child.wait(timeout=max(deadline - time.monotonic(), 1))
    os.close(leader)
    return child.returncode, seen.decode(errors="replace")
