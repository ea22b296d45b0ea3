"""The invariant of issue 12, on generated bundles with random defects: every active
source record is created, updated, linked, unchanged, held, suppressed or out of scope,
exactly one of them, and the plan says which. Through the real CSV reader and a real
SQLite store, with and without records imported before."""

from __future__ import annotations

import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from passport import runner
from passport.model import Action, Plan

DEFECTS = (
    "none",
    "bad-date",
    "unknown-ref",
    "missing-required",
    "duplicate",
    "bad-boolean",
    "tobedeleted",
    "ragged",
    "nul",
    "reversed",
)
HEADERS = {
    "orgs": ["sourcedId", "status", "dateLastModified", "name", "type", "identifier",
             "parentSourcedId"],
    "courses": ["sourcedId", "status", "dateLastModified", "title", "courseCode",
                "orgSourcedId"],
    "classes": ["sourcedId", "status", "dateLastModified", "title", "courseSourcedId",
                "classType", "schoolSourcedId", "termSourcedIds"],
    "academicSessions": ["sourcedId", "status", "dateLastModified", "title", "type",
                         "startDate", "endDate", "schoolYear"],
    "users": ["sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds",
              "role", "username", "givenName", "familyName"],
    "enrollments": ["sourcedId", "status", "dateLastModified", "classSourcedId",
                    "schoolSourcedId", "userSourcedId", "role", "primary", "beginDate",
                    "endDate"],
}  # fmt: skip
CONFIG = """\
version: 1
name: sis
application: oneroster-csv
mode: import
delivery:
  path: {bundle}
schools:
  map:
{schools}
attributes: {{orgs: all, academicSessions: all, courses: all, classes: all, users: all, enrollments: all}}
safety:
  max_held: 100%
  max_delete: 100%
  max_update: 100%
"""  # noqa: E501


@dataclass
class Bundle:
    rows: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    active: dict[str, set[str]] = field(default_factory=dict)  # entity -> active keys

    def add(self, entity: str, row: dict[str, str], defect: str, draw: st.DrawFn) -> None:
        rows = self.rows.setdefault(entity, [])
        keys = self.active.setdefault(entity, set())
        if defect == "tobedeleted":
            row["status"] = "tobedeleted"
        else:
            keys.add(row["sourcedId"])
            _spoil(entity, row, defect)
        rows.append(row)
        if defect == "duplicate":
            rows.append(dict(row, title="again", givenName="Again", name="Again"))

    def write(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for entity, header in HEADERS.items():
            lines = [",".join(header)]
            for row in self.rows.get(entity, []):
                cells = [row.get(name, "") for name in header]
                if row.get("_ragged"):
                    cells.append("extra")
                lines.append(",".join(cells))
            (folder / f"{entity}.csv").write_text("\n".join(lines) + "\n")


def _spoil(entity: str, row: dict[str, str], defect: str) -> None:
    """One defect in a row, in a cell the entity has."""
    if defect == "bad-date":
        row["dateLastModified"] = "1/05/2023"
    elif defect == "unknown-ref":
        target = {"orgs": "parentSourcedId", "courses": "orgSourcedId"}.get(entity)
        target = target or {"classes": "courseSourcedId", "users": "orgSourcedIds"}.get(entity)
        row[target or "userSourcedId"] = "nowhere"
    elif defect == "missing-required":
        row[
            {"orgs": "name", "academicSessions": "title", "courses": "title"}.get(entity, "")
            or {"classes": "title", "users": "givenName"}.get(entity, "role")
        ] = ""
    elif defect == "bad-boolean":
        if entity == "users":
            row["enabledUser"] = "yes"
        elif entity == "enrollments":
            row["primary"] = "maybe"
        else:
            row["dateLastModified"] = "yesterday"
    elif defect == "ragged":
        row["_ragged"] = "1"
    elif defect == "nul":
        row[{"orgs": "name", "users": "givenName"}.get(entity, "title")] = "A\x00"
        if entity == "enrollments":
            row["sourcedId"] += "\x00"
    elif defect == "reversed":
        if entity == "enrollments":
            row["beginDate"], row["endDate"] = "2025-05-01", "2024-09-01"
        else:
            row["dateLastModified"] = "2025-13-40T00:00:00Z"


@dataclass(frozen=True)
class Shape:
    """A district's size and links, from which bundles differing in defects are built."""

    schools: int
    courses: tuple[int, ...]  # school index of each course
    users: tuple[int, ...]  # school index of each user
    enrollments: tuple[tuple[int, int], ...]  # (class index, user index)
    mapped: tuple[int, ...]


shapes = st.builds(
    Shape,
    schools=st.integers(1, 3),
    courses=st.lists(st.integers(0, 2), max_size=3).map(tuple),
    users=st.lists(st.integers(0, 2), max_size=6).map(tuple),
    enrollments=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), max_size=8).map(tuple),
    mapped=st.lists(st.integers(0, 2), min_size=1, max_size=3, unique=True).map(tuple),
)


