"""The `oneroster-csv` application: reads and writes OneRoster 1.1 / 1.2 CSV bundles.

Delivery config: `path` (a folder or a .zip, relative to the config folder), `version`
("1.1" | "1.2", for writing), `processing` ("bulk" | "delta", how exports are written).

This package exports only its light description, `APPLICATION`; the connector and the
bundle reader are in their own modules (`connector`, `snapshot`, `writer`).
"""

from __future__ import annotations

from passport.connectors.oneroster_csv.application import APPLICATION

__all__ = ["APPLICATION"]
