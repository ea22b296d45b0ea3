"""The OneRoster test server's data set: records kept in one shape, served as 1.1 or 1.2.

Records are stored as OneRoster 1.2 JSON objects whose GUIDRefs carry no href; they are
rendered per version on the way out (1.1: `role` + `orgs` instead of `roles[]`, JSON
booleans, no 1.2-only fields) and accepted in either version's shape on PUT. This module
is written from the OneRoster binding on its own, not from passport's connector, so the
connector is tested against an independent reading of the spec.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from passport.model import Record

# canonical field -> (JSON key, GUIDRef type, many)
REFS: dict[str, dict[str, tuple[str, str, bool]]] = {
    "orgs": {"parentSourcedId": ("parent", "org", False)},
    "academicSessions": {"parentSourcedId": ("parent", "academicSession", False)},
    "courses": {
        "schoolYearSourcedId": ("schoolYear", "academicSession", False),
        "orgSourcedId": ("org", "org", False),
    },
    "classes": {
        "courseSourcedId": ("course", "course", False),
        "schoolSourcedId": ("school", "org", False),
        "termSourcedIds": ("terms", "academicSession", True),
    },
    "users": {
        "agentSourcedIds": ("agents", "user", True),
        "primaryOrgSourcedId": ("primaryOrg", "org", False),
        "resourceSourcedIds": ("resources", "resource", True),
    },
    "enrollments": {
        "classSourcedId": ("class", "class", False),
        "schoolSourcedId": ("school", "org", False),
        "userSourcedId": ("user", "user", False),
    },
}
RENAMED = {"preferredGivenName": "preferredFirstName", "preferredFamilyName": "preferredLastName"}
BOOLEANS = {
    "users": {"enabledUser"},
    "enrollments": {"primary"},
    "demographics": {
        "americanIndianOrAlaskaNative",
        "asian",
        "blackOrAfricanAmerican",
        "nativeHawaiianOrOtherPacificIslander",
        "white",
        "demographicRaceTwoOrMoreRaces",
        "hispanicOrLatinoEthnicity",
    },
}
ONLY_12 = (
    "userProfiles",
    "userMasterIdentifier",
    "preferredFirstName",
    "preferredMiddleName",
    "preferredLastName",
    "pronouns",
    "primaryOrg",
    "resources",
    "roles",
)
HREF_COLLECTION = {
    "org": "orgs",
    "academicSession": "academicSessions",
    "course": "courses",
    "class": "classes",
    "user": "users",
    "resource": "resources",
}
ENTITIES = (
    "orgs",
    "academicSessions",
    "courses",
    "classes",
    "users",
    "demographics",
    "enrollments",
)
# collection path -> (entity, response key, which records it lists)
COLLECTIONS = {
    **{e: (e, e, "") for e in ENTITIES},
    "schools": ("orgs", "orgs", "school"),
    "terms": ("academicSessions", "academicSessions", "term"),
}
SINGULAR = {
    "orgs": "org",
    "academicSessions": "academicSession",
    "courses": "course",
    "classes": "class",
    "users": "user",
    "demographics": "demographics",
    "enrollments": "enrollment",
}
_FILTER = re.compile(r"^\s*(dateLastModified|status)\s*(>=|<=|!=|>|<|=)\s*'([^']*)'\s*$")


class BadFilter(ValueError):
    pass


def native(entity: str, record: Record) -> dict[str, Any]:
    """A canonical record (passport's model) as the stored 1.2-shaped object."""
    refs = REFS.get(entity, {})
    out: dict[str, Any] = {"sourcedId": record.key, "status": "active"}
    out["dateLastModified"] = record.modified or "2025-08-01T00:00:00.000Z"
    for name, value in record.fields.items():
        if name == "status" or name in ("roles", "userProfiles"):
            continue  # a REST record is active; roles and profiles below
        if name.startswith(("metadata.", "ext_")):
            key = name.removeprefix("metadata.")
            out.setdefault("metadata", {})[key] = value
        elif name in refs:
            key, kind, many = refs[name]
            items = value if isinstance(value, list) else [value]
            refs_out = [{"sourcedId": v, "type": kind} for v in items]
            out[key] = refs_out if many else refs_out[0]
        elif name == "userIds":
            out[name] = [_user_id(v) for v in value]
        elif entity == "users" and name in ("role", "orgSourcedIds"):
            continue
        else:
            out[RENAMED.get(name, name)] = value
    if entity == "users":
        out["roles"] = _roles(record)
        out["userProfiles"] = [_profile(p) for p in _decoded(record.fields.get("userProfiles"))]
    return out


def _decoded(value: Any) -> list[dict[str, str]]:
    """The objects of a canonical structured field (one JSON object per string)."""
    return [orjson.loads(item) for item in value or []]


def _roles(record: Record) -> list[dict[str, Any]]:
    exact = _decoded(record.fields.get("roles"))
    if exact:
        out = []
        for role in exact:
            entry: dict[str, Any] = {"roleType": role["roleType"], "role": role["role"]}
            entry["org"] = _ref("org", role["orgSourcedId"])
            if role.get("userProfileSourcedId"):
                entry["userProfile"] = role["userProfileSourcedId"]
            entry.update({k: role[k] for k in ("beginDate", "endDate") if role.get(k)})
            out.append(entry)
        return out
    orgs = record.fields.get("orgSourcedIds") or []
    role = record.fields.get("role")
    return [
        {"roleType": "primary" if n == 0 else "secondary", "role": role, "org": _ref("org", o)}
        for n, o in enumerate(orgs)
    ]


def _profile(profile: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "profileId": profile.get("sourcedId", ""),
        "profileType": profile.get("profileType", ""),
        "vendorId": profile.get("vendorId", ""),
    }
    out.update({k: profile[k] for k in ("applicationId", "description") if profile.get(k)})
    credential = {"type": profile.get("credentialType", "")}
    if profile.get("username"):
        credential["username"] = profile["username"]
    out["credentials"] = [credential] if profile.get("credentialType") else []
    return out


def _user_id(value: str) -> dict[str, str]:
    kind, _, ident = value.partition(":")
    return {"type": kind, "identifier": ident} if ident else {"type": "", "identifier": value}


def _ref(kind: str, key: str) -> dict[str, str]:
    return {"sourcedId": key, "type": kind}


def render(entity: str, stored: dict[str, Any], version: str, base: str) -> dict[str, Any]:
    """The stored object as the version's JSON binding shows it."""
    out = {k: _with_href(v, base) for k, v in stored.items()}
    if version == "1.1":
        if entity == "users":
            roles = stored.get("roles") or []
            primary = [r for r in roles if r.get("roleType") == "primary"] or roles
            if primary:
                out["role"] = primary[0].get("role")
            out["orgs"] = [_with_href(r["org"], base) for r in roles if r.get("org")]
            for key in ONLY_12:
                out.pop(key, None)
        for key in BOOLEANS.get(entity, ()):
            if out.get(key) in ("true", "false"):
                out[key] = out[key] == "true"
    return out


def _with_href(value: Any, base: str) -> Any:
    if isinstance(value, dict):
        if "sourcedId" in value and value.get("type") in HREF_COLLECTION:
            href = f"{base}/{HREF_COLLECTION[value['type']]}/{value['sourcedId']}"
            return {"href": href, **value}
        return {k: _with_href(v, base) for k, v in value.items()}
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return [_with_href(v, base) for v in value]
    return value


def accept(entity: str, body: dict[str, Any], version: str) -> dict[str, Any]:
    """A PUT body (either version's shape) as the stored 1.2-shaped object."""
    out = {k: _without_href(v) for k, v in body.items()}
    if version == "1.1" and entity == "users" and "roles" not in out:
        role, orgs = out.pop("role", None), out.pop("orgs", None) or []
        out["roles"] = [
            {"roleType": "primary" if n == 0 else "secondary", "role": role, "org": o}
            for n, o in enumerate(orgs)
        ]
    for key in BOOLEANS.get(entity, ()):
        if isinstance(out.get(key), bool):
            out[key] = "true" if out[key] else "false"
    return out


def _without_href(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_href(v) for k, v in value.items() if k != "href"}
    if isinstance(value, list):
        return [_without_href(v) for v in value]
    return value


def parse_filter(text: str) -> tuple[str, str, str]:
    match = _FILTER.match(text)
    if not match:
        raise BadFilter(text)
    field, op, value = match.groups()
    if field == "dateLastModified" and _when(value) is None:
        raise BadFilter(text)
    return field, op, value


def _when(value: str) -> datetime | None:
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        return None
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at


def matches(stored: dict[str, Any], field: str, op: str, value: str) -> bool:
    left: Any = stored.get(field, "")
    right: Any = value
    if field == "dateLastModified":
        left, right = _when(str(left)), _when(value)
        if left is None or right is None:
            return False
    return bool(
        {
            "=": left == right,
            "!=": left != right,
            ">": left > right,
            ">=": left >= right,
            "<": left < right,
            "<=": left <= right,
        }[op]
    )


class RosterData:
    """Every entity's records by sourcedId, in listing order; thread-safe."""

    def __init__(self) -> None:
        self.records: dict[str, dict[str, dict[str, Any]]] = {e: {} for e in ENTITIES}
        self.lock = threading.RLock()
        self.generation = 0  # bumped on every change, to invalidate caches
        self._last = datetime(2025, 8, 1, tzinfo=UTC)
        self._listed: dict[tuple[str, str, str], tuple[int, list[str]]] = {}
        self._encoded: dict[tuple[str, str, str], bytes] = {}

    @classmethod
    def load(cls, streams: dict[str, Iterable[Record]]) -> RosterData:
        data = cls()
        for entity, records in streams.items():
            table = data.records[entity]
            for rec in records:
                table[rec.key] = native(entity, rec)
        return data

    @classmethod
    def sample(cls, users: int = 60, only: Iterable[str] | None = None) -> RosterData:
        from passport.sample import entities
        from passport.sample.district import District

        d = District(users=users)
        makers = {
            "orgs": entities.orgs,
            "academicSessions": entities.academic_sessions,
            "courses": entities.courses,
            "classes": entities.classes,
            "users": entities.users,
            "demographics": entities.demographics,
            "enrollments": entities.enrollments,
        }
        wanted = set(only or makers)
        return cls.load({e: make(d) for e, make in makers.items() if e in wanted})

    @classmethod
    def from_bundle(cls, path: Path) -> RosterData:
        from passport.connectors.oneroster_csv.snapshot import CsvSnapshot

        snap = CsvSnapshot(path, list(ENTITIES))
        try:
            return cls.load({e: list(snap.read(e)) for e in ENTITIES})
        finally:
            snap.close()

    def now(self) -> str:
        """A dateLastModified later than every one issued before."""
        with self.lock:
            at = max(datetime.now(UTC), self._last + timedelta(milliseconds=1))
            self._last = at
            return at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"

    # --- reading -----------------------------------------------------------------------

    def listed(self, collection: str, filter_text: str | None) -> list[str]:
        """Keys a collection lists: active records, or with a filter whatever matches it
        (deleted ones too, with status tobedeleted, as a delta needs)."""
        entity, _, kind = COLLECTIONS[collection]
        cache_key = (collection, filter_text or "", "")
        with self.lock:
            hit = self._listed.get(cache_key)
            if hit and hit[0] == self.generation:
                return hit[1]
            rule = parse_filter(filter_text) if filter_text else None
            keys = [k for k, r in self.records[entity].items() if _listed(r, rule, kind)]
            self._listed[cache_key] = (self.generation, keys)
            return keys

    def encoded(self, entity: str, key: str, version: str, base: str) -> bytes:
        cache_key = (entity, key, version)
        with self.lock:
            found = self._encoded.get(cache_key)
            if found is None:
                found = orjson.dumps(render(entity, self.records[entity][key], version, base))
                self._encoded[cache_key] = found
            return found

    def get(self, entity: str, key: str) -> dict[str, Any] | None:
        with self.lock:
            stored = self.records[entity].get(key)
            return stored if stored and stored.get("status") == "active" else None

    def active(self, entity: str) -> dict[str, dict[str, Any]]:
        with self.lock:
            return {k: r for k, r in self.records[entity].items() if r.get("status") == "active"}

    # --- changing ----------------------------------------------------------------------

    def put(self, entity: str, key: str, stored: dict[str, Any]) -> bool:
        """Store a record; True when it is new (or was deleted)."""
        with self.lock:
            created = self.get(entity, key) is None
            stored = {
                **stored,
                "sourcedId": key,
                "status": "active",
                "dateLastModified": self.now(),
            }
            table = self.records[entity]
            if created:
                table.pop(key, None)  # a new record (or one deleted before) lists last
            table[key] = stored
            self._changed(entity, key)
            return created

    def delete(self, entity: str, key: str) -> bool:
        with self.lock:
            stored = self.get(entity, key)
            if stored is None:
                return False
            self.records[entity][key] = {
                **stored,
                "status": "tobedeleted",
                "dateLastModified": self.now(),
            }
            self._changed(entity, key)
            return True

    def grow(self, entity: str) -> str:
        """Add a copy of the last active record under a new key (data moving mid-read)."""
        with self.lock:
            key, stored = list(self.active(entity).items())[-1]
            new_key = f"{key}-{self.generation}"
            self.put(entity, new_key, stored)
            return new_key

    def edit(self, entity: str, key: str, **fields: Any) -> None:
        """Change fields of a stored record as the application's own users would."""
        with self.lock:
            stored = self.records[entity][key]
            self.put(entity, key, {**stored, **fields})

    def _changed(self, entity: str, key: str) -> None:
        self.generation += 1
        for version in ("1.1", "1.2"):
            self._encoded.pop((entity, key, version), None)

    def snapshot(self) -> dict[str, dict[str, dict[str, Any]]]:
        """Active records without dateLastModified: what two runs must agree on."""
        with self.lock:
            return {
                e: {
                    k: {n: v for n, v in r.items() if n != "dateLastModified"}
                    for k, r in recs.items()
                }
                for e, recs in ((e, self.active(e)) for e in ENTITIES)
            }


def _listed(stored: dict[str, Any], rule: tuple[str, str, str] | None, kind: str) -> bool:
    if kind == "school" and stored.get("type") != "school":
        return False
    if kind == "term" and stored.get("type") not in ("term", "semester"):
        return False
    if rule is None:
        return stored.get("status") == "active"
    return matches(stored, *rule)


def page_bytes(
    data: RosterData, wrapper: str, entity: str, keys: list[str], version: str, base: str
) -> bytes:
    parts = (data.encoded(entity, k, version, base) for k in keys)
    return b'{"' + wrapper.encode() + b'":[' + b",".join(parts) + b"]}"
