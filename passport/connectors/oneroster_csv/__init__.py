"""The `oneroster-csv` application: reads and writes OneRoster 1.1 / 1.2 CSV bundles.

Delivery config: `path` (a folder or a .zip, relative to the config folder), `version`
("1.1" | "1.2", for writing), `processing` ("bulk" | "delta", how exports are written).
"""

from __future__ import annotations

from passport.connectors.oneroster_csv.connector import (
    CAPABILITIES,
    CsvConnector,
    connect,
)
from passport.connectors.oneroster_csv.snapshot import CsvSnapshot
from passport.connectors.oneroster_csv.writer import write_bundle

__all__ = ["CAPABILITIES", "CsvConnector", "CsvSnapshot", "connect", "write_bundle"]
