"""Reading one side of one entity into a key-sorted index of digests, in store space.

Only (key, digest) pairs are held for every record; full records are fetched again later
for the few keys whose digests differ (see DESIGN.md, "What scale costs").
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from passport.canonical import digest
from passport.errors import PlanError
from passport.model import Record
from passport.plan.scope import Scope, Translator
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


def read_orgs_in_app(app: AppSide, translator: Translator) -> list[Record]:
    """The application's orgs with keys and references in store space."""
    out = []
    for rec in app.read("orgs"):
        key = translator.key_to_store("orgs", rec.key)
        fields = translator.fields_to_store("orgs", rec.fields)
        out.append(Record(key, fields, rec.modified, rec.deleted))
    return out


def index_app(
    entity: str,
    records: Iterable[Record],
    scope: Scope,
    translator: Translator,
    progress: Progress,
    *,
    admit: bool = True,
) -> SideIndex:
    """Pass one over the application's records: scope, project, digest.

    With `admit` False every record counts, in scope or not (what an export compares
    against: the application as it is, whoever put the records there)."""
    index = SideIndex()
    append = index.pairs.append
    stage = f"reading {entity}"
    admitted = scope.admitter(entity) if admit else None
    key_to_store = translator.key_to_store
    fields_to_store = translator.fields_to_store
    narrow, project = scope.narrow, scope.project
    for n, rec in enumerate(records, 1):
        if n % 50_000 == 0:
            progress(stage, n, None)
        key = key_to_store(entity, rec.key)
        if rec.deleted:
            append((key, DELETED))
            continue
        fields = fields_to_store(entity, rec.fields)
        if admitted is not None and not admitted(key, fields):
            continue
        append((key, digest(project(entity, narrow(entity, fields)))))
    index.finish(entity, "the application")
    return index


def fetch_app(
    entity: str,
    app: AppSide,
    keys: Collection[str],
    scope: Scope,
    translator: Translator,
) -> dict[str, Record]:
    """Pass two: the full, projected store-space records of the given store keys."""
    if not keys:
        return {}
    wanted = set(keys)
    app_keys = {translator.key_to_app(entity, k) for k in wanted}
    found: dict[str, Record] = {}
    for rec in app.read(entity, app_keys):
        key = translator.key_to_store(entity, rec.key)
        if key not in wanted or rec.deleted:
            continue
        fields = translator.fields_to_store(entity, rec.fields)
        projected = scope.project(entity, scope.narrow(entity, fields))
        found[key] = Record(key, projected, rec.modified)
    return found
