"""Saved plans on disk: where they go, written atomically, read back with their integrity
checked.

A saved plan is the JSON plan. `apply FILE` does not trust its change list: it re-reads
both sides, recomputes the plan and applies it only if the fingerprint is unchanged, so
an edited file cannot make apply do anything a fresh plan would not. The checksum turns a
truncated or hand-edited file into a clear error instead of a confusing one.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from passport.errors import PlanError
from passport.model import PLAN_FORMAT_VERSION, Fingerprint, Plan
from passport.planfile.document import checksum, to_json

# A file named like a rendering is a mistake for a saved plan: `--report` writes those.
REPORT_SUFFIXES = {".html": "HTML", ".htm": "HTML", ".md": "Markdown", ".markdown": "Markdown"}


@dataclass(frozen=True)
class SavedPlan:
    path: Path
    activation: str
    fingerprint: Fingerprint
    checksum: str
    body: dict[str, Any]


def write_plan(path: Path, data: bytes) -> None:
    folder = path.parent if str(path.parent) else Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def save_plan(path: Path, plan: Plan) -> Path:
    """Write `plan` as a saved plan (personal data left out) to `path`."""
    write_plan(path, to_json(plan))
    return path


@dataclass(frozen=True)
class SaveTo:
    """Where `--out` saves plans: one file, or NAME.json files in a folder."""

    out: Path
    folder: bool

    def path(self, activation: str) -> Path:
        return self.out / f"{activation}.json" if self.folder else self.out


def save_to(out: Path, count: int) -> SaveTo:
    """Where the saved plans of `count` activations go for `--out OUT`: OUT itself for one,
    OUT/NAME.json when several are planned or OUT is a folder. Refuses, before anything is
    planned, a target that cannot hold them."""
    kind = REPORT_SUFFIXES.get(out.suffix.lower())
    if kind:
        raise PlanError(
            f"--out {out}: --out saves the plan that `passport apply` takes, always as JSON; "
            f"it does not write {kind}",
            f"write the {kind} rendering with --report {out}, and save the plan with "
            "--out plan.json (or --out FOLDER)",
        )
    if count > 1 and (out.suffix.lower() == ".json" or out.is_file()):
        raise PlanError(
            f"--out {out}: {count} activations are planned; name a folder",
            "e.g. --out plans: each plan is saved as plans/NAME.json",
        )
    return SaveTo(out, count > 1 or out.is_dir())


def _refuse(path: Path, why: str) -> PlanError:
    return PlanError(
        f"{path}: not a usable saved plan: {why}",
        "make a new one with `passport plan ACTIVATION --out FILE`",
    )


def read_plan(path: Path) -> SavedPlan:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise PlanError(f"cannot read saved plan {path}: {error.strerror or error}") from None
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise _refuse(path, "it is not complete JSON (truncated or damaged)") from None
    if not isinstance(body, dict):
        raise _refuse(path, "it is not a passport plan")
    if body.get("format_version") != PLAN_FORMAT_VERSION:
        raise _refuse(path, f"unknown format_version {body.get('format_version')!r}")
    stated = body.get("checksum")
    if not isinstance(stated, str) or stated != checksum(body):
        raise _refuse(path, "its checksum does not match its content (edited or damaged)")
    try:
        prints = body["fingerprint"]
        fingerprint = Fingerprint(prints["config"], prints["store"], prints["app"])
        activation = str(body["activation"])
    except (KeyError, TypeError):
        raise _refuse(path, "it lacks the activation or the fingerprint") from None
    return SavedPlan(path, activation, fingerprint, stated, body)