@st.composite
def bundles(draw: st.DrawFn, shape: Shape) -> tuple[Bundle, list[str]]:
    b = Bundle()
    defect = st.sampled_from(DEFECTS)
    mostly_clean = st.one_of(st.just("none"), st.just("none"), defect)
    schools = [f"s{n}" for n in range(shape.schools)]
    b.add("orgs", {"sourcedId": "d", "name": "D", "type": "district"}, "none", draw)
    for s in schools:
        row = {"sourcedId": s, "name": s.upper(), "type": "school", "parentSourcedId": "d"}
        b.add("orgs", row, draw(mostly_clean), draw)
    b.add(
        "academicSessions",
        {"sourcedId": "t", "title": "T", "type": "term", "startDate": "2024-08-01",
         "endDate": "2025-06-01", "schoolYear": "2025"},
        "none",
        draw,
    )  # fmt: skip
    courses, classes, users = [], [], []
    for n, at in enumerate(shape.courses):
        school = schools[at % len(schools)]
        key = f"c{n}"
        b.add("courses", {"sourcedId": key, "title": f"C{n}", "orgSourcedId": school},
              draw(mostly_clean), draw)  # fmt: skip
        courses.append((key, school))
    for n, (course, school) in enumerate(courses * 2):
        key = f"k{n}"
        row = {
            "sourcedId": key,
            "title": f"K{n}",
            "courseSourcedId": course,
            "classType": "scheduled",
            "schoolSourcedId": school,
            "termSourcedIds": "t",
        }
        b.add("classes", row, draw(mostly_clean), draw)  # fmt: skip
        classes.append((key, school))
    for n, at in enumerate(shape.users):
        school = schools[at % len(schools)]
        key = f"u{n}"
        row = {
            "sourcedId": key,
            "enabledUser": "true",
            "orgSourcedIds": school,
            "role": "student",
            "username": key,
            "givenName": "G",
            "familyName": "F",
        }
        b.add("users", row, draw(mostly_clean), draw)  # fmt: skip
        users.append(key)
    if classes and users:
        for n, (at_class, at_user) in enumerate(shape.enrollments):
            klass, school = classes[at_class % len(classes)]
            row = {
                "sourcedId": f"e{n}",
                "classSourcedId": klass,
                "schoolSourcedId": school,
                "userSourcedId": users[at_user % len(users)],
                "role": "student",
                "primary": "false",
            }
            b.add("enrollments", row, draw(mostly_clean), draw)  # fmt: skip
    mapped = sorted({schools[at % len(schools)] for at in shape.mapped})
    return b, mapped


@st.composite
def two_bundles(draw: st.DrawFn) -> tuple[tuple[Bundle, list[str]], tuple[Bundle, list[str]]]:
    """Two bundles of one district, each with its own defects."""
    shape = draw(shapes)
    return draw(bundles(shape)), draw(bundles(shape))


def _plan(folder: Path, bundle: Bundle, mapped: list[str]) -> Plan:
    bundle.write(folder / "bundle")
    schools = "\n".join(f"    - {{app: {s}, store: {s}}}" for s in mapped)
    config = folder / "configs" / "sis.yaml"
    config.parent.mkdir(exist_ok=True)
    config.write_text(CONFIG.format(bundle=folder / "bundle", schools=schools))
    return runner.plan(config, runner.Settings(store_url=str(folder / "store.db")))


def _check(plan: Plan, bundle: Bundle) -> None:
    for summary in plan.summaries:
        entity = summary.entity
        assert summary.source_total == len(bundle.active.get(entity, ())), (entity, summary)
    written = Counter((c.entity, c.key) for c in plan.changes if c.action is not Action.FORGET)
    held = Counter((h.entity, h.key) for h in plan.held)
    assert all(n == 1 for n in held.values()), "a record is held once"
    assert not set(written) & set(held), "a held record is never written or deleted"
    deleted = {(c.entity, c.key) for c in plan.changes if c.action is Action.DELETE}
    for entity, key in held:
        assert (entity, key) not in deleted


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(pair=two_bundles())
def test_every_source_record_is_accounted_for(
    pair: tuple[tuple[Bundle, list[str]], tuple[Bundle, list[str]]],
) -> None:
    """Planned on an empty store, then again after the first bundle was applied (so that
    records are unchanged, updated, deleted or held against what the store holds)."""
    first, second = pair
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        bundle, mapped = first
        _check(_plan(folder, bundle, mapped), bundle)
        config = folder / "configs" / "sis.yaml"
        apply_options = runner.ApplyOptions(force=True)
        runner.apply(str(config), runner.Settings(store_url=str(folder / "store.db"),
                     configs_dir=str(config.parent)), apply_options)  # fmt: skip
        again, _ = second
        _check(_plan(folder, again, mapped), again)
