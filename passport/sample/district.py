"""The shape of a generated district: counts, ids and who sits in which class.

Everything is a pure function of the user count, the school count and the seed, so
each entity can be generated on its own, in order, as a stream.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

CLASS_SIZE = 25
PERIODS = 6  # classes (and so enrollments) per student
SUBJECTS = (
    ("Mathematics", "MATH"),
    ("English Language Arts", "ELA"),
    ("Science", "SCI"),
    ("Social Studies", "SOC"),
    ("Art", "ART"),
    ("Physical Education", "PE"),
)
BANDS = (
    ("Elementary", ("KG", "01", "02", "03", "04", "05")),
    ("Middle", ("06", "07", "08")),
    ("High", ("09", "10", "11", "12")),
)
SCHOOL_NAMES = ("Alder", "Birch", "Cedar", "Juniper", "Maple", "Rowan", "Spruce", "Willow")
DISTRICT = "district"
YEAR = "sy-2025"
TERMS = ("term-2025-1", "term-2025-2")
MODIFIED = "2025-08-01T00:00:00Z"


@dataclass(frozen=True)
class District:
    users: int = 2000
    schools: int = 4
    seed: int = 1

    @property
    def admins(self) -> int:
        return max(1, min(self.schools + 1, self.users // 100))

    @property
    def teachers(self) -> int:
        return max(1, (self.users - self.admins) // 16)

    @property
    def students(self) -> int:
        return max(0, self.users - self.admins - self.teachers)

    def school_id(self, school: int) -> str:
        return f"sch-{school + 1:03d}"

    def band(self, school: int) -> tuple[str, tuple[str, ...]]:
        """Elementary for the first school, middle for the second, high after that."""
        return BANDS[min(school, 2)]

    def school_students(self, school: int) -> int:
        """Students are dealt to schools round-robin: student i goes to school i % schools."""
        return self.students // self.schools + (1 if school < self.students % self.schools else 0)

    def groups(self, school: int) -> int:
        """Groups of about CLASS_SIZE students who share their classes."""
        return max(1, math.ceil(self.school_students(school) / CLASS_SIZE))

    def class_id(self, school: int, period: int, group: int) -> str:
        return f"cls-{school + 1:03d}-{period + 1}-{group + 1:05d}"

    def course_id(self, school: int, period: int) -> str:
        return f"crs-{school + 1:03d}-{SUBJECTS[period][1].lower()}"

    def student_id(self, index: int) -> str:
        return f"stu-{index + 1:07d}"

    def teacher_id(self, index: int) -> str:
        return f"tch-{index + 1:06d}"

    def admin_id(self, index: int) -> str:
        return f"adm-{index + 1:03d}"

    def student_place(self, index: int) -> tuple[int, int]:
        """(school, group) of student `index`."""
        school = index % self.schools
        local = index // self.schools
        return school, local // CLASS_SIZE

    def class_teacher(self, school: int, period: int, group: int) -> int:
        """Teachers are dealt to schools round-robin; each teaches classes of one school."""
        in_school = max(1, self.teachers // self.schools + (school < self.teachers % self.schools))
        local = (period * self.groups(school) + group) % in_school
        return local * self.schools + school if self.teachers >= self.schools else 0
