"""A commented starter activation (`passport init`) that validates as written."""

from __future__ import annotations

import os
import re
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from passport.connectors import registry
from passport.connectors.base import Application
from passport.errors import ConfigError
from passport.model import Mode

_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$")
_USERS = "[role, username, givenName, familyName, email, grades, orgSourcedIds, enabledUser]"


def _scalar(value: Any) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, width=1000)
    return text.removesuffix("\n...\n").strip()


def _comment(text: str, indent: str = "") -> list[str]:
    return [f"{indent}# {line}" for line in textwrap.wrap(text, 86 - len(indent))]


def _delivery(app: Application, name: str, mode: Mode) -> list[str]:
    values = app.starter(name, mode) if app.starter else {}
    props: Mapping[str, Any] = app.delivery_schema.get("properties", {})
    lines = [f"delivery:  # how to reach {app.name}; all settings: passport gallery {app.name}"]
    for key, value in values.items():
        lines += _comment(str(props.get(key, {}).get("description", "")), "  ")
        lines.append(f"  {key}: {_scalar(value)}")
    for key, spec in props.items():
        if key not in values and "default" in spec:
            lines.append(f"  # {key}: {_scalar(spec['default'])}  (the default)")
    return lines


_ATTRIBUTES = {
    "orgs": "all",
    "academicSessions": "all",
    "courses": "all",
    "classes": "all",
    "users": _USERS,
    "enrollments": "all",
}


def _shareable(app: Application, mode: Mode) -> list[str]:
    """The entities the application can take part in for `mode`."""
    reads, writes = app.capabilities.reads, app.capabilities.writes
    able = reads if mode == Mode.IMPORT else writes if mode == Mode.EXPORT else reads & writes
    return [entity for entity in _ATTRIBUTES if entity in able]


def _body(app: Application, name: str, mode: Mode) -> list[str]:
    lines = [
        "schools:",
        "  # Application school id -> store school id, one pair per school:",
        "  # map:",
        '  #   - app: "0001"',
        "  #     store: lincoln-high",
        "  auto: same-id  # an unmapped application school keeps its id in the store",
        "attributes:  # what is shared; an entity not listed is not shared",
        *(f"  {entity}: {_ATTRIBUTES[entity]}" for entity in _shareable(app, mode)),
        "  # demographics: all  # sensitive: share only what the application needs",
    ]
    if mode != Mode.IMPORT:
        lines += ["# export_until: 2027-06-30  # after this date nothing is exported"]
    if mode != Mode.IMPORT and app.capabilities.accepts_masked:
        lines += [
            "privacy_shield:  # pseudonymise personal data on its way out",
            "  enabled: true",
            "  level: 2  # 1 familyName; 2 + givenName, email; 3 + middleName, username, ...",
            "  key: ${env:PASSPORT_SHIELD_KEY}  # keys the stable pseudonyms; never the key here",
        ]
    if mode == Mode.TWO_WAY:
        lines += ["conflicts: store-wins  # store-wins | app-wins | newest | stop"]
    return [
        *lines,
        "safety:  # apply stops when a plan would change more than this (plan reports it)",
        "  max_delete: 10%",
        "  max_update: 75%",
        "  min_existing: 10  # percent limits apply once this many records exist",
    ]


def starter_text(name: str, application: str, mode: Mode | str, folder: Path) -> str:
    """The text of a starter activation `name` for `application` in `mode`."""
    if not _NAME.match(name):
        raise ConfigError(
            f"'{name}' is not a valid activation name",
            hint="use lowercase letters, digits and dashes, like canvas or district-sis",
        )
    app = registry.get(application)
    mode = Mode(mode)
    if mode not in app.modes():
        raise ConfigError(f"{app.name} cannot run in {mode} mode")
    schema = os.path.relpath(Path.cwd() / "schemas" / "activation.schema.json", folder.resolve())
    lines = [
        f"# yaml-language-server: $schema={schema}",
        f"# {name}: {app.title}, {mode}. Started by `passport init`; check it with",
        f"#   passport validate {folder / (name + '.yaml')}",
        "# Every setting is described in docs/activation.md.",
        "version: 1",
        f"name: {name}  # the file is named after it",
        f"application: {app.name}  # {app.title}",
        f"mode: {mode}  # import: application -> store; export: store -> application; two-way",
        *_delivery(app, name, mode),
        *_body(app, name, mode),
    ]
    return "\n".join(lines) + "\n"


def write_starter(name: str, application: str, mode: Mode | str, folder: Path) -> Path:
    """Write `folder/name.yaml`; refuses to overwrite an existing file."""
    text = starter_text(name, application, mode, folder)
    path = folder / f"{name}.yaml"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise ConfigError(f"{path} already exists", hint="pick another name or edit it") from None
    except OSError as error:
        raise ConfigError(f"cannot write {path}: {error.strerror}") from None
    return path
