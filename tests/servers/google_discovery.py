"""What the Google test server takes from the Admin SDK Directory API discovery document.

The document ships inside `google-api-python-client` (a dev dependency), at
googleapiclient/discovery_cache/documents/admin.directory_v1.json; it is read at test
time, so the server's routes, page limits and field names are Google's, not ours.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

DOCUMENT = "googleapiclient.discovery_cache.documents"
NAME = "admin.directory_v1.json"
# The methods the server carries out, as discovery ids.
SERVED = (
    "directory.users.list",
    "directory.users.get",
    "directory.users.insert",
    "directory.users.update",
    "directory.users.patch",
    "directory.users.delete",
    "directory.orgunits.list",
    "directory.orgunits.get",
    "directory.orgunits.insert",
    "directory.groups.list",
    "directory.groups.get",
    "directory.groups.insert",
    "directory.groups.patch",
    "directory.groups.delete",
    "directory.members.list",
    "directory.members.insert",
    "directory.members.delete",
)


@dataclass(frozen=True)
class Route:
    id: str  # e.g. directory.users.list
    http_method: str
    pattern: re.Pattern[str]
    parameters: dict[str, Any]
    scopes: tuple[str, ...]

    def match(self, method: str, path: str) -> dict[str, str] | None:
        if method != self.http_method:
            return None
        found = self.pattern.fullmatch(path)
        return found.groupdict() if found else None

    def maximum(self, name: str) -> int | None:
        spec = self.parameters.get(name, {})
        return int(spec["maximum"]) if "maximum" in spec else None

    def default(self, name: str) -> str | None:
        spec = self.parameters.get(name, {})
        return str(spec["default"]) if "default" in spec else None

    def enum(self, name: str) -> tuple[str, ...]:
        return tuple(self.parameters.get(name, {}).get("enum", ()))


@functools.cache
def document() -> dict[str, Any]:
    text = resources.files(DOCUMENT).joinpath(NAME).read_text(encoding="utf-8")
    return dict(json.loads(text))


def _methods(resource: dict[str, Any]) -> list[dict[str, Any]]:
    found = list(resource.get("methods", {}).values())
    for inner in resource.get("resources", {}).values():
        found += _methods(inner)
    return found


def _pattern(template: str) -> re.Pattern[str]:
    """`admin/directory/v1/customer/{customerId}/orgunits/{+orgUnitPath}` as a regex:
    `{name}` is one segment, `{+name}` (reserved expansion) may span slashes."""
    out = "/"
    for piece in re.split(r"(\{\+?\w+\})", template):
        if piece.startswith("{+"):
            out += f"(?P<{piece[2:-1]}>.+)"
        elif piece.startswith("{"):
            out += f"(?P<{piece[1:-1]}>[^/]+)"
        else:
            out += re.escape(piece)
    return re.compile(out)


@functools.cache
def routes() -> tuple[Route, ...]:
    doc = document()
    methods = {m["id"]: m for r in doc["resources"].values() for m in _methods(r)}
    return tuple(
        Route(
            id=method_id,
            http_method=methods[method_id]["httpMethod"],
            pattern=_pattern(methods[method_id]["path"]),
            parameters=methods[method_id].get("parameters", {}),
            scopes=tuple(methods[method_id].get("scopes", ())),
        )
        for method_id in SERVED
    )


def fields(schema: str) -> frozenset[str]:
    """The property names of a schema (User, OrgUnit, Group, Member ...)."""
    return frozenset(document()["schemas"][schema]["properties"])


def all_scopes() -> frozenset[str]:
    return frozenset(document()["auth"]["oauth2"]["scopes"])


def batch_path() -> str:
    """The discovery document's batch path ("batch"); Google also serves the per-API
    /batch/admin/directory_v1."""
    return "/" + str(document()["batchPath"])
