"""Reading a `${file:PATH}` secret: confined to known folders, bounded, regular files only.

A pull request can change a secret reference, so what one may name is limited, after
resolving symlinks and `..`:

- under the activation's folder, passport's own folder (`$XDG_CONFIG_HOME/passport`,
  by default `~/.config/passport`, where `passport login` keeps refresh tokens), or a
  folder named in `PASSPORT_SECRETS_DIR` (several separated by `os.pathsep`);
- never under /proc, /dev or /sys, whatever the setting says (`/proc/self/environ` is the
  whole CI environment);
- a regular file (a FIFO would block, a device never ends), at most
  `PASSPORT_MAX_SECRET_BYTES` (64 KiB by default: `${file:/dev/zero}` is an error, not an
  out-of-memory kill).

Each refusal is a SecretError that names the reference and the place, never the content.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from passport import limits
from passport.errors import SecretError

DIRS_SETTING = "PASSPORT_SECRETS_DIR"
NEVER = (Path("/proc"), Path("/dev"), Path("/sys"))
_PLACE_HINT = (
    f"keep the secret in a file under the activation's folder or ~/.config/passport, or "
    f"name its folder in {DIRS_SETTING} (folders separated by '{os.pathsep}')"
)
_KINDS = {
    stat.S_IFIFO: "a FIFO",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a folder",
}


def read_secret_file(ref: str, base_dir: Path, target: str) -> str:
    """The text of the file `target` names (relative to `base_dir`, the activation's
    folder), one trailing newline stripped."""
    path = Path(target).expanduser()
    if not path.is_absolute():
        path = base_dir / path
    data = _read_regular(ref, _confined(ref, path, base_dir))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SecretError(f"{ref}: cannot read {path}: not UTF-8 text") from None
    if text.endswith("\r\n"):
        text = text[:-2]
    elif text.endswith("\n"):
        text = text[:-1]
    if not text:
        raise SecretError(f"{ref}: the file {path} is empty")
    return text


def _confined(ref: str, path: Path, base_dir: Path) -> Path:
    """Where `path` leads, once it is known to be a place a secret may be read from.
    Judged before it is known whether the file exists, so a refusal never tells whether
    something exists where a reference may not point."""
    _check_never(ref, path, Path(os.path.abspath(path)))
    leads_to = Path(os.path.realpath(path))
    _check_never(ref, path, leads_to)
    _check_place(ref, path, leads_to, base_dir)
    resolved = _resolved(ref, path)
    if resolved != leads_to:  # a link changed in between
        _check_never(ref, path, resolved)
        _check_place(ref, path, resolved, base_dir)
    return resolved


def own_dir() -> Path:
    """passport's own folder for the secrets it writes (the tokens of `passport login`)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "passport"


def allowed_dirs(base_dir: Path) -> list[Path]:
    """The folders a secret file may be under: the activation's, passport's own, then the
    setting's."""
    found = [Path(os.path.realpath(base_dir)), Path(os.path.realpath(own_dir()))]
    for entry in os.environ.get(DIRS_SETTING, "").split(os.pathsep):
        if entry.strip():
            found.append(Path(os.path.realpath(Path(entry.strip()).expanduser())))
    return found


def _resolved(ref: str, path: Path) -> Path:
    try:
        return Path(os.path.realpath(path, strict=True))
    except FileNotFoundError:
        raise SecretError(f"{ref}: no such file {path}") from None
    except OSError as error:
        raise SecretError(f"{ref}: cannot read {path}: {error.strerror or error}") from None


def _shown(path: Path, resolved: Path) -> str:
    return str(path) if resolved == path else f"{path} (which resolves to {resolved})"


def _check_never(ref: str, path: Path, resolved: Path) -> None:
    for never in NEVER:
        if resolved.is_relative_to(never):
            raise SecretError(
                f"{ref}: {_shown(path, resolved)} is under {never}: secrets are never read "
                "from /proc, /dev or /sys",
                hint=_PLACE_HINT,
            )


def _check_place(ref: str, path: Path, resolved: Path, base_dir: Path) -> None:
    folders = allowed_dirs(base_dir)
    if not any(resolved.is_relative_to(folder) for folder in folders):
        named = ", ".join(str(f) for f in folders)
        raise SecretError(
            f"{ref}: {_shown(path, resolved)} is outside the folders secrets may be read "
            f"from ({named})",
            hint=_PLACE_HINT,
        )


def _read_regular(ref: str, path: Path) -> bytes:
    """The file's bytes, read without blocking on a FIFO or following a late symlink,
    and never more than the limit."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    limit = limits.MAX_SECRET_BYTES
    try:
        handle = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        raise SecretError(f"{ref}: cannot read {path}: {error.strerror or error}") from None
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode):
            kind = _KINDS.get(stat.S_IFMT(info.st_mode), "not a regular file")
            raise SecretError(
                f"{ref}: {path} is {kind}, not a regular file",
                hint="point the reference at a file that holds only the secret",
            )
        most = limit.value()
        data = _read_at_most(handle, most + 1)
    finally:
        os.close(handle)
    if len(data) > most:
        raise SecretError(
            f"{ref}: {path} is larger than the {limits.size_text(most)} a secret file may be "
            f"({limit.name})",
            hint=f"point the reference at a file that holds only the secret, or raise {limit.name}",
        )
    return data


def _read_at_most(handle: int, size: int) -> bytes:
    chunks: list[bytes] = []
    left = size
    while left > 0:
        chunk = os.read(handle, min(left, 1 << 16))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
