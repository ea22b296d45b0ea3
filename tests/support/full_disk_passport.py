"""`passport` on a disk that fills up, for the history tests:

    PYTHONPATH=tests/support python -m full_disk_passport BYTES apply NAME --yes ...

No file this process writes may grow past BYTES (RLIMIT_FSIZE, with SIGXFSZ ignored, so
a write past it fails with EFBIG as a write to a full disk fails with ENOSPC): SQLite
reports "database or disk is full", exactly where a real full disk would stop it.
"""

from __future__ import annotations

import resource
import signal
import sys

from passport.cli import main

if __name__ == "__main__":
    limit = int(sys.argv[1])
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    main(args=sys.argv[2:], prog_name="passport")
