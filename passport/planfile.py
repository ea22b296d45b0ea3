"""Saved plans on disk: written atomically, read back with their integrity checked.

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
from passport.model import PLAN_FORMAT_VERSION, Fingerprint
from passport.render.json_plan import checksum


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
