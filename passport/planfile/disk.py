"""Saved plans on disk: where they go, written atomically, read back with their seal
checked.

A saved plan is the JSON plan plus its contract and seal (`passport.planfile.contract`).
`apply FILE` re-reads both sides, plans again and applies only when the fresh plan's
change set is the reviewed one, digest for digest, and its inputs have not moved.
A file whose seal does not verify with the plan key (edited, damaged, or sealed by
another store) is refused before anything is read.
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
from passport.planfile.contract import key_id, seal_ok
from passport.planfile.document import checksum, saved

# A file named like a rendering is a mistake for a saved plan: `--report` writes those.
REPORT_SUFFIXES = {".html": "HTML", ".htm": "HTML", ".md": "Markdown", ".markdown": "Markdown"}


@dataclass(frozen=True)
class SavedPlan:
    path: Path
    activation: str
    fingerprint: Fingerprint
    checksum: str
    body: dict[str, Any]

    @property
    def contract_digest(self) -> str:
        return str(self.body.get("contract", {}).get("digest", ""))

    def check_seal(self, key: bytes) -> None:
        """Refuse a file that `key` did not seal, naming why as well as it can."""
        if "seal" not in self.body or "contract" not in self.body:
            raise _refuse(
                self.path,
                "it is not sealed: `--format json` prints a plan to read; "
                "`passport plan --out FILE` saves one to apply",
            )
        if self.body.get("contract", {}).get("key_id") != key_id(key):
            raise _refuse(
                self.path,
                "it was sealed with another plan key (another store, or another PASSPORT_PLAN_KEY)",
            )
        if not seal_ok(key, self.body):
            raise _refuse(self.path, "its seal does not match its content (edited or damaged)")


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


def save_plan(path: Path, plan: Plan, key: bytes) -> Path:
    """Write `plan` as a saved plan (personal data left out), sealed with `key`, to `path`."""
    write_plan(path, orjson.dumps(saved(plan, key), option=orjson.OPT_INDENT_2) + b"\n")
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
