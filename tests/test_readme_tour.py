"""The README's short tour works as written, in order, on a fresh clone of the repository.

The repository's files are committed into a throwaway `origin`, which is cloned (so
`origin/main` exists, as on a newcomer's machine); every command of the tour's block then
runs in the clone with the installed `passport`, `apply` on a pseudo-terminal answering
its question. Each must exit as the README says.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from terminal import on_a_terminal

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PASSPORT = Path(sys.executable).with_name("passport")
SKIPPED = {".git", ".venv", ".passport", "build", "bench/out"}
# The README says so under the tour: the file `init` wrote is a new activation, a risk.
EXIT_CODES = {"diff": 2}


def tour() -> list[list[str]]:
    """The commands of the README's tour block, as words, in order."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## A short tour", 1)[1]
    block = re.search(r"^```sh\n(.*?)^```$", section, re.MULTILINE | re.DOTALL)
    assert block is not None, "the tour has no ```sh block"
    return [shlex.split(line, comments=True) for line in block[1].splitlines() if line.strip()]


def _tracked_files() -> list[str]:
    if (ROOT / ".git").exists() and shutil.which("git"):
        found = subprocess.run(
            ["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True, check=True
        )
        return [name for name in found.stdout.decode().split("\0") if name]
    return [
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*")
        if not path.is_dir()
        and not any(str(path.relative_to(ROOT)).startswith(s) for s in SKIPPED)
        and "__pycache__" not in path.parts
    ]


def fresh_clone(tmp_path: Path) -> Path:
    origin = tmp_path / "origin"
    for name in _tracked_files():
        source, target = ROOT / name, origin / name
        if not source.exists() and not source.is_symlink():
            continue  # deleted in the working tree, not yet committed
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            target.symlink_to(os.readlink(source))
        else:
            shutil.copy2(source, target)
    git = ["git", "-c", "user.name=tour", "-c", "user.email=tour@example.edu"]
    subprocess.run([*git, "init", "-q", "-b", "main", str(origin)], check=True)
    subprocess.run([*git, "-C", str(origin), "add", "-A"], check=True)
    subprocess.run([*git, "-C", str(origin), "commit", "-q", "-m", "the repository"], check=True)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(origin), str(clone)], check=True)
    return clone


def test_the_tour_is_what_the_readme_shows() -> None:
    commands = [words[1] for words in tour()]
    assert commands[0] == "gallery" and "apply" in commands and commands[-1] == "diff"
    readme = README.read_text(encoding="utf-8")
    assert "every command exits 0 but the last: `diff` exits 2" in readme


def test_every_tour_command_works_as_written_on_a_fresh_clone(tmp_path: Path) -> None:
    clone = fresh_clone(tmp_path)
    assert (clone / "configs").is_dir() and not (clone / ".passport").exists()
    env = {**os.environ, "PATH": f"{PASSPORT.parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("PASSPORT_STORE", None)
    last_run = ""
    for words in tour():
        assert words[0] == "passport", words
        args = [last_run if w == "RUN" else w for w in words[1:]]
        expected = EXIT_CODES.get(args[0], 0)
        if args[0] == "apply":
            code, printed = on_a_terminal(
                [str(PASSPORT), *args], clone, prompt="Apply these changes?", answer="y", env=env
            )
        else:
            done = subprocess.run(
                [str(PASSPORT), *args], cwd=clone, env=env, capture_output=True, text=True
            )
            code, printed = done.returncode, done.stdout + done.stderr
        assert code == expected, f"passport {' '.join(args)} exited {code}:\n{printed}"
        if args == ["history"]:
            last_run = printed.splitlines()[1].split()[0]
    assert last_run, "the tour's history listed no run"
