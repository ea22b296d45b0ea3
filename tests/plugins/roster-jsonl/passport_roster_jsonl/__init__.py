"""`roster-jsonl`: a third-party passport application, for passport's own tests.

It keeps a roster as a folder of JSON Lines files, `<entity>.jsonl`, one record a line
(`{"sourcedId": ..., field: value, ...}`), each signed with the delivery's `token`
(HMAC-SHA256 in `<entity>.jsonl.sig`): a folder written with one token is refused with
another. This module is the light description passport's gallery loads; the connector
(`connector.py`) is imported only when a connection opens.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

from passport.connectors.base import Application, Capabilities, JsonPath, load_schema
from passport.model import Mode
from passport.oneroster import ENTITIES

NAME = "roster-jsonl"


def check(delivery: Mapping[str, Any], mode: Mode) -> list[tuple[JsonPath, str]]:
    path = delivery.get("path")
    if isinstance(path, str) and path.lower().endswith(".zip"):
        return [(("path",), f"{NAME} keeps a folder, not a .zip file")]
    return []


def derive(delivery: dict[str, Any]) -> None:
    delivery.setdefault("label", PurePath(str(delivery.get("path", ""))).name)


def starter(name: str, mode: Mode) -> dict[str, Any]:
    return {
        "path": f"../.passport/jsonl/{name}",
        "token": f"${{env:{name.upper().replace('-', '_')}_TOKEN}}",
    }


APPLICATION = Application(
    name=NAME,
    title="Roster JSON Lines",
    summary="A folder of signed JSON Lines files, one per entity (a third-party example).",
    delivery_schema=load_schema(NAME, package=__name__),
    capabilities=Capabilities(
        reads=frozenset(ENTITIES), writes=frozenset(ENTITIES), accepts_masked=True
    ),
    factory="passport_roster_jsonl.connector:connect",
    secret_fields=frozenset({"token"}),
    check=check,
    derive=derive,
    starter=starter,
)
