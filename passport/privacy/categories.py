"""Data-element categories and the category of every field: shipped data, district-extended.

A field is named `entity.field` (`users.email`). The shipped mapping lives in
`categories.yaml` beside this module; a district adds categories and maps its own fields
(or overrides ours) in `configs/privacy/district.yaml`, loaded by `passport.config`.
A field mapped nowhere is `uncategorised`, a bucket every report shows.
"""

from __future__ import annotations

import fnmatch
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

UNCATEGORISED = "uncategorised"


@dataclass(frozen=True, slots=True)
class Category:
    id: str
    title: str
    exhibit_b: tuple[str, ...] = ()  # the NDPA Exhibit B categories it corresponds to
    personal: bool = True
    description: str = ""


UNCATEGORISED_CATEGORY = Category(
    UNCATEGORISED,
    "Uncategorised",
    ("Other",),
    True,
    "Fields no category names yet: map them in configs/privacy/district.yaml.",
)


@dataclass(frozen=True, slots=True)
class FieldRule:
    """`pattern` (entity.field, `*` a wildcard) belongs to `category`; `rank` orders rules
    of the same specificity (a district's rule outranks a shipped one)."""

    pattern: str
    category: str
    rank: int = 0

    @property
    def exact(self) -> bool:
        return "*" not in self.pattern

    def matches(self, name: str) -> bool:
        return name == self.pattern if self.exact else fnmatch.fnmatchcase(name, self.pattern)

    def specificity(self) -> tuple[int, int, int]:
        return (self.exact, len(self.pattern.replace("*", "")), self.rank)


@dataclass(frozen=True)
class CategoryMap:
    categories: Mapping[str, Category]
    rules: tuple[FieldRule, ...] = ()
    _cache: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def category_of(self, entity: str, field_name: str) -> Category:
        return self.categories.get(self.category_id(entity, field_name), UNCATEGORISED_CATEGORY)

    def category_id(self, entity: str, field_name: str) -> str:
        name = f"{entity}.{field_name}"
        found = self._cache.get(name)
        if found is None:
            matching = [r for r in self.rules if r.matches(name)]
            best = max(matching, key=FieldRule.specificity, default=None)
            found = best.category if best and best.category in self.categories else UNCATEGORISED
            self._cache[name] = found
        return found

    def known(self, category_id: str) -> bool:
        return category_id in self.categories or category_id == UNCATEGORISED

    def all(self) -> list[Category]:
        """Every category, the uncategorised bucket last."""
        return [*self.categories.values(), UNCATEGORISED_CATEGORY]

    def get(self, category_id: str) -> Category:
        return self.categories.get(category_id, UNCATEGORISED_CATEGORY)

    def extended(self, categories: Iterable[Category], fields: Mapping[str, str]) -> CategoryMap:
        """This map with a district's categories added (or replaced) and its field rules
        ranked above every shipped one."""
        merged = dict(self.categories)
        merged.update({c.id: c for c in categories})
        rank = max((r.rank for r in self.rules), default=0) + 1
        district = tuple(FieldRule(p, c, rank) for p, c in fields.items())
        return CategoryMap(merged, self.rules + district)


def category_from(category_id: str, data: Mapping[str, Any]) -> Category:
    """A category from its YAML mapping (shape already checked)."""
    return Category(
        id=category_id,
        title=str(data.get("title", category_id)),
        exhibit_b=tuple(data.get("exhibit_b", ())),
        personal=bool(data.get("personal", True)),
        description=" ".join(str(data.get("description", "")).split()),
    )


@functools.cache
def shipped() -> CategoryMap:
    """The categories and field mapping passport ships."""
    text = resources.files("passport.privacy").joinpath("categories.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    categories = {cid: category_from(cid, spec) for cid, spec in data["categories"].items()}
    rules = tuple(FieldRule(p, c) for p, c in data["fields"].items())
    return CategoryMap(categories, rules)
