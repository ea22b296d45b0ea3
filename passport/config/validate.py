"""Validate activation files: YAML, then the JSON Schema, then semantic checks, all at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from passport.config.build import build_activation
from passport.config.checks import semantic_problems
from passport.config.delivery import is_secret_path
from passport.config.discover import dedupe, find_one
from passport.config.district import load_district
from passport.config.document import Document, load_document
from passport.config.privacy_checks import privacy_problems, read_agreement
from passport.config.schema import activation_schema, schema_problems
from passport.connectors import registry
from passport.errors import ConfigError, Problem
from passport.model import Activation, Agreement


@dataclass(frozen=True)
class FileResult:
    """One file's problems (errors and warnings) and, when it has no errors, its activation."""

    file: str
    problems: tuple[Problem, ...] = ()
    activation: Activation | None = None
    name: str | None = None
    name_at: tuple[int, int] = (0, 0)
    # The activation as built even when the privacy checks then failed (it sends more
    # than its agreement allows): the privacy report still shows what it would send.
    built: Activation | None = None

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class Report:
    """What `validate_paths` found: per file, plus problems that belong to no file."""

    results: tuple[FileResult, ...] = ()
    unmatched: tuple[Problem, ...] = ()  # names or paths that matched no file

    @property
    def problems(self) -> tuple[Problem, ...]:
        """Each problem once (files validated together can share an agreement file)."""
        found = self.unmatched + tuple(p for r in self.results for p in r.problems)
        return tuple(dict.fromkeys(found))

    @property
    def activations(self) -> tuple[Activation, ...]:
        return tuple(r.activation for r in self.results if r.activation)

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if not p.is_error)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        """`2 files valid, 1 with errors (3 errors, 1 warning)`."""
        valid = sum(1 for r in self.results if r.ok)
        invalid = len(self.results) - valid
        text = f"{valid} {_plural(valid, 'file')} valid"
        if invalid:
            text += f", {invalid} with errors"
        counts = [
            f"{n} {_plural(n, word)}"
            for n, word in ((len(self.errors), "error"), (len(self.warnings), "warning"))
            if n
        ]
        return f"{text} ({', '.join(counts)})" if counts else text


def _plural(count: int, word: str) -> str:
    return word if count == 1 else f"{word}s"


def check_file(path: str | Path, today: dt.date | None = None) -> FileResult:
    """Every problem of one activation file, and the activation when there is no error."""
    path = Path(path)
    try:
        doc = load_document(path)
    except ConfigError as error:
        return FileResult(str(path), error.problems)
    problems = schema_problems(
        doc, doc.data, activation_schema(), secret=lambda p: is_secret_path(p, None)
    )
    day = today or dt.date.today()
    problems += semantic_problems(doc, path.stem, day)
    policy, district_problems = load_district(path.parent)
    problems += district_problems
    agreement, agreement_problems = read_agreement(doc, policy)
    problems += agreement_problems
    name = doc.data.get("name")
    result = FileResult(
        str(path),
        _ordered(doc, problems),
        name=name if isinstance(name, str) else None,
        name_at=doc.locate(("name",)),
    )
    if not result.ok:
        return result
    activation = _build(doc, agreement)
    problems += privacy_problems(doc, activation, policy, day)
    result = replace(result, problems=_ordered(doc, problems), built=activation)
    return replace(result, activation=activation) if result.ok else result


def _build(doc: Document, agreement: Agreement | None) -> Activation:
    app = registry.get(doc.data["application"])
    return build_activation(doc.data, app, doc.file, agreement)


def _ordered(doc: Document, problems: list[Problem]) -> tuple[Problem, ...]:
    """The file's own problems in file order, then those of the files it names."""

    def position(problem: Problem) -> tuple[bool, str, int, int, str, str]:
        other = problem.file != doc.file
        return (other, problem.file, problem.line, problem.col, problem.path, problem.message)

    return tuple(sorted(dict.fromkeys(problems), key=position))


def validate_paths(
    paths: Iterable[str | Path], configs_dir: str | Path = "configs", today: dt.date | None = None
) -> Report:
    """Validate files, folders or activation names together (nothing given: `configs_dir`).

    Also checks that activation names are unique across the files."""
    found: list[Path] = []
    unmatched: list[Problem] = []
    for item in list(paths) or [configs_dir]:
        try:
            found += find_one(item, configs_dir)
        except ConfigError as error:
            unmatched += error.problems
    results = [check_file(path, today) for path in dedupe(found)]
    return Report(tuple(_unique_names(results)), tuple(unmatched))


def _unique_names(results: list[FileResult]) -> list[FileResult]:
    first: dict[str, str] = {}
    checked = []
    for result in results:
        if result.name and result.name in first:
            line, col = result.name_at
            message = f"the name '{result.name}' is already used by {first[result.name]}"
            problem = Problem(result.file, message, line, col, "name")
            result = replace(result, problems=(*result.problems, problem), activation=None)
        elif result.name:
            first[result.name] = result.file
        checked.append(result)
    return checked


def load_activation(path: str | Path, today: dt.date | None = None) -> Activation:
    """Load and check one activation file. Raises ConfigError listing every problem."""
    result = check_file(path, today)
    if result.activation is None:
        count = len(result.errors)
        raise ConfigError(
            f"{result.file} is not a valid activation ({count} {_plural(count, 'error')})",
            hint=f"run `passport validate {result.file}`",
            problems=result.problems,
        )
    return result.activation
