"""OneRoster JSON <-> passport's canonical records (see `passport.oneroster`).

Reading is lenient, so 1.1 and 1.2 shapes and the usual deviations read the same:
booleans as JSON booleans or strings, lists as arrays or comma-separated strings,
GUIDRefs as objects or bare ids. Empty values are absent. Writing emits the version's
own shapes, and keeps every key of the record as read that passport does not own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from passport.connectors.oneroster_rest.fields import (
    ALIASES,
    DELETED_STATUSES,
    REF_COLLECTIONS,
    TABLE,
    JsonField,
    owned,
)
from passport.model import Fields, Record, Value
from passport.oneroster import NEVER_READ

Converter = Callable[[Any], Value | None]


class NoKey(ValueError):
    """A record without a sourcedId: it cannot be matched, so the listing is unusable."""


def _scalar(value: Any) -> str | None:
    if isinstance(value, str):
        return value or None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(int(value)) if float(value).is_integer() else str(value)
    return None


def _boolean(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = _scalar(value)
    if text is None:
        return None
    lower = text.strip().lower()
    return lower if lower in ("true", "false") else text


def _items(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        return [part.strip() for part in value.split(",")]
    return [value]


def _list(value: Any) -> list[str] | None:
    out = [text for text in map(_scalar, _items(value)) if text]
    return out or None


def _ref(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("sourcedId")
    return _scalar(value)


def _refs(value: Any) -> list[str] | None:
    out = [key for key in map(_ref, _items(value)) if key]
    return out or None


def _user_id(value: Any) -> str | None:
    if isinstance(value, dict):
        kind, ident = _scalar(value.get("type")), _scalar(value.get("identifier"))
        if not ident:
            return None
        return f"{kind}:{ident}" if kind else ident
    return _scalar(value)


def _ids(value: Any) -> list[str] | None:
    out = [text for text in map(_user_id, value if isinstance(value, list) else [value]) if text]
    return out or None


READERS: dict[str, Converter] = {
    "s": _scalar,
    "b": _boolean,
    "l": _list,
    "r": _ref,
    "rs": _refs,
    "ids": _ids,
}
_FieldPlan = tuple[tuple[str, str], ...]
_ConvertPlan = tuple[tuple[str, str, Converter], ...]


def _plans(entity: str) -> tuple[_FieldPlan, _ConvertPlan]:
    specs = [f for f in (*TABLE[entity], *ALIASES.get(entity, ())) if f.field not in NEVER_READ]
    scalars = tuple((f.json, f.field) for f in specs if f.kind == "s")
    others = tuple((f.json, f.field, READERS[f.kind]) for f in specs if f.kind != "s")
    return scalars, others


_PLANS = {entity: _plans(entity) for entity in TABLE}


def record(entity: str, raw: Mapping[str, Any]) -> Record:
    """One JSON object of a listing as a canonical Record; raises NoKey without sourcedId."""
    key = raw.get("sourcedId")
    if not isinstance(key, str) or not key:
        raise NoKey(entity)
    fields: dict[str, Value] = {}
    get = raw.get
    scalars, others = _PLANS[entity]
    for json_key, name in scalars:  # the hot loop: most fields are plain strings
        value = get(json_key)
        if value is None:
            continue
        if type(value) is not str:
            value = _scalar(value)
        if value:
            fields[name] = value
    for json_key, name, read in others:
        value = get(json_key)
        if value is not None:
            converted = read(value)
            if converted:
                fields[name] = converted
    if entity == "users":
        roles = get("roles")
        if isinstance(roles, list) and roles:
            fields.update(fold_roles(roles))
    status = get("status")
    deleted = isinstance(status, str) and status.lower() in DELETED_STATUSES
    modified = get("dateLastModified")
    return Record(key, fields, modified if isinstance(modified, str) else None, deleted)


def fold_roles(roles: list[Any]) -> dict[str, Value]:
    """1.2 `roles[]` as canonical `role` (the primary one, else the first) and
    `orgSourcedIds` (every org with a role, in order)."""
    role: str | None = None
    primary = False
    orgs: list[str] = []
    for entry in roles:
        if not isinstance(entry, dict):
            continue
        org = _ref(entry.get("org"))
        if org and org not in orgs:
            orgs.append(org)
        name = _scalar(entry.get("role"))
        is_primary = str(entry.get("roleType", "")).lower() == "primary"
        if name and (role is None or (is_primary and not primary)):
            role = name
        primary = primary or (is_primary and name is not None)
    out: dict[str, Value] = {}
    if role:
        out["role"] = role
    if orgs:
        out["orgSourcedIds"] = orgs
    return out


# --- writing -------------------------------------------------------------------------


def body(
    entity: str,
    key: str,
    fields: Fields,
    *,
    version: str,
    base_url: str,
    now: str,
    raw: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The JSON object a PUT sends: `raw` (the record as read) with passport's keys rewritten."""
    keep = owned(entity)
    out: dict[str, Any] = {k: v for k, v in (raw or {}).items() if k not in keep}
    out.update({"sourcedId": key, "status": "active", "dateLastModified": now})
    for spec in TABLE[entity]:
        value = fields.get(spec.field)
        if version in spec.versions and value is not None and value != []:
            out[spec.json] = _write(spec, value, version, base_url)
    if entity == "users" and version == "1.2":
        roles = _roles(fields, base_url, (raw or {}).get("roles"))
        if roles:
            out["roles"] = roles
    return out


def guid_ref(target: str, key: str, base_url: str) -> dict[str, str]:
    return {"href": f"{base_url}/{REF_COLLECTIONS[target]}/{key}", "sourcedId": key, "type": target}


def _write(spec: JsonField, value: Value, version: str, base_url: str) -> Any:
    items = value if isinstance(value, list) else [value]
    if spec.kind == "b" and version == "1.1" and value in ("true", "false"):
        return value == "true"
    if spec.kind == "l":
        return list(items)
    if spec.kind == "r":
        return guid_ref(spec.target, items[0], base_url)
    if spec.kind == "rs":
        return [guid_ref(spec.target, item, base_url) for item in items]
    if spec.kind == "ids":
        return [_id_object(item) for item in items]
    return value if isinstance(value, str) else ",".join(value)


def _id_object(item: str) -> dict[str, str]:
    kind, sep, ident = item.partition(":")
    return {"type": kind, "identifier": ident} if sep else {"type": "", "identifier": item}


def _roles(fields: Fields, base_url: str, old: Any) -> list[dict[str, Any]]:
    """1.2 roles from canonical role + orgSourcedIds: the first org carries the primary
    role. An entry as read for the same role and org keeps its other keys (dates, profile)."""
    role = fields.get("role")
    if not isinstance(role, str):
        return []
    orgs = fields.get("orgSourcedIds") or []
    orgs = [orgs] if isinstance(orgs, str) else orgs
    previous = {
        (_scalar(e.get("role")), _ref(e.get("org"))): e
        for e in (old if isinstance(old, list) else [])
        if isinstance(e, dict)
    }
    out: list[dict[str, Any]] = []
    for n, org in enumerate(orgs or [None]):
        entry = dict(previous.get((role, org), {}))
        entry.update({"roleType": "primary" if n == 0 else "secondary", "role": role})
        if org:
            entry["org"] = guid_ref("org", org, base_url)
        out.append(entry)
    return out
