"""Activation files as they were at a git ref, read with `git show REF:path`: no checkout,
the working tree is never touched. Paths are taken relative to the current folder."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from passport.errors import ConfigError


def _git(*args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], capture_output=True, check=False)
    except OSError as error:
        raise ConfigError(f"cannot run git: {error.strerror or error}") from None


def _relative(path: Path) -> str:
    """`REF:./path`: a path relative to the current folder, as git reads it."""
    text = Path(os.path.relpath(path)).as_posix() if path.is_absolute() else path.as_posix()
    return text if text.startswith("../") else "./" + text.removeprefix("./")


def check_ref(ref: str) -> None:
    """Raise ConfigError unless `ref` names a commit in the repository here."""
    result = _git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if result.returncode != 0:
        inside = _git("rev-parse", "--is-inside-work-tree")
        if inside.returncode != 0:
            raise ConfigError("not in a git repository", "run passport diff inside the repository")
        raise ConfigError(
            f"unknown git ref {ref!r}", "name a branch, tag or commit, e.g. origin/main or HEAD~1"
        )


def show(ref: str, path: Path) -> str | None:
    """The file's text at `ref`, or None when it did not exist there."""
    result = _git("show", f"{ref}:{_relative(path)}")
    if result.returncode != 0:
        return None
    return result.stdout.decode("utf-8", errors="replace")


def names_in(ref: str, folder: Path) -> list[str]:
    """File names directly in `folder` at `ref` (none when it did not exist there)."""
    # --full-tree: list the whole tree named, not only what lies under the current folder
    result = _git("ls-tree", "-z", "--full-tree", "--name-only", f"{ref}:{_relative(folder)}")
    if result.returncode != 0:
        return []
    return [name for name in result.stdout.decode("utf-8").split("\0") if name]


def is_folder(ref: str, path: Path) -> bool:
    result = _git("cat-file", "-t", f"{ref}:{_relative(path)}")
    return result.returncode == 0 and result.stdout.strip() == b"tree"
