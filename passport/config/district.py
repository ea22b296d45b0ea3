"""The district's privacy settings: `privacy/district.yaml` inside the configs folder.

Optional. It says which modes need a privacy agreement (`require_agreement`) and adds the
district's own data-element categories and field mappings to the shipped ones. It is
read beside the activation files it governs: the folder an activation file sits in.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any, cast

from passport.config.document import Document, load_document
from passport.config.schema import schema_problems
from passport.errors import ConfigError, Problem
from passport.model import Mode
from passport.privacy.categories import category_from, shipped
from passport.privacy.policy import DISTRICT_FILE, DistrictPolicy


@functools.cache
def district_schema() -> dict[str, Any]:
    text = resources.files("passport").joinpath("schemas/privacy-district.schema.json")
    return cast(dict[str, Any], json.loads(text.read_text(encoding="utf-8")))


def district_file(configs_dir: Path) -> Path:
    return configs_dir / DISTRICT_FILE


def load_district(configs_dir: Path) -> tuple[DistrictPolicy, tuple[Problem, ...]]:
    """The district's settings for the activations in `configs_dir` (the shipped defaults
    when it has no file), and the file's problems (then the defaults are used)."""
    path = district_file(configs_dir)
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return DistrictPolicy(), ()
    return _load(path.resolve(), stamp, str(path))


@functools.lru_cache(maxsize=32)
def _load(path: Path, stamp: int, shown: str) -> tuple[DistrictPolicy, tuple[Problem, ...]]:
    try:
        doc = load_document(path)
    except ConfigError as error:
        return DistrictPolicy(), _shown(error.problems, shown)
    doc = Document(shown, doc.data, doc.values, doc.keys)
    problems = schema_problems(doc, doc.data, district_schema())
    problems += _mapping_problems(doc)
    if problems:
        return DistrictPolicy(), tuple(problems)
    return _build(doc), ()


def _shown(problems: tuple[Problem, ...], file: str) -> tuple[Problem, ...]:
    return tuple(replace(p, file=file) for p in problems)


def _mapping_problems(doc: Document) -> list[Problem]:
    fields = doc.data.get("fields")
    own = doc.data.get("categories")
    known = set(shipped().categories) | set(own if isinstance(own, Mapping) else ())
    problems = []
    for name, category in fields.items() if isinstance(fields, Mapping) else ():
        if isinstance(category, str) and category not in known:
            message = f"'{category}' is not a category here or in passport's own"
            problems.append(doc.problem(("fields", name), message))
    return problems


def _build(doc: Document) -> DistrictPolicy:
    data: Mapping[str, Any] = doc.data
    categories = [category_from(cid, spec) for cid, spec in data.get("categories", {}).items()]
    return DistrictPolicy(
        source=doc.file,
        require_agreement=frozenset(Mode(m) for m in data.get("require_agreement", [])),
        require_at=doc.locate(("require_agreement",)),
        categories=shipped().extended(categories, dict(data.get("fields", {}))),
    )
