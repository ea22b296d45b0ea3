"""`killing_passport` with quick Google retries and no pacing, for the kill tests of the
google-workspace connector:

    PYTHONPATH=tests/support python -m quick_passport N apply NAME --yes --store URL ...

Passport reads no test setting: this program sets the connector's default tuning through
the seam a program embedding passport has (`settings.DEFAULT_TUNING`, looked up when a
connection opens), then runs `killing_passport`.
"""

from __future__ import annotations

import runpy

from google_world import QUICK_TUNING

from passport.connectors.google_workspace import settings

if __name__ == "__main__":
    settings.DEFAULT_TUNING = QUICK_TUNING
    runpy.run_module("killing_passport", run_name="__main__")
