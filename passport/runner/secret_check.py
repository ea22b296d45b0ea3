"""Every secret reference of an activation, checked before anything is connected."""

from __future__ import annotations

from pathlib import Path

from passport import secrets
from passport.config.document import Document, load_document
from passport.config.paths import format_path
from passport.connectors import registry
from passport.errors import PassportError, Problem, SecretError
from passport.model import Activation, Mode


def secret_references(activation: Activation) -> dict[secrets.Setting, str]:
    """Every secret reference planning the activation resolves: its delivery secrets, and
    the Privacy Shield's key when it exports (as `outgoing_transform` does)."""
    app = registry.get(activation.application)
    found = secrets.secret_settings(activation.delivery, app.secret_fields, app.url_fields)
    refs: dict[secrets.Setting, str] = {("delivery", k): v for k, v in found.items()}
    shield = activation.shield
    if shield.enabled and activation.mode is not Mode.IMPORT and shield.key:
        refs[("privacy_shield", "key")] = shield.key
    return refs


def check_secrets(activation: Activation) -> None:
    """Raise one SecretError naming every reference of the activation that does not
    resolve, each at its file:line:col and setting. Nothing is connected to find out."""
    base_dir = Path(activation.source).parent if activation.source else Path(".")
    missing = secrets.unresolved(secret_references(activation), base_dir)
    if not missing:
        return
    where = _document(activation.source)
    problems = tuple(_located(where, activation.source, m) for m in missing)
    count = (
        "1 secret reference does" if len(missing) == 1 else f"{len(missing)} secret references do"
    )
    raise SecretError(
        f"{activation.source or activation.name}: {count} not resolve; nothing was connected",
        secrets.what_to_do(missing),
        problems,
    )


def _document(source: str) -> Document | None:
    try:
        return load_document(Path(source)) if source else None
    except PassportError:
        return None  # it loaded a moment ago; without marks the problems still name it


def _located(where: Document | None, source: str, missing: secrets.Unresolved) -> Problem:
    line, col = where.locate(missing.setting) if where is not None else (0, 0)
    return Problem(source, missing.error.reason, line, col, format_path(missing.setting))
