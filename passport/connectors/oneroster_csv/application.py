"""How the `oneroster-csv` application describes itself to the gallery, `validate` and
`init`. Light: the connector (`connector.py`) is imported only when a connection opens."""

from __future__ import annotations

from typing import Any

from passport.connectors.base import Application, Capabilities, load_schema
from passport.mapping.fields import OneRosterFields
from passport.model import Mode
from passport.oneroster import ENTITIES


def starter(name: str, mode: Mode) -> dict[str, Any]:
    folder = "imports" if mode == Mode.IMPORT else "exports"
    return {"path": f"../.passport/{folder}/{name}", "version": "1.1", "processing": "bulk"}


APPLICATION = Application(
    name="oneroster-csv",
    title="OneRoster CSV bundle",
    summary="A folder or .zip of OneRoster 1.1/1.2 CSV files, read or written in bulk/delta.",
    delivery_schema=load_schema("oneroster-csv"),
    capabilities=Capabilities(
        reads=frozenset(ENTITIES),
        writes=frozenset(ENTITIES),
        accepts_masked=True,
        delta_reads=False,
        atomic_writes=True,  # a bundle is written whole: an apply lands at once
    ),
    factory="passport.connectors.oneroster_csv.connector:connect",
    starter=starter,
    field_map=OneRosterFields.for_csv,  # as the bundle's version holds records
)
