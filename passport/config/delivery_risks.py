"""Risk flags on where an activation connects and with what: the changes a pull request
would make to send data, or credentials, somewhere else.

- a delivery URL changed (high): records and credentials now go to that URL; the host is
  named when it is another one;
- a secret reference changed or added (high): the credential sent is now read from
  elsewhere (`${file:/proc/self/environ}` would send the CI environment);
- writes turned on (`write: true`, medium): passport may now change the application.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

from passport.config.paths import JsonPath, format_path
from passport.config.risk import Risk, cut
from passport.model import Activation
from passport.secrets import is_reference

_HAS_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_URL_NAME = re.compile(r"(^|_)(url|uri|host|endpoint)$", re.IGNORECASE)


def delivery_risks(base: Activation, head: Activation) -> list[Risk]:
    return [
        *_urls(base.delivery, head.delivery),
        *_references(base, head),
        *_writes(base, head),
    ]


def delivery_leaves(value: Any, path: JsonPath) -> Iterator[tuple[JsonPath, Any]]:
    if isinstance(value, Mapping):
        for key, inner in value.items():
            yield from delivery_leaves(inner, (*path, str(key)))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from delivery_leaves(inner, (*path, index))
    else:
        yield path, value


def is_url(path: JsonPath, value: Any) -> bool:
    name = str(path[-1]) if path else ""
    return isinstance(value, str) and (
        bool(_HAS_SCHEME.match(value)) or bool(_URL_NAME.search(name))
    )


def host_of(url: str) -> str:
    try:
        parts = urlsplit(url)
        return f"{parts.hostname or ''}:{parts.port}" if parts.port else parts.hostname or ""
    except ValueError:
        return ""


def _urls(base: Mapping[str, Any], head: Mapping[str, Any]) -> list[Risk]:
    before = dict(delivery_leaves(base, ("delivery",)))
    found = []
    for path, new in delivery_leaves(head, ("delivery",)):
        old = before.get(path)
        if new == old or not (is_url(path, new) or is_url(path, old)) or is_reference(new):
            continue
        where = format_path(path)
        if not isinstance(old, str):
            message = f"{where} added: {cut(str(new))}"
        elif host_of(old) != host_of(str(new)):
            hosts = f"{cut(host_of(old) or old)} → {cut(host_of(str(new)) or str(new))}"
            message = f"{where} now goes to another host: {hosts} ({cut(str(new))})"
        else:
            message = f"{where} changed: {cut(old)} → {cut(str(new))}"
        found.append(Risk("delivery-url-changed", "high", message))
    return found


def reference_paths(act: Activation) -> dict[JsonPath, Any]:
    found = dict(delivery_leaves(act.delivery, ("delivery",)))
    found[("privacy_shield", "key")] = act.shield.key
    return found


def _references(base: Activation, head: Activation) -> list[Risk]:
    before, after = reference_paths(base), reference_paths(head)
    found = []
    for path, new in after.items():
        old = before.get(path)
        if new == old or not is_reference(new):
            continue
        where = format_path(path)
        if old is None:
            message = f"{where}: a secret is now read from {cut(new)}"
        else:
            message = f"{where}: secret reference changed {cut(str(old))} → {cut(new)}"
        found.append(Risk("secret-reference-changed", "high", message))
    return found


def _writes(base: Activation, head: Activation) -> list[Risk]:
    if head.delivery.get("write") is True and base.delivery.get("write") is not True:
        message = (
            f"writes turned on (delivery.write: true): passport may now create, change and "
            f"delete records in {head.application}"
        )
        return [Risk("writes-enabled", "medium", message)]
    return []
