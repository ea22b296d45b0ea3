"""A small, deterministic sample district written as a OneRoster 1.1 bulk bundle.

Same inputs, same bytes: names come from a fixed invented list and every random draw
comes from a generator seeded with `seed`. Records stream straight to the files, so a
district of a million users takes seconds and little memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from passport.connectors.oneroster_csv.writer import write_bundle
from passport.model import Record
from passport.sample import entities
from passport.sample.district import District

__all__ = ["District", "SampleSummary", "generate_sample"]


@dataclass
class SampleSummary:
    path: Path
    counts: dict[str, int] = field(default_factory=dict)


def generate_sample(out: Path, users: int = 2000, seed: int = 1, schools: int = 4) -> SampleSummary:
    """Write the sample district's bundle to `out` (a folder or a .zip)."""
    d = District(users=users, schools=schools, seed=seed)
    summary = SampleSummary(out)
    streams = {
        "orgs": entities.orgs(d),
        "academicSessions": entities.academic_sessions(d),
        "courses": entities.courses(d),
        "classes": entities.classes(d),
        "users": entities.users(d),
        "demographics": entities.demographics(d),
        "enrollments": entities.enrollments(d),
    }
    counted = {name: _count(summary, name, records) for name, records in streams.items()}
    write_bundle(out, counted, version="1.1", processing="bulk", system_name="passport-sample")
    return summary


def _count(summary: SampleSummary, entity: str, records: Iterable[Record]) -> Iterator[Record]:
    summary.counts[entity] = 0
    for record in records:
        summary.counts[entity] += 1
        yield record
