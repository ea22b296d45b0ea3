"""Secret references: `${env:NAME}` and `${file:PATH}`, resolved only when a connection opens.

A configuration never holds a secret's value, only a reference to where it lives.
Errors name the reference (which is not secret), never the value it resolves to.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Mapping
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


def resolve_delivery(
    delivery: Mapping[str, Any],
    secret_fields: Collection[str],
    base_dir: str | Path,
    url_fields: Collection[str] = (),
) -> dict[str, Any]:
    """A copy of `delivery` with every secret setting's reference replaced by its value."""
    resolved = dict(delivery)
    for name, value in delivery.items():
        if is_secret_field(name, secret_fields, url_fields) and isinstance(value, str):
            resolved[name] = resolve(value, base_dir)
    return resolved
