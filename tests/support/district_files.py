"""Real files for end-to-end tests: a sample bundle, activation files, CSV edits."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from passport.sample import generate_sample

SIS = """\
version: 1
name: sis
application: oneroster-csv
mode: import
delivery:
  path: {bundle}
schools:
  auto: same-id
attributes:
  orgs: all
  academicSessions: all
  courses: all
  classes: all
  users: all
  demographics: all
  enrollments: all
safety:
  max_delete: 10%
  min_existing: 10
"""

LMS = """\
version: 1
name: lms
application: oneroster-csv
mode: export
delivery:
  path: {bundle}
  processing: bulk
schools:
  map:
    - app: lms-001
      store: sch-001
    - app: lms-002
      store: sch-002
attributes:
  orgs: all
  academicSessions: all
  courses: all
  classes: all
  users: all
  enrollments: all
"""


def district(root: Path, users: int = 300) -> Path:
    """A sample bundle and configs/sis.yaml importing it; returns the configs folder."""
    bundle = root / "sis-bundle"
    generate_sample(bundle, users=users)
    configs = root / "configs"
    configs.mkdir(exist_ok=True)
    (configs / "sis.yaml").write_text(SIS.format(bundle=bundle), encoding="utf-8")
    return configs


def add_lms(configs: Path, target: Path) -> None:
    (configs / "lms.yaml").write_text(LMS.format(bundle=target), encoding="utf-8")


Row = dict[str, str]


def edit_csv(path: Path, change: Callable[[list[Row]], list[Row]]) -> None:
    """Rewrite one CSV file of a bundle through `change`, keeping its header."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    rows = change(rows)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def read_rows(path: Path) -> list[Row]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))
