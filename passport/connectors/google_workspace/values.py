"""The values a user's templates see (OU, email and password templates alike): the store
user's fields, `sourcedId`, `domain`, `grade` (the first grade), `gradYear` and
`school.id` / `school.name` (the primary school, else the first, named as the store's
org). Pure: the plan computes them for OU and email templates; apply computes them, from
the store at that moment, for password templates (a password is never in a plan)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from passport.model import Fields, Value

_GRADE_NUMBERS = {"PK": -1, "PR": -1, "TK": 0, "KG": 0}
TemplateValues = dict[str, str | list[str]]


def grad_year(grade: str, today: dt.date) -> str | None:
    """The year a student in `grade` this school year graduates (school years end by
    June: a 9th grader in 2026-27 graduates in 2030)."""
    number = _GRADE_NUMBERS.get(grade.upper()) if not grade.isdigit() else int(grade)
    if number is None:
        return None
    ends = today.year + (1 if today.month >= 7 else 0)
    return str(ends + 12 - number)


def primary_school(fields: Fields) -> str:
    primary = fields.get("primaryOrgSourcedId")
    if isinstance(primary, str) and primary:
        return primary
    schools = as_list(fields.get("orgSourcedIds"))
    return schools[0] if schools else ""


def template_values(
    key: str, fields: Fields, *, domain: str, orgs: Mapping[str, str], today: dt.date
) -> TemplateValues:
    """`orgs`: store school id -> name."""
    values: TemplateValues = {k: (v if isinstance(v, str) else list(v)) for k, v in fields.items()}
    values["sourcedId"] = key
    values["domain"] = domain
    school = primary_school(fields)
    if school:
        values["school.id"] = school
        values["school.name"] = orgs.get(school, school)
    grades = as_list(fields.get("grades"))
    if grades:
        values["grade"] = grades[0]
        year = grad_year(grades[0], today)
        if year:
            values["gradYear"] = year
    return values


def as_list(value: Value | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)
