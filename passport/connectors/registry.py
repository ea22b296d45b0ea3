"""The gallery: lookup of the applications passport can connect to, by name.

Every application registers the same way, through the entry-point group
`passport.applications`: passport's own in its pyproject.toml, a third party in theirs. An
entry point names a light `Application` (see `passport.connectors.base`), so loading the
gallery imports no connector: a connector's module is imported only when a connection
opens. A YAML file names an application; it never imports code.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from passport import secrets
from passport.connectors.base import Application, ConnectContext, Connector
from passport.errors import ConfigError
from passport.model import Activation

ENTRY_POINT_GROUP = "passport.applications"
OWN_DISTRIBUTION = "passport"


@dataclass
class _Gallery:
    found: dict[str, Application] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)  # entry points that could not be used
    own: int = 0  # applications passport's own distribution registered


_registered: dict[str, Application] = {}


@functools.cache
def _entry_points() -> _Gallery:
    gallery = _Gallery()
    # passport's own first, so a third party cannot take over a built-in's name
    points = sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=_not_own)
    for entry in points:
        try:
            app = entry.load()
        except Exception as error:  # a broken plugin must not break unrelated configs
            gallery.errors.append(f"{entry.name}: {type(error).__name__}: {error}")
            continue
        if not isinstance(app, Application):
            gallery.errors.append(f"{entry.name}: {entry.value} is not an Application")
        elif app.name in gallery.found:
            gallery.errors.append(f"{entry.name}: the name {app.name!r} is already taken")
        else:
            gallery.found[app.name] = app
            gallery.own += not _not_own(entry)
    return gallery


def _not_own(entry: metadata.EntryPoint) -> bool:
    dist = getattr(entry, "dist", None)
    return getattr(dist, "name", None) != OWN_DISTRIBUTION


def register(app: Application) -> Application:
    """Add an application (for tests and embedding); it shadows one of the same name."""
    _registered[app.name] = app
    return app


def unregister(name: str) -> None:
    _registered.pop(name, None)


def applications() -> dict[str, Application]:
    """Every known application by name, sorted; registered ones shadow entry points."""
    merged = {**_entry_points().found, **_registered}
    return dict(sorted(merged.items()))


def get(name: str) -> Application:
    known = applications()
    if name in known:
        return known[name]
    hint = "see `passport gallery`"
    gallery = _entry_points()
    if gallery.errors:
        hint += "; plugins that failed to load: " + "; ".join(gallery.errors)
    if not gallery.own:
        hint += "; passport's own applications are not registered: reinstall passport"
    raise ConfigError(
        f"unknown application '{name}'{_did_you_mean(name, known)}; known: {', '.join(known)}",
        hint=hint,
    )


def _did_you_mean(name: str, known: Mapping[str, Application]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def connect(activation: Activation, context: ConnectContext | None = None) -> Connector:
    """Open the activation's connector, resolving its secret references now."""
    app = get(activation.application)
    base_dir = str(Path(activation.source).parent) if activation.source else "."
    context = context or ConnectContext(base_dir=base_dir, activation=activation.name)
    delivery = secrets.resolve_delivery(
        activation.delivery, app.secret_fields, context.base_dir, app.url_fields
    )
    return app.connect(delivery, context)
