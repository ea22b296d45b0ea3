"""OneRoster JSON <-> passport's canonical records (see `passport.oneroster`).

Reading is lenient, so 1.1 and 1.2 shapes and the usual deviations read the same:
booleans as JSON booleans or strings, lists as arrays or comma-separated strings,
GUIDRefs as objects or bare ids. Empty values are absent. Writing emits the version's
own shapes, and keeps every key of the record as read that passport does not own.
"""

from __future__ import annotations

import json
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
from passport.oneroster import NEVER_READ, encode_object, objects

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
        profiles = get("userProfiles")
        if isinstance(profiles, list) and profiles:
            read_profiles = _read_profiles(profiles)
            if read_profiles:
                fields["userProfiles"] = read_profiles
    metadata = get("metadata")
    if isinstance(metadata, dict) and metadata:
        fields.update(read_metadata(metadata))
    status = get("status")
    deleted = isinstance(status, str) and status.lower() in DELETED_STATUSES
    modified = get("dateLastModified")
    return Record(key, fields, modified if isinstance(modified, str) else None, deleted)


def fold_roles(roles: list[Any]) -> dict[str, Value]:
    """1.2 `roles[]` kept exactly as canonical `roles`, and summed up as `role` (the
    primary one, else the first) and `orgSourcedIds` (every org with a role, in order)."""
    role: str | None = None
    primary = False
    orgs: list[str] = []
    exact: list[str] = []
    for entry in roles:
        if not isinstance(entry, dict):
            continue
        exact.append(_role_object(entry))
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
    if exact:
        out["roles"] = exact
    return out


def _role_object(entry: dict[str, Any]) -> str:
    return encode_object(
        {
            "roleType": _scalar(entry.get("roleType")) or "",
            "role": _scalar(entry.get("role")) or "",
            "orgSourcedId": _ref(entry.get("org")) or "",
            "userProfileSourcedId": _ref(entry.get("userProfile")) or "",
            "beginDate": _scalar(entry.get("beginDate")) or "",
            "endDate": _scalar(entry.get("endDate")) or "",
        }
    )


def _read_profiles(profiles: list[Any]) -> list[str]:
    """1.2 `userProfiles[]` as canonical objects (CSV names; passwords never read)."""
    out = []
    for entry in profiles:
        if not isinstance(entry, dict):
            continue
        credentials = entry.get("credentials")
        first = credentials[0] if isinstance(credentials, list) and credentials else {}
        first = first if isinstance(first, dict) else {}
        found = {
            "sourcedId": _scalar(entry.get("profileId")) or "",
            "profileType": _scalar(entry.get("profileType")) or "",
            "vendorId": _scalar(entry.get("vendorId")) or "",
            "applicationId": _scalar(entry.get("applicationId")) or "",
            "description": _scalar(entry.get("description")) or "",
            "credentialType": _scalar(first.get("type")) or "",
            "username": _scalar(first.get("username")) or "",
        }
        out.append(encode_object(found))
    return out


def read_metadata(metadata: dict[str, Any]) -> dict[str, Value]:
    """The REST `metadata` object as extension fields: `metadata.K`, or `ext_K` for keys
    that already carry the `ext_` prefix (so CSV ext_* columns round-trip). A value that
    is not a string is kept as its JSON text."""
    out: dict[str, Value] = {}
    for key, value in metadata.items():
        text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
        if text:
            out[key if key.startswith("ext_") else f"metadata.{key}"] = text
    return out


