"""Activations at a git ref against the working tree, compared by meaning.

Both versions are loaded and checked as `validate` does, reduced to plain data with
every default filled in, and compared with DeepDiff: reordering a list, respelling a
default or reformatting the file says nothing; a changed setting is said in words and
checked for risk (`passport.config.risks`).
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from passport.config import gitref
from passport.config.discover import SUFFIXES, activation_files, dedupe
from passport.config.document import load_document
from passport.config.excerpt import cut
from passport.config.paths import format_path
from passport.config.privacy_risks import agreement_words, privacy_risks
from passport.config.risks import Risk, risks
from passport.config.validate import FileResult, check_file
from passport.errors import ConfigError
from passport.model import Activation, Limit
from passport.privacy.policy import DISTRICT_FILE


@dataclass(frozen=True)
class FileDiff:
    """One activation file: `added`, `removed`, `changed`, `unchanged` or `invalid`."""

    file: str
    name: str
    status: str
    changes: tuple[str, ...] = ()
    risks: tuple[Risk, ...] = ()
    problems: tuple[str, ...] = ()  # why it could not be compared


@dataclass(frozen=True)
class ConfigDiff:
    base: str
    files: tuple[FileDiff, ...]

    @property
    def risks(self) -> list[Risk]:
        return [r for f in self.files for r in f.risks]

    @property
    def invalid(self) -> list[FileDiff]:
        return [f for f in self.files if f.status == "invalid"]

    def risky(self, severity: str = "low") -> bool:
        return any(r.at_least(severity) for r in self.risks)


def diff_configs(
    base: str, paths: Sequence[str], configs_dir: str = "configs", today: dt.date | None = None
) -> ConfigDiff:
    """Compare the activations `paths` name (files, folders, names; none: `configs_dir`)."""
    gitref.check_ref(base)
    files = targets(base, paths or [configs_dir], Path(configs_dir))
    return ConfigDiff(base, tuple(compare(base, path, today) for path in files))


def targets(ref: str, items: Iterable[str], configs_dir: Path) -> list[Path]:
    """The activation files meant, in the working tree or at `ref` (a deleted file too)."""
    found: list[Path] = []
    for item in items:
        path = Path(item)
        if path.is_dir() or gitref.is_folder(ref, path):
            now = {p.name for p in activation_files(path)} if path.is_dir() else set()
            then = {n for n in gitref.names_in(ref, path) if Path(n).suffix in SUFFIXES}
            found += [path / name for name in sorted(now | then) if not name.startswith(".")]
        elif path.suffix in SUFFIXES or len(path.parts) > 1:
            found.append(path)
        else:
            found.append(_by_name(ref, item, configs_dir))
    return dedupe(found)


def _by_name(ref: str, name: str, configs_dir: Path) -> Path:
    for suffix in SUFFIXES:
        candidate = configs_dir / f"{name}{suffix}"
        if candidate.is_file() or gitref.show(ref, candidate) is not None:
            return candidate
    return configs_dir / f"{name}.yaml"


def version_at(ref: str, path: Path, today: dt.date | None) -> FileResult | None:
    text = gitref.show(ref, path)
    if text is None:
        return None
    with tempfile.TemporaryDirectory(prefix="passport-diff-") as folder:
        copy = Path(folder) / path.name  # the same name: `name` must match the file
        copy.write_text(text, encoding="utf-8")
        _copy_privacy_files(ref, path, copy)
        return check_file(copy, today)


def _copy_privacy_files(ref: str, path: Path, copy: Path) -> None:
    """The files an activation reads beside itself, as they were at `ref`: the agreement
    it names and the district's privacy settings, at the same places next to the copy."""
    named = [DISTRICT_FILE]
    try:
        data = load_document(copy).data
        named.append(str(data["privacy"]["agreement"]))
    except (ConfigError, KeyError, TypeError):
        pass
    for relative in named:
        if Path(relative).is_absolute() or ".." in Path(relative).parts:
            continue
        text = gitref.show(ref, path.parent / relative)
        if text is not None:
            target = copy.parent / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")


