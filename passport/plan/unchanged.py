"""Skipping source files that did not change since the last apply (import plans).

An application side may say what its files hold (`content_digest(entity)`: a digest of the
bytes of the entity's files and of how they are read, None where it cannot tell, as for a
delta). Each entity gets a *chain digest*: of the config and of its own files and those of
every entity before it in dependency order, since its reading (references are checked
against earlier files) and its scope (a class is in scope when its course is) rest on them.

After an apply carries a plan out without errors, the store remembers for each entity read
in full its chain digest, the counts of its plan as they stand once applied, and the
entity's *stamp*, which every store transaction writing the entity's records or base moves
on. The next plan skips an entity, reading nothing of it, when its chain digest and its
stamp are both the ones remembered: the files are the same bytes, read the same way, over
the same base and the same store records, so the plan of it would be "nothing to do" with
the remembered counts.

Only what the plan of the entity would show as nothing to do is remembered: an entity with
held, suppressed, warned-about or deleted-marked records, or with no records, is read
every time. What the
skip gives up: a store edited behind passport's back (SQL by hand, not through a store
transaction) is not seen while the files stay the same; `plan --full` reads everything.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from typing import Any

import orjson

from passport.model import Action, SourceMark
from passport.oneroster import ENTITIES
from passport.plan.changes import EntityPlan
from passport.plan.fingerprint import Tally
from passport.plan.sources import StoreSide

# Entities whose kept keys later entities' scope asks for (`Scope.kept`).
KEPT = frozenset({"courses", "classes", "users"})
# What a record whose change lands counts as in the next plan: unchanged.
_LANDS_UNCHANGED = frozenset({Action.CREATE, Action.UPDATE, Action.LINK})


class SourceChain:
    """Chain digests of one plan's entities, in dependency order."""

    def __init__(self, config_digest: str, app: object) -> None:
        self._content: Callable[[str], str | None] | None = getattr(app, "content_digest", None)
        self._quiet: Callable[[str], bool] | None = getattr(app, "quiet", None)
        self._hash: Any = hashlib.blake2b(config_digest.encode(), digest_size=16)
        self._broken = self._content is None
        self._next = 0  # the next entity (of ENTITIES) to add
        complete: Callable[[str], bool] | None = getattr(app, "is_complete", None)
        self._orgs_listed = complete is not None and complete("orgs")

    def upto(self, entity: str) -> str | None:
        """The chain digest of `entity`: of every entity's files up to it in dependency
        order (shared or not: a file's rows are checked against every earlier file), asked
        in order; None once any of them could not say what it holds."""
        while self._next < len(ENTITIES) and ENTITIES.index(entity) >= self._next:
            self._add(ENTITIES[self._next])
            self._next += 1
        if self._broken:
            return None
        digest: str = self._hash.hexdigest()
        return digest

    def _add(self, entity: str) -> None:
        content = None if self._content is None else self._content(entity)
        if entity == "orgs" and not self._orgs_listed:
            content = None  # the schools in scope come from the store's orgs: it may move
        if content is None:
            self._broken = True
        else:
            self._hash.update(f"\x1e{entity}\x1f{content}".encode())

    def quiet(self, entity: str) -> bool:
        """Whether reading the entity's files warned about nothing in their rows."""
        return self._quiet is not None and self._quiet(entity)


def settled(store: StoreSide, activation: str, entity: str, tally: Tally) -> tuple[str, str] | None:
    """(the remembered chain digest, counts) when the entity's store records and base are
    as its last clean apply left them (the entity's stamp did not move since): then no
    base row can have drifted from its store record. None otherwise. The stamp is read
    here, before anything else of the entity, so that a write coming in later shows."""
    stamp = store.stamp(entity)
    tally.add("stamp", str(stamp))
    remembered = store.source_digest(activation, entity)
    if remembered is None or remembered[1] != stamp:
        return None
    return remembered[0], remembered[2]


def skipped(remembered: tuple[str, str] | None, chain: str | None) -> EntityPlan | None:
    """The entity's plan without reading it, when it is settled (`settled`) and its files
    are the ones its last apply read; else None (read it)."""
    if chain is None or remembered is None or remembered[0] != chain:
        return None
    counts = orjson.loads(remembered[1])
    # Applied in full with nothing held or suppressed, the base holds exactly the records
    # that are unchanged now (and the stamp says nothing wrote it since): no count query.
    part = EntityPlan(existing=int(counts["unchanged"]))
    part.unchanged = int(counts["unchanged"])
    part.read = int(counts["read"])
    part.out_of_scope = Counter({str(k): int(v) for k, v in counts["out_of_scope"].items()})
    return part


def kept_keys(store: StoreSide, activation: str, entity: str) -> set[str]:
    """The keys a skipped entity keeps in scope: its base, exactly (it was applied in full,
    with nothing held or suppressed)."""
    kept: set[str] = set()
    for keys, _ in store.base_agreed(activation, entity):
        kept.update(keys)
    return kept


def mark(entity: str, chain: str | None, part: EntityPlan, quiet: bool) -> SourceMark:
    """What apply remembers of an entity read in full (an empty digest: nothing)."""
    # Records the source marks deleted hold what refers to them in later entities (were
    # it skipped, they would not): such an entity is read every time, as are held ones.
    clean = not (part.held or part.suppressed or part.conflicts or part.marked_deleted)
    clean = clean and part.read > 0
    if chain is None or not clean or not quiet:
        return SourceMark(entity, "", "")
    counted = part.changes.counts()
    landed = sum(counted.get(action, 0) for action in _LANDS_UNCHANGED)
    counts = {
        "read": part.read,
        "unchanged": part.unchanged + landed,
        "out_of_scope": dict(sorted(part.out_of_scope.items())),
    }
    return SourceMark(entity, chain, orjson.dumps(counts).decode())
