"""Secret references: `${env:NAME}` and `${file:PATH}`, resolved only when a connection opens.

A configuration never holds a secret's value, only a reference to where it lives.
Errors name the reference (which is not secret), never the value it resolves to.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from passport.errors import SecretError
from passport.secret_files import read_secret_file

_REFERENCE = re.compile(r"^\$\{(?P<kind>env|file):(?P<target>[^{}]+)\}$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# A delivery key whose name contains one of these holds a secret, whatever the application says.
SECRET_WORDS = ("secret", "password", "token", "key")


def is_reference(value: object) -> bool:
    """True for a well-formed `${env:NAME}` or `${file:PATH}`."""
    if not isinstance(value, str):
        return False
    match = _REFERENCE.match(value)
    if not match:
        return False
    return match["kind"] == "file" or bool(_ENV_NAME.match(match["target"]))


def looks_secret(name: str) -> bool:
    """True when a setting's name says it holds a secret (client_secret, api_key, ...)."""
    lowered = name.lower()
    return any(word in lowered for word in SECRET_WORDS)


def resolve(ref: str, base_dir: str | Path) -> str:
    """The value a reference points at. `${file:...}` is relative to `base_dir`;
    one trailing newline is stripped."""
    match = _REFERENCE.match(ref) if isinstance(ref, str) else None
    if not match or not is_reference(ref):
        raise SecretError(
            "a secret setting holds something that is not a reference",
            hint="write ${env:NAME} or ${file:PATH}",
        )
    if match["kind"] == "env":
        return _from_env(ref, match["target"])
    return _from_file(ref, Path(base_dir), match["target"])


def _from_env(ref: str, name: str) -> str:
    value = os.environ.get(name)
    if value is None:
        raise SecretError(
            f"{ref}: the environment variable {name} is not set",
            hint=f"export {name} where passport runs (in a pipeline: a CI secret)",
        )
    if not value:
        raise SecretError(f"{ref}: the environment variable {name} is empty")
    return value


def _from_file(ref: str, base_dir: Path, target: str) -> str:
    """Confined to the activation's folder and PASSPORT_SECRETS_DIR, bounded in size,
    regular files only: see `passport.secret_files`."""
    return read_secret_file(ref, base_dir, target)


def is_secret_field(name: str, secret_fields: Collection[str], url_fields: Collection[str]) -> bool:
    """A declared secret, or a name that says so (URLs excepted: `token_url` is no secret)."""
    return name in secret_fields or (name not in url_fields and looks_secret(name))


def secret_settings(
    delivery: Mapping[str, Any], secret_fields: Collection[str], url_fields: Collection[str] = ()
) -> dict[str, str]:
    """The delivery settings that hold a secret reference: name -> reference."""
    return {
        name: value
        for name, value in delivery.items()
        if is_secret_field(name, secret_fields, url_fields) and isinstance(value, str)
    }


def resolve_delivery(
    delivery: Mapping[str, Any],
    secret_fields: Collection[str],
    base_dir: str | Path,
    url_fields: Collection[str] = (),
) -> dict[str, Any]:
    """A copy of `delivery` with every secret setting's reference replaced by its value."""
    resolved = dict(delivery)
    for name, ref in secret_settings(delivery, secret_fields, url_fields).items():
        resolved[name] = resolve(ref, base_dir)
    return resolved


Setting = tuple[str, ...]  # where a reference is written: ("delivery", "client_secret")


@dataclass(frozen=True)
class Unresolved:
    """A reference that does not resolve, where it is written, and why (never a value)."""

    setting: Setting
    reference: str
    error: SecretError


def unresolved(references: Mapping[Setting, str], base_dir: str | Path) -> list[Unresolved]:
    """Every reference of `references` that does not resolve, in order: all of them at
    once, not the first. A value that does resolve is dropped on the spot."""
    found = []
    for setting, ref in references.items():
        try:
            resolve(ref, base_dir)
        except SecretError as error:
            found.append(Unresolved(setting, ref, error))
    return found


def what_to_do(missing: Collection[Unresolved]) -> str:
    """One hint for many unresolved references: the variables to set, the files to make."""
    matches = _matches(missing)
    names = sorted({m["target"] for m in matches if m["kind"] == "env"})
    steps = []
    if names:
        steps.append(f"export {', '.join(names)} where passport runs (in a pipeline: CI secrets)")
    if any(m["kind"] == "file" for m in matches):
        # A file refused where it is (under /proc, outside the secrets folders, too big)
        # has its own hint; one that is merely missing is to be made.
        own = [x.error.hint for x in missing if x.error.hint and "${file:" in x.reference]
        steps += list(dict.fromkeys(own)) or ["create the files named above, readable by passport"]
    return "; ".join(steps) or "write each secret setting as ${env:NAME} or ${file:PATH}"


def _matches(missing: Collection[Unresolved]) -> list[re.Match[str]]:
    return [m for m in (_REFERENCE.match(x.reference) for x in missing) if m is not None]
