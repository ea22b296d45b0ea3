"""The gallery: every application passport can connect to, registered explicitly.

Built-ins live in `_builtins()`; third parties add an `Application` through the entry-point
group `passport.applications`. A YAML file names an application; it never imports code.
A connector module is imported only when a connection opens, so validating a config never
needs the connector's dependencies.
"""

from __future__ import annotations

import difflib
import functools
import importlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import metadata, resources
from pathlib import Path
from typing import Any, cast

from passport import secrets
from passport.connectors.base import Capabilities, ConnectContext, Connector, Factory
from passport.errors import ConfigError
from passport.model import Activation, Mode
from passport.oneroster import ENTITIES

ENTRY_POINT_GROUP = "passport.applications"

JsonPath = tuple[str | int, ...]
# (path inside delivery, message) pairs from an application's own semantic checks.
Check = Callable[[Mapping[str, Any], Mode], list[tuple[JsonPath, str]]]


@dataclass(frozen=True)
class Application:
    name: str
    title: str
    summary: str
    delivery_schema: Mapping[str, Any]
    capabilities: Capabilities
    factory: str  # "module:function", imported on connect
    secret_fields: frozenset[str] = frozenset()
    url_fields: frozenset[str] = frozenset()
    check: Check | None = None
    # Settings whose default depends on others (filled after the schema's own defaults).
    derive: Callable[[dict[str, Any]], None] | None = None
    # Delivery settings to write into a starter activation for a mode (`passport init`).
    starter: Callable[[str, Mode], dict[str, Any]] | None = field(default=None, compare=False)

    def modes(self) -> tuple[Mode, ...]:
        can_read, can_write = bool(self.capabilities.reads), bool(self.capabilities.writes)
        found = [Mode.IMPORT] if can_read else []
        found += [Mode.EXPORT] if can_write else []
        found += [Mode.TWO_WAY] if can_read and can_write else []
        return tuple(found)

    def with_defaults(self, delivery: Mapping[str, Any]) -> dict[str, Any]:
        """`delivery` plus the schema's defaults for settings it leaves out."""
        filled = dict(delivery)
        for name, spec in self.delivery_schema.get("properties", {}).items():
            if name not in filled and isinstance(spec, Mapping) and "default" in spec:
                filled[name] = spec["default"]
        if self.derive:
            self.derive(filled)
        return filled

    def factory_function(self) -> Factory:
        module_name, _, function_name = self.factory.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name and module_name.startswith(error.name):
                raise _unavailable(self.name) from None
            raise
        function = getattr(module, function_name, None)
        if not callable(function):
            raise _unavailable(self.name)
        return cast(Factory, function)

    def connect(self, delivery: Mapping[str, Any], context: ConnectContext) -> Connector:
        """Open a connector with `delivery` whose secrets are already resolved."""
        return self.factory_function()(delivery, context)


def _unavailable(name: str) -> ConfigError:
    return ConfigError(f"the {name} connector is not available in this version")


def load_schema(name: str) -> dict[str, Any]:
    """A built-in application's delivery schema, shipped in passport/schemas/applications."""
    text = resources.files("passport").joinpath(f"schemas/applications/{name}.schema.json")
    return cast(dict[str, Any], json.loads(text.read_text(encoding="utf-8")))


def _rest_auth(delivery: Mapping[str, Any]) -> str:
    auth = delivery.get("auth")
    if isinstance(auth, str):
        return auth
    return "oauth1" if delivery.get("version") == "1.1" else "oauth2"


def _rest_derive(delivery: dict[str, Any]) -> None:
    delivery.setdefault("auth", _rest_auth(delivery))


def _rest_check(delivery: Mapping[str, Any], mode: Mode) -> list[tuple[JsonPath, str]]:
    found: list[tuple[JsonPath, str]] = []
    if _rest_auth(delivery) == "oauth2" and "auth_url" not in delivery:
        found.append(((), "'auth_url' is required for oauth2 (the token endpoint)"))
    if mode != Mode.IMPORT and delivery.get("write") is not True:
        found.append(
            (("write",), f"mode {mode} writes to the application: set write: true")
            if "write" in delivery
            else ((), f"mode {mode} writes to the application: set write: true")
        )
    return found


def _rest_starter(name: str, mode: Mode) -> dict[str, Any]:
    prefix = name.upper().replace("-", "_")
    return {
        "service_url": "https://sis.example.edu/ims/oneroster",
        "auth_url": "https://sis.example.edu/oauth/token",
        "client_id": f"${{env:{prefix}_CLIENT_ID}}",
        "client_secret": f"${{env:{prefix}_CLIENT_SECRET}}",
        "version": "1.2",
        "write": mode != Mode.IMPORT,
    }


def _csv_starter(name: str, mode: Mode) -> dict[str, Any]:
    folder = "imports" if mode == Mode.IMPORT else "exports"
    return {"path": f"../.passport/{folder}/{name}", "version": "1.1", "processing": "bulk"}


def _everything() -> frozenset[str]:
    return frozenset(ENTITIES)


@functools.cache
def _builtins() -> dict[str, Application]:
    rest = Application(
        name="oneroster-rest",
        title="OneRoster REST",
        summary="Any service speaking the OneRoster 1.1 or 1.2 REST API (SIS, LMS).",
        delivery_schema=load_schema("oneroster-rest"),
        capabilities=Capabilities(
            reads=_everything(), writes=_everything(), accepts_masked=True, delta_reads=True
        ),
        factory="passport.connectors.oneroster_rest:connect",
        secret_fields=frozenset({"client_id", "client_secret"}),
        url_fields=frozenset({"service_url", "auth_url"}),
        check=_rest_check,
        derive=_rest_derive,
        starter=_rest_starter,
    )
    csv = Application(
        name="oneroster-csv",
        title="OneRoster CSV bundle",
        summary="A folder or .zip of OneRoster 1.1/1.2 CSV files, read or written in bulk/delta.",
        delivery_schema=load_schema("oneroster-csv"),
        capabilities=Capabilities(
            reads=_everything(), writes=_everything(), accepts_masked=True, atomic_writes=True
        ),
        factory="passport.connectors.oneroster_csv:connect",
        starter=_csv_starter,
    )
    return {app.name: app for app in (rest, csv)}


_registered: dict[str, Application] = {}
_plugin_errors: list[str] = []


@functools.cache
def _plugins() -> dict[str, Application]:
    found: dict[str, Application] = {}
    for entry in metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            app = entry.load()
        except Exception as error:  # a broken plugin must not break unrelated configs
            _plugin_errors.append(f"{entry.name}: {type(error).__name__}: {error}")
            continue
        if isinstance(app, Application):
            found[app.name] = app
        else:
            _plugin_errors.append(f"{entry.name}: {entry.value} is not an Application")
    return found


def register(app: Application) -> Application:
    """Add an application (for tests and embedding); it shadows one of the same name."""
    _registered[app.name] = app
    return app


def unregister(name: str) -> None:
    _registered.pop(name, None)


def applications() -> dict[str, Application]:
    """Every known application by name, sorted; registered ones shadow built-ins."""
    merged = {**_builtins(), **_plugins(), **_registered}
    return dict(sorted(merged.items()))


def get(name: str) -> Application:
    known = applications()
    if name in known:
        return known[name]
    hint = "see `passport gallery`"
    if _plugin_errors:
        hint += "; plugins that failed to load: " + "; ".join(_plugin_errors)
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
    context = context or ConnectContext(base_dir=base_dir)
    delivery = secrets.resolve_delivery(
        activation.delivery, app.secret_fields, context.base_dir, app.url_fields
    )
    return app.connect(delivery, context)