def compare(ref: str, path: Path, today: dt.date | None = None) -> FileDiff:
    then = version_at(ref, path, today)
    if not path.is_file():
        if then is None:
            return FileDiff(str(path), path.stem, "invalid", problems=(f"not here, nor at {ref}",))
        return FileDiff(str(path), path.stem, "removed", ("activation removed",))
    now = check_file(path, today)
    # An activation beyond its agreement is still compared (it is built, and the
    # privacy flags say what it sends beyond); any other error makes it invalid.
    head = now.activation or now.built
    if head is None:
        errors = tuple(str(p) for p in now.errors)
        return FileDiff(str(path), path.stem, "invalid", problems=errors)
    base = then.activation or then.built if then is not None else None
    if then is None:
        new = tuple(_risks(None, head))
        return FileDiff(str(path), head.name, "added", ("new activation",), new)
    if base is None:
        said = f"the version at {ref} is not a valid activation: compared as a new one"
        return FileDiff(str(path), head.name, "changed", (said,), tuple(_risks(None, head)))
    words = tuple(describe(base, head)) + tuple(agreement_words(base, head))
    status = "changed" if words else "unchanged"
    return FileDiff(str(path), head.name, status, words, tuple(_risks(base, head)))


def _risks(base: Activation | None, head: Activation) -> list[Risk]:
    return [*risks(base, head), *privacy_risks(base, head)]


# --- meaning and words ------------------------------------------------------------------


def semantic(act: Activation) -> dict[str, Any]:
    """The activation as plain data named like its YAML, every default filled in; lists
    whose order means nothing are sorted, school pairs keyed by the application's id."""
    shield = act.shield
    return {
        "name": act.name,
        "application": act.application,
        "mode": act.mode.value,
        "delivery": dict(act.delivery),
        "schools": {"map": {m.app: m.store for m in act.schools}, "auto": act.school_auto},
        "attributes": {
            e: v if isinstance(v, str) else sorted(v) for e, v in act.attributes.items()
        },
        "filters": [asdict(f) for f in act.filters],
        "export_until": act.export_until.isoformat() if act.export_until else None,
        "privacy_shield": {
            "enabled": shield.enabled,
            "level": shield.level,
            "fields": dict(shield.fields),
            "key": shield.key,
            "email_domain": shield.email_domain,
        },
        "conflicts": act.conflicts.value,
        "safety": _plain(asdict(act.safety)),
        "rollover": [_plain(asdict(w)) for w in act.rollover],
    }


def _plain(value: Any) -> Any:
    """Limits as written (`10%`, `500`), dates as ISO text, enums as their values."""
    if isinstance(value, dict):
        if set(value) == {"amount", "percent"}:
            return str(Limit(value["amount"], value["percent"]))
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return getattr(value, "value", value)


def _text(value: Any) -> str:
    return cut(json.dumps(value, ensure_ascii=False, default=str))


def describe(base: Activation, head: Activation) -> list[str]:
    """What changed from `base` to `head`, one sentence per setting, sorted by setting."""
    # Imported here: DeepDiff brings asyncio, ssl (and polars where installed) with it,
    # a third of a second that every other command would pay at start.
    from deepdiff import DeepDiff

    found = DeepDiff(semantic(base), semantic(head), ignore_order=True, view="tree")
    words: list[tuple[str, str]] = []
    for kind, levels in found.items():
        for level in levels:
            path = level.path(output_format="list")
            if kind.startswith("iterable_item"):
                where = format_path(path[:-1])
                verb = "added" if kind.endswith("added") else "removed"
                value = level.t2 if verb == "added" else level.t1
                words.append((where, f"{where}: {verb} {_text(value)}"))
            elif kind == "dictionary_item_added":
                words.append((format_path(path), f"{format_path(path)}: added {_text(level.t2)}"))
            elif kind == "dictionary_item_removed":
                where = format_path(path)
                words.append((where, f"{where}: removed (was {_text(level.t1)})"))
            else:
                where = format_path(path)
                words.append((where, f"{where}: {_text(level.t1)} → {_text(level.t2)}"))
    return [sentence for _, sentence in sorted(words)]
