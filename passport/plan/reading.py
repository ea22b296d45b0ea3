"""Reading the application's side of one entity into a key-sorted index of digests.

Only (store key, digest) pairs are held for every record; full records are fetched again
later for the few keys whose digests differ (see DESIGN.md, "What scale costs"). Records
are compared as the application holds them (`Sharing.seen`), keyed by the store's key.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from passport.canonical import digest
from passport.errors import PlanError
from passport.mapping.fields import FieldMap
from passport.mapping.sharing import Sharing
from passport.model import Record
from passport.plan.sources import AppSide, Progress

# The digest slot of a record the source marks as deleted (tobedeleted / inactive).
DELETED = "-"


@dataclass
class SideIndex:
    """Key-sorted (store key, digest) pairs of one entity's records on one side."""

    pairs: list[tuple[str, str]] = field(default_factory=list)

    def finish(self, entity: str, side: str) -> None:
        self.pairs.sort()
        unique: list[tuple[str, str]] = []
        for pair in self.pairs:
            if unique and unique[-1][0] == pair[0]:
                if unique[-1][1] != pair[1]:
                    raise PlanError(
                        f"{side} has two different {entity} records with sourcedId {pair[0]!r}",
                        "fix the source so that every sourcedId appears once",
                    )
                continue
            unique.append(pair)
        self.pairs = unique


def read_orgs_in_app(app: AppSide, fields: FieldMap) -> list[Record]:
    """The application's orgs with keys and references in store space."""
    out = []
    for rec in app.read("orgs"):
        key = fields.key_to_store("orgs", rec.key)
        out.append(
            Record(key, fields.fields_to_store("orgs", key, rec.fields), rec.modified, rec.deleted)
        )
    return out


def index_app(
    entity: str, records: Iterable[Record], sharing: Sharing, progress: Progress
) -> SideIndex:
    """Pass one over the application's records, whoever put them there: key, view, digest."""
    index = SideIndex()
    append = index.pairs.append
    stage = f"reading {entity}"
    store_key, seen = sharing.store_key, sharing.seen
    for n, rec in enumerate(records, 1):
        if n % 50_000 == 0:
            progress(stage, n, None)
        key = store_key(entity, rec.key)
        if rec.deleted:
            append((key, DELETED))
            continue
        append((key, digest(seen(entity, key, rec.fields))))
    index.finish(entity, "the application")
    return index


def fetch_app(
    entity: str, app: AppSide, keys: Collection[str], sharing: Sharing
) -> dict[str, Record]:
    """Pass two: the application's records of the given store keys, as `index_app` saw them."""
    if not keys:
        return {}
    wanted = set(keys)
    app_keys = {sharing.app_key(entity, k) for k in wanted}
    found: dict[str, Record] = {}
    for rec in app.read(entity, app_keys):
        key = sharing.store_key(entity, rec.key)
        if key not in wanted or rec.deleted:
            continue
        found[key] = Record(key, sharing.seen(entity, key, rec.fields), rec.modified)
    return found