def write_metadata(fields: Fields, raw: Any) -> dict[str, Any]:
    """The extension fields as the REST `metadata` object, over the one as read (a value
    read as JSON that is not a string goes back as it was, when unchanged)."""
    out: dict[str, Any] = dict(raw) if isinstance(raw, dict) else {}
    for name, value in fields.items():
        if name.startswith("metadata."):
            key = name[len("metadata.") :]
        elif name.startswith("ext_"):
            key = name
        else:
            continue
        old = out.get(key)
        if not (
            old is not None
            and not isinstance(old, str)
            and json.dumps(old, sort_keys=True) == value
        ):
            out[key] = value
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
    modified: str | None = None,
    resources_url: str | None = None,
) -> dict[str, Any]:
    """The JSON object a PUT sends: `raw` (the record as read) with passport's keys
    rewritten. `modified` is the record's own dateLastModified (else `now`); resource
    links point into `resources_url`, the resources service (default: `base_url`)."""
    keep = owned(entity)
    raw = raw or {}
    out: dict[str, Any] = {k: v for k, v in raw.items() if k not in keep}
    out.update({"sourcedId": key, "status": "active", "dateLastModified": modified or now})
    links = _Links(base_url, resources_url or base_url)
    for spec in TABLE[entity]:
        value = fields.get(spec.field)
        if version in spec.versions and value is not None and value != []:
            written = _write(spec, value, version, links)
            if written is not None:
                out[spec.json] = written
    metadata = write_metadata(fields, raw.get("metadata"))
    if metadata:
        out["metadata"] = metadata
    if entity == "users" and version == "1.2":
        out["roles"] = _roles(fields, links, raw.get("roles"))
        out["userProfiles"] = _profiles(fields)
        out.setdefault("agents", [])
    return out


class _Links:
    """Where GUIDRef hrefs point: rostering records here, resources in their own service."""

    def __init__(self, base_url: str, resources_url: str) -> None:
        self.base_url = base_url
        self.resources_url = resources_url

    def ref(self, target: str, key: str) -> dict[str, str]:
        base = self.resources_url if target == "resource" else self.base_url
        return {"href": f"{base}/{REF_COLLECTIONS[target]}/{key}", "sourcedId": key, "type": target}


def guid_ref(target: str, key: str, base_url: str) -> dict[str, str]:
    return _Links(base_url, base_url).ref(target, key)


def _write(spec: JsonField, value: Value, version: str, links: _Links) -> Any:
    items = value if isinstance(value, list) else [value]
    if spec.kind == "b" and version == "1.1" and value in ("true", "false"):
        return value == "true"
    if spec.kind == "l":
        return list(items)
    if spec.kind == "r":
        return links.ref(spec.target, items[0])
    if spec.kind == "rs":
        return [links.ref(spec.target, item) for item in items]
    if spec.kind == "ids":
        typed = [_id_object(item) for item in items if ":" in item]
        return typed or None  # never an empty type (the plan holds such a user for 1.2)
    return value if isinstance(value, str) else ",".join(value)


def _id_object(item: str) -> dict[str, str]:
    kind, _, ident = item.partition(":")
    return {"type": kind, "identifier": ident}


def _profiles(fields: Fields) -> list[dict[str, Any]]:
    out = []
    for profile in objects(fields.get("userProfiles")):
        entry: dict[str, Any] = {"profileId": profile.get("sourcedId", "")}
        for name in ("profileType", "vendorId", "applicationId", "description"):
            if profile.get(name):
                entry[name] = profile[name]
        # A 1.2 credential is a type and a username (never a password from passport).
        if profile.get("credentialType") and profile.get("username"):
            entry["credentials"] = [
                {"type": profile["credentialType"], "username": profile["username"]}
            ]
        else:
            entry["credentials"] = []
        out.append(entry)
    return out


def _roles(fields: Fields, links: _Links, old: Any) -> list[dict[str, Any]]:
    """1.2 roles: written as read (`users.roles`); for a user read without them (from
    1.1), from role + orgSourcedIds, the first org carrying the primary role, an entry as
    read for the same role and org keeping its other keys (dates, profile)."""
    exact = objects(fields.get("roles"))
    if exact:
        return [_role_entry(role, links) for role in exact]
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
            entry["org"] = links.ref("org", org)
        out.append(entry)
    return out


def _role_entry(role: Mapping[str, str], links: _Links) -> dict[str, Any]:
    entry: dict[str, Any] = {"roleType": role.get("roleType", ""), "role": role.get("role", "")}
    if role.get("orgSourcedId"):
        entry["org"] = links.ref("org", role["orgSourcedId"])
    if role.get("userProfileSourcedId"):
        entry["userProfile"] = role["userProfileSourcedId"]
    for name in ("beginDate", "endDate"):
        if role.get(name):
            entry[name] = role[name]
    return entry
