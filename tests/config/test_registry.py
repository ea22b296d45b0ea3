"""The gallery registry: entry points (built-ins' and plugins'), registration, lazy connector
import. A third-party application's whole journey is in tests/plugins/test_roster_jsonl.py."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from passport.config import load_activation
from passport.connectors import oneroster_csv, oneroster_rest, registry
from passport.connectors.base import Application, Capabilities, ConnectContext
from passport.errors import ConfigError
from passport.model import Mode
from passport.oneroster import ENTITIES

CONFIGS = Path(__file__).parents[2] / "configs"


def fake(name: str = "fake-app", **kwargs: Any) -> Application:
    settings: dict[str, Any] = {
        "title": "Fake",
        "summary": "A test application.",
        "delivery_schema": {"type": "object", "properties": {"url": {"type": "string"}}},
        "capabilities": Capabilities(
            reads=frozenset(ENTITIES), writes=frozenset(), accepts_masked=False
        ),
        "factory": "passport_no_such_module:connect",
    }
    settings.update(kwargs)
    return Application(name=name, **settings)


@pytest.fixture
def registered() -> Iterator[Application]:
    app = registry.register(fake())
    yield app
    registry.unregister(app.name)


def test_builtins() -> None:
    rest = registry.get("oneroster-rest")
    assert rest.secret_fields == {"client_id", "client_secret"}
    assert rest.url_fields == {"service_url", "auth_url"}
    assert rest.capabilities.delta_reads and rest.capabilities.accepts_masked
    assert rest.capabilities.reads == rest.capabilities.writes == frozenset(ENTITIES)
    assert rest.factory == "passport.connectors.oneroster_rest.connector:connect"
    csv = registry.get("oneroster-csv")
    assert csv.capabilities.atomic_writes and csv.capabilities.accepts_masked
    assert csv.factory == "passport.connectors.oneroster_csv.connector:connect"
    assert csv.modes() == (Mode.IMPORT, Mode.EXPORT, Mode.TWO_WAY)


def test_builtins_register_through_entry_points_like_a_third_party() -> None:
    own = {
        entry.name: entry.value
        for entry in metadata.entry_points(group=registry.ENTRY_POINT_GROUP)
        if entry.dist is not None and entry.dist.name == "passport"
    }
    assert own == {
        "oneroster-csv": "passport.connectors.oneroster_csv:APPLICATION",
        "oneroster-rest": "passport.connectors.oneroster_rest:APPLICATION",
        "google-workspace": "passport.connectors.google_workspace:APPLICATION",
    }
    assert registry.get("oneroster-csv") is oneroster_csv.APPLICATION
    assert registry.get("oneroster-rest") is oneroster_rest.APPLICATION


def test_a_built_in_description_opens_its_connector(tmp_path: Path) -> None:
    connector = oneroster_csv.APPLICATION.connect(
        {"path": str(tmp_path / "bundle")}, ConnectContext(base_dir=".", mode="export")
    )
    try:
        assert type(connector).__name__ == "CsvConnector"
    finally:
        connector.close()


_LIGHT = (
    "import sys\n"
    "def heavy():\n"
    "    light = {'base', 'registry', 'application'}\n"
    "    return sorted(name for name, module in sys.modules.items() if name == 'httpx' or (\n"
    "        name.startswith('passport.connectors.') and not hasattr(module, '__path__')\n"
    "        and name.rpartition('.')[2] not in light))\n"
)


def _run(program: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", _LIGHT + program], capture_output=True, text=True, check=True
    )
    return done.stdout.splitlines()


def test_validating_imports_no_connector() -> None:
    """Validation loads every application's description, never a connector's modules."""
    program = (
        "from passport.config import validate_paths\n"
        f"assert validate_paths([{str(CONFIGS)!r}]).ok\n"
        "print('heavy:', heavy())\n"
    )
    assert _run(program) == ["heavy: []"]
    assert "oneroster-rest" in registry.applications()  # its description was loaded


def test_passport_validate_imports_no_httpx() -> None:
    program = (
        "from passport.cli import main\n"
        "try:\n"
        f"    main(['validate', {str(CONFIGS)!r}])\n"
        "except SystemExit as done:\n"
        "    assert done.code == 0, done.code\n"
        "print('httpx' in sys.modules)\n"
    )
    assert _run(program)[-1] == "False"


def test_unknown_names_list_the_known_ones() -> None:
    with pytest.raises(ConfigError) as raised:
        registry.get("oneroster-restt")
    assert raised.value.reason == (
        "unknown application 'oneroster-restt' (did you mean 'oneroster-rest'?);"
        " known: google-workspace, oneroster-csv, oneroster-rest, roster-jsonl"
    )


def test_register_adds_to_the_gallery(registered: Application) -> None:
    assert registry.get("fake-app") is registered
    assert registered.modes() == (Mode.IMPORT,)


def test_a_missing_connector_module_is_a_config_error(registered: Application) -> None:
    with pytest.raises(ConfigError) as raised:
        registered.connect({}, ConnectContext(base_dir="."))
    assert raised.value.reason == "the fake-app connector is not available in this version"


def test_a_missing_factory_function_is_a_config_error() -> None:
    app = fake(factory="passport.model:no_such_function")
    with pytest.raises(ConfigError, match="not available in this version"):
        app.factory_function()


def test_connect_resolves_secrets_and_passes_the_base_dir(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: dict[str, Any] = {}
    sentinel: Any = object()

    def factory(delivery: dict[str, Any], context: ConnectContext) -> Any:
        seen.update(delivery=delivery, base_dir=context.base_dir)
        return sentinel

    monkeypatch.setenv("CANVAS_CLIENT_ID", "id-1")
    monkeypatch.setenv("CANVAS_CLIENT_SECRET", "secret-1")
    monkeypatch.setattr(Application, "factory_function", lambda self: factory)
    activation = load_activation(CONFIGS / "canvas.yaml")
    assert registry.connect(activation) is sentinel
    assert seen["delivery"]["client_secret"] == "secret-1"
    assert seen["delivery"]["client_id"] == "id-1"
    assert seen["base_dir"] == str(CONFIGS)
    assert activation.delivery["client_secret"] == "${env:CANVAS_CLIENT_SECRET}"


class _Dist:
    def __init__(self, name: str) -> None:
        self.name = name


class _EntryPoint:
    def __init__(self, name: str, obj: object, dist: str = "some-plugin") -> None:
        self.name, self.value, self.obj = name, f"plugin:{name}", obj
        self.dist = _Dist(dist)

    def load(self) -> object:
        if isinstance(self.obj, Exception):
            raise self.obj
        return self.obj


@pytest.fixture
def entry_points(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[_EntryPoint]]:
    """The entry points the registry sees: only those a test puts in this list."""
    points: list[_EntryPoint] = []

    def listed(group: str) -> list[_EntryPoint]:
        assert group == "passport.applications"
        return points

    monkeypatch.setattr(metadata, "entry_points", listed)
    registry._entry_points.cache_clear()
    yield points
    registry._entry_points.cache_clear()


def test_entry_point_plugins(entry_points: list[_EntryPoint]) -> None:
    entry_points += [
        _EntryPoint("good", fake("plugin-app")),
        _EntryPoint("broken", ImportError("no module named plugin")),
        _EntryPoint("wrong", object()),
    ]
    assert registry.get("plugin-app").title == "Fake"
    with pytest.raises(ConfigError) as raised:
        registry.get("nope")
    assert raised.value.hint is not None
    assert "broken: ImportError: no module named plugin" in raised.value.hint
    assert "wrong: plugin:wrong is not an Application" in raised.value.hint
    assert "passport's own applications are not registered: reinstall passport" in (
        raised.value.hint
    )


def test_a_plugin_cannot_take_over_a_built_in_name(entry_points: list[_EntryPoint]) -> None:
    entry_points += [
        _EntryPoint("impostor", fake("oneroster-csv", title="Impostor")),
        _EntryPoint("oneroster-csv", fake("oneroster-csv", title="Own"), dist="passport"),
    ]
    assert registry.get("oneroster-csv").title == "Own"
    with pytest.raises(ConfigError) as raised:
        registry.get("nope")
    assert raised.value.hint == (
        "see `passport gallery`; plugins that failed to load:"
        " impostor: the name 'oneroster-csv' is already taken"
    )


def test_an_application_that_cannot_take_masks_rejects_the_shield(
    registered: Application, tmp_path: Path
) -> None:
    path = tmp_path / "masked.yaml"
    path.write_text(
        "version: 1\nname: masked\napplication: fake-app\nmode: export\n"
        "delivery: {url: x}\nschools: {auto: same-id}\nattributes: {users: all}\n"
        "privacy_shield: {enabled: true, key: '${env:K}'}\n"
    )
    with pytest.raises(ConfigError) as raised:
        load_activation(path)
    assert [str(p).removeprefix(f"{path}:") for p in raised.value.problems] == [
        "4:7: mode: fake-app cannot run in export mode (it can: import)",
        "8:27: privacy_shield.enabled: fake-app cannot take pseudonymised values",
    ]
