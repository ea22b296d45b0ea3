"""Which activation files a command means: a name (`canvas`), a file, or a folder."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from passport.config.paths import did_you_mean
from passport.errors import ConfigError, Problem

SUFFIXES = (".yaml", ".yml")


def activation_files(folder: Path) -> list[Path]:
    """The *.yaml and *.yml files directly in `folder`, by name (hidden files skipped)."""
    return sorted(
        path
        for path in folder.iterdir()
        if path.suffix in SUFFIXES and path.is_file() and not path.name.startswith(".")
    )


def find_one(item: str | Path, configs_dir: str | Path = "configs") -> list[Path]:
    """The files `item` names. Raises ConfigError with a Problem naming `item`."""
    path = Path(item)
    bare_name = path.suffix not in SUFFIXES and len(path.parts) == 1
    if bare_name:
        # A name wins over a folder of the same name in the current directory
        # (`passport plan lms` next to the lms/ bundle means configs/lms.yaml).
        named = _named(str(item), Path(configs_dir))
        if named is not None:
            return [named]
    if path.is_dir():
        try:
            found = activation_files(path)
        except OSError as error:
            raise _error(str(path), f"cannot read the folder: {error.strerror}") from None
        if not found:
            raise _error(str(path), "has no activation files (*.yaml, *.yml)")
        return found
    if path.exists():
        return [path]
    if bare_name:
        return [_by_name(str(item), Path(configs_dir))]
    raise _error(str(path), "no such file or folder")


def _named(name: str, configs_dir: Path) -> Path | None:
    for suffix in SUFFIXES:
        candidate = configs_dir / f"{name}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def _by_name(name: str, configs_dir: Path) -> Path:
    named = _named(name, configs_dir)
    if named is not None:
        return named
    known = [p.stem for p in activation_files(configs_dir)] if configs_dir.is_dir() else []
    message = f"no activation named '{name}' in {configs_dir}/{did_you_mean(name, known)}"
    raise _error("", message)


def _error(file: str, message: str) -> ConfigError:
    problem = Problem(file, message)
    return ConfigError(str(problem), problems=(problem,))


def find_activations(
    names_or_paths: Iterable[str | Path], configs_dir: str | Path = "configs"
) -> list[Path]:
    """Every activation file meant, in order, each once. Nothing given: all of `configs_dir`.

    Raises ConfigError listing every name or path that matches nothing."""
    items = list(names_or_paths) or [configs_dir]
    found: list[Path] = []
    problems: list[Problem] = []
    for item in items:
        try:
            found += find_one(item, configs_dir)
        except ConfigError as error:
            problems += error.problems
    if problems:
        reason = str(problems[0]) if len(problems) == 1 else "some activations were not found"
        raise ConfigError(reason, problems=tuple(problems))
    return dedupe(found)


def dedupe(paths: Iterable[Path]) -> list[Path]:
    seen: set[Path] = set()
    unique = []
    for path in paths:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique
