"""`passport`, stopped by a signal at the Nth apply checkpoint, for the kill tests:

    PYTHONPATH=tests/support python -m killing_passport N apply NAME --yes --store URL ...
    PYTHONPATH=tests/support python -m killing_passport INT:N apply ...   (Ctrl-C there)

Passport reads no test setting: this program installs its checkpoint through the seam
passport offers programs that embed it, `passport.runner.install_checkpoint` (the
checkpoints themselves are described at `passport.apply.Checkpoint`), then runs the
command line with the arguments after N. SIGKILL by default; `INT:` sends SIGINT, as a
Ctrl-C at the terminal does.
"""

from __future__ import annotations

import os
import signal
import sys

from passport import runner
from passport.apply import Checkpoint
from passport.cli import main


def stop_at(point: int, sig: signal.Signals = signal.SIGKILL) -> Checkpoint:
    """A checkpoint that sends `sig` to this process the `point`th time it runs."""
    remaining = [point]

    def checkpoint() -> None:
        remaining[0] -= 1
        if remaining[0] == 0:
            os.kill(os.getpid(), sig)

    return checkpoint


def parse(spec: str) -> Checkpoint:
    name, _, point = spec.rpartition(":")
    return stop_at(int(point), signal.Signals[f"SIG{name}"] if name else signal.SIGKILL)


if __name__ == "__main__":
    runner.install_checkpoint(parse(sys.argv[1]))
    main(args=sys.argv[2:], prog_name="passport")
