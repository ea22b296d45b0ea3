"""`passport`, SIGKILLed at the Nth apply checkpoint, for the kill tests:

    PYTHONPATH=tests/support python -m killing_passport N apply NAME --yes --store URL ...

Passport reads no test setting: this program installs its checkpoint through the seam
passport offers programs that embed it, `passport.runner.install_checkpoint` (the
checkpoints themselves are described at `passport.apply.Checkpoint`), then runs the
command line with the arguments after N.
"""

from __future__ import annotations

import os
import signal
import sys

from passport import runner
from passport.apply import Checkpoint
from passport.cli import main


def kill_at(point: int) -> Checkpoint:
    """A checkpoint that SIGKILLs this process the `point`th time it runs."""
    remaining = [point]

    def checkpoint() -> None:
        remaining[0] -= 1
        if remaining[0] <= 0:
            os.kill(os.getpid(), signal.SIGKILL)

    return checkpoint


if __name__ == "__main__":
    runner.install_checkpoint(kill_at(int(sys.argv[1])))
    main(args=sys.argv[2:], prog_name="passport")
