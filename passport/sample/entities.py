"""Records of the sample district, one generator per entity, each deterministic.

Each generator draws from its own `random.Random` seeded with the district seed and the
entity name, so entities can be written one after another without holding any.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from passport.model import Record
from passport.sample.district import (
    DISTRICT,
    MODIFIED,
    PERIODS,
    SCHOOL_NAMES,
    SUBJECTS,
    TERMS,
    YEAR,
    District,
)
from passport.sample.names import CITIES, FAMILY_END, FAMILY_START, GIVEN

TERM_DATES = (("2025-08-20", "2025-12-19"), ("2026-01-06", "2026-06-12"))
GRADE_AGE = {"KG": 5, **{f"{g:02d}": 5 + g for g in range(1, 13)}}


def _rng(d: District, entity: str) -> random.Random:
    return random.Random(f"passport-sample:{d.seed}:{entity}")


def orgs(d: District) -> Iterator[Record]:
    yield Record(
        DISTRICT, {"name": "Riverbend Unified School District", "type": "district"}, MODIFIED
    )
    for s in range(d.schools):
        band, _ = d.band(s)
        name = f"{SCHOOL_NAMES[s % len(SCHOOL_NAMES)]} {band} School"
        if s >= len(SCHOOL_NAMES):
            name += f" {s // len(SCHOOL_NAMES) + 1}"
        fields = {"name": name, "type": "school", "identifier": f"{s + 1:04d}"}
        yield Record(d.school_id(s), {**fields, "parentSourcedId": DISTRICT}, MODIFIED)


def academic_sessions(d: District) -> Iterator[Record]:
    year = {"title": "2025-2026", "type": "schoolYear", "startDate": "2025-08-20"}
    yield Record(YEAR, {**year, "endDate": "2026-06-12", "schoolYear": "2026"}, MODIFIED)
    for n, (key, (start, end)) in enumerate(zip(TERMS, TERM_DATES, strict=True), 1):
        fields = {"title": f"Semester {n}", "type": "semester", "startDate": start}
        fields |= {"endDate": end, "parentSourcedId": YEAR, "schoolYear": "2026"}
        yield Record(key, fields, MODIFIED)


def courses(d: District) -> Iterator[Record]:
    for s in range(d.schools):
        band, grades = d.band(s)
        for period, (subject, code) in enumerate(SUBJECTS):
            fields: dict[str, str | list[str]] = {
                "schoolYearSourcedId": YEAR,
                "title": f"{band} {subject}",
                "courseCode": f"{code}-{band[0]}",
                "grades": list(grades),
                "orgSourcedId": d.school_id(s),
                "subjects": [subject],
            }
            yield Record(d.course_id(s, period), fields, MODIFIED)


def classes(d: District) -> Iterator[Record]:
    for s in range(d.schools):
        band, grades = d.band(s)
        for period, (subject, code) in enumerate(SUBJECTS):
            for group in range(d.groups(s)):
                fields: dict[str, str | list[str]] = {
                    "title": f"{band} {subject} {group + 1}",
                    "grades": list(grades),
                    "courseSourcedId": d.course_id(s, period),
                    "classCode": f"{code}-{s + 1}-{group + 1}",
                    "classType": "scheduled",
                    "location": f"Room {100 * (period + 1) + group % 100}",
                    "schoolSourcedId": d.school_id(s),
                    "termSourcedIds": [TERMS[group % 2]],
                    "subjects": [subject],
                    "periods": [str(period + 1)],
                }
                yield Record(d.class_id(s, period, group), fields, MODIFIED)


def _person(rng: random.Random, key: str) -> dict[str, str | list[str]]:
    given = rng.choice(GIVEN)
    family = rng.choice(FAMILY_START) + rng.choice(FAMILY_END)
    fields: dict[str, str | list[str]] = {"enabledUser": "true", "givenName": given}
    fields["familyName"] = family
    if rng.random() < 0.3:
        fields["middleName"] = rng.choice(GIVEN)
    fields["username"] = f"{given}.{family}.{key[4:]}".lower()
    fields["userIds"] = [f"SIS:{key}"]
    return fields


def users(d: District) -> Iterator[Record]:
    rng = _rng(d, "users")
    for i in range(d.admins):
        key = d.admin_id(i)
        fields = _person(rng, key) | {"role": "administrator", "identifier": key}
        org = DISTRICT if i == 0 else d.school_id((i - 1) % d.schools)
        fields |= {"orgSourcedIds": [org], "email": f"{fields['username']}@staff.example.edu"}
        yield Record(key, fields, MODIFIED)
    for i in range(d.teachers):
        key = d.teacher_id(i)
        fields = _person(rng, key) | {"role": "teacher", "identifier": key}
        fields |= {"orgSourcedIds": [d.school_id(i % d.schools)]}
        fields["email"] = f"{fields['username']}@staff.example.edu"
        yield Record(key, fields, MODIFIED)
    for i in range(d.students):
        key = d.student_id(i)
        school, _ = d.student_place(i)
        fields = _person(rng, key) | {"role": "student", "identifier": f"{900000 + i}"}
        fields |= {"orgSourcedIds": [d.school_id(school)], "grades": [_grade(d, i)]}
        fields["email"] = f"{fields['username']}@students.example.edu"
        yield Record(key, fields, MODIFIED)


def _grade(d: District, student: int) -> str:
    school, group = d.student_place(student)
    _, grades = d.band(school)
    return grades[group % len(grades)]


def demographics(d: District) -> Iterator[Record]:
    rng = _rng(d, "demographics")
    races = (
        "americanIndianOrAlaskaNative",
        "asian",
        "blackOrAfricanAmerican",
        "nativeHawaiianOrOtherPacificIslander",
        "white",
    )
    for i in range(d.students):
        born = 2025 - GRADE_AGE[_grade(d, i)] - 1
        fields = {
            "birthDate": f"{born}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "sex": rng.choice(("female", "male")),
        }
        picked = rng.choice(races)
        for race in races:
            fields[race] = "true" if race == picked else "false"
        fields["hispanicOrLatinoEthnicity"] = "true" if rng.random() < 0.25 else "false"
        fields["cityOfBirth"] = rng.choice(CITIES)
        yield Record(d.student_id(i), fields, MODIFIED)


def enrollments(d: District) -> Iterator[Record]:
    n = 0
    for s in range(d.schools):
        school = d.school_id(s)
        for period in range(PERIODS):
            for group in range(d.groups(s)):
                n += 1
                teacher = d.teacher_id(d.class_teacher(s, period, group))
                cls = d.class_id(s, period, group)
                yield _enrollment(n, cls, school, teacher, "teacher", group)
    for i in range(d.students):
        s, group = d.student_place(i)
        for period in range(PERIODS):
            n += 1
            cls = d.class_id(s, period, group)
            yield _enrollment(n, cls, d.school_id(s), d.student_id(i), "student", group)


def _enrollment(n: int, cls: str, school: str, user: str, role: str, group: int) -> Record:
    begin, end = TERM_DATES[group % 2]
    fields = {"classSourcedId": cls, "schoolSourcedId": school, "userSourcedId": user}
    fields |= {"role": role, "primary": "true" if role == "teacher" else "false"}
    fields |= {"beginDate": begin, "endDate": end}
    return Record(f"enr-{n:08d}", fields, MODIFIED)
