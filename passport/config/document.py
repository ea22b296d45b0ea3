"""A YAML file read into plain data plus the file:line:col of every key and value.

The node tree is composed with PyYAML's SafeLoader and turned into data by hand, so each
mapping key and each value keeps its position, keyed by its JSON path. Duplicate keys are
an error (not last-one-wins). Dates stay text (`2027-06-30` is the string, not a date),
so the JSON Schema sees exactly what was written.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from passport import limits
from passport.config.excerpt import MESSAGE_CHARS, cut, quoted
from passport.config.paths import JsonPath, format_path
from passport.errors import ConfigError, Problem

Mark = tuple[int, int]  # 1-based line and column

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_SCALAR_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null")
)
_MAX_NODES = 50_000  # a guard against alias bombs


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves timestamps as text."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class Document:
    file: str
    data: Any
    values: dict[JsonPath, Mark] = field(default_factory=dict)
    keys: dict[JsonPath, Mark] = field(default_factory=dict)

    def locate(self, path: JsonPath, *, key: bool = False) -> Mark:
        """Where `path` is written: its key (`key=True`, when it has one) or its value.
        A path that is not in the file (a missing setting) falls back to its parent."""
        while True:
            if key and path in self.keys:
                return self.keys[path]
            if path in self.values:
                return self.values[path]
            if not path:
                return (1, 1)
            path = path[:-1]
            key = True

    def problem(
        self, path: JsonPath, message: str, *, key: bool = False, severity: str = "error"
    ) -> Problem:
        line, col = self.locate(path, key=key)
        return Problem(
            self.file, cut(message, MESSAGE_CHARS), line, col, format_path(path), severity
        )


class _Builder:
    def __init__(self, file: str, loader: _Loader) -> None:
        self.file = file
        self.loader = loader
        self.values: dict[JsonPath, Mark] = {}
        self.keys: dict[JsonPath, Mark] = {}
        self.problems: list[Problem] = []
        self.count = 0
        self.active: set[int] = set()

    def fail(self, node: yaml.Node, message: str, path: JsonPath = ()) -> None:
        line, col = _mark(node)
        text = cut(message, MESSAGE_CHARS)
        self.problems.append(Problem(self.file, text, line, col, format_path(path)))

    def build(self, node: yaml.Node, path: JsonPath) -> Any:
        self.count += 1
        if self.count > _MAX_NODES:
            raise _TooLarge
        self.values.setdefault(path, _mark(node))
        if id(node) in self.active:
            self.fail(node, "a recursive alias cannot be used here", path)
            return None
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path)
            if isinstance(node, yaml.SequenceNode):
                return self._sequence(node, path)
            return self._scalar(node, path)
        finally:
            self.active.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, path: JsonPath) -> dict[str, Any]:
        if node.tag != "tag:yaml.org,2002:map":
            self.fail(node, f"the tag {cut(node.tag)} is not supported here", path)
        result: dict[str, Any] = {}
        first: dict[str, Mark] = {}
        for key_node, value_node in node.value:
            key = self._key(key_node, path)
            if key is None:
                continue
            if key in first:
                line = first[key][0]
                said = f"duplicate key {quoted(key)} (first written on line {line})"
                self.fail(key_node, said, path)
                continue
            first[key] = _mark(key_node)
            self.keys[(*path, key)] = _mark(key_node)
            result[key] = self.build(value_node, (*path, key))
        return result

    def _key(self, node: yaml.Node, path: JsonPath) -> str | None:
        if node.tag == "tag:yaml.org,2002:merge":
            self.fail(node, "merge keys (<<) are not supported; write the settings out", path)
            return None
        if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:str":
            shown = node.value if isinstance(node, yaml.ScalarNode) else "a collection"
            self.fail(node, f"a key must be text: quote {quoted(shown)}", path)
            return None
        return str(node.value)

    def _sequence(self, node: yaml.SequenceNode, path: JsonPath) -> list[Any]:
        if node.tag != "tag:yaml.org,2002:seq":
            self.fail(node, f"the tag {cut(node.tag)} is not supported here", path)
        return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]

    def _scalar(self, node: yaml.Node, path: JsonPath) -> Any:
        if node.tag == _TIMESTAMP:
            return node.value
        if node.tag not in _SCALAR_TAGS:
            self.fail(node, f"the tag {cut(node.tag)} is not supported here", path)
            return None
        return self.loader.construct_object(node)


class _TooLarge(Exception):
    pass


def _mark(node: yaml.Node) -> Mark:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _fail(
    file: str, message: str, line: int = 0, col: int = 0, hint: str | None = None
) -> ConfigError:
    problem = Problem(file, cut(message, MESSAGE_CHARS), line, col)
    return ConfigError(str(problem), hint, problems=(problem,))


def read_text(path: Path) -> str:
    """The file's text, or a ConfigError saying why it cannot be read as YAML. At most
    PASSPORT_MAX_CONFIG_BYTES (1 MiB by default) are read."""
    file = str(path)
    if path.is_dir():
        raise _fail(file, "is a folder, not an activation file")
    if path.exists() and not path.is_file():
        raise _fail(file, "is not a regular file (a FIFO or a device?), not an activation file")
    raw = _bounded_bytes(path)
    if b"\x00" in raw[:8192]:
        raise _fail(file, "is not a text file (expected UTF-8 YAML)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _fail(file, f"is not UTF-8 text (bad byte at offset {error.start})") from None
    if not text.strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()
    ):
        raise _fail(file, "is empty: an activation needs version, name, application and mode")
    return text


def _bounded_bytes(path: Path) -> bytes:
    setting = limits.MAX_CONFIG_BYTES
    most = setting.value()
    file = str(path)
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            raw = handle.read(most + 1) if size <= most else b""
    except OSError as error:
        raise _fail(file, f"cannot read: {error.strerror or error}") from None
    if size > most or len(raw) > most:
        shown = limits.size_text(max(size, len(raw)))
        raise _fail(
            file,
            f"is {shown}, more than the {limits.size_text(most)} an activation file may be "
            f"({setting.name})",
            hint=f"an activation is a few hundred lines; if this one must be larger, raise "
            f"{setting.name}",
        )
    return raw


def load_document(path: Path) -> Document:
    """Read `path` into a Document. Raises ConfigError with located problems."""
    file = str(path)
    text = read_text(path)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise _fail(file, "is empty: an activation needs version, name, application and mode")
        builder = _Builder(file, loader)
        data = builder.build(node, ())
    except yaml.MarkedYAMLError as error:
        raise _syntax_error(file, error) from None
    except yaml.YAMLError as error:
        raise _fail(file, f"YAML error: {cut(str(error))}") from None
    except _TooLarge:
        raise _fail(file, f"is too large: aliases expand to more than {_MAX_NODES} nodes") from None
    finally:
        loader.dispose()
    if builder.problems:
        raise ConfigError(f"{file} is not valid YAML", problems=tuple(builder.problems))
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "a single value"
        line, col = _mark(node)
        raise _fail(file, f"the top level must be a mapping of settings, not {kind}", line, col)
    return Document(file, data, builder.values, builder.keys)


def _syntax_error(file: str, error: yaml.MarkedYAMLError) -> ConfigError:
    mark = error.problem_mark or error.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    # PyYAML's own words may quote the file (an undefined alias, a tag): cut them.
    problem, context = cut(error.problem or ""), cut(error.context or "")
    message = f"YAML syntax error: {problem or context or 'cannot parse'}"
    if error.problem == "but found another document":
        message = "a file holds one activation: remove the second document (after ---)"
    elif problem and context and error.context_mark:
        message += f" ({context} on line {error.context_mark.line + 1})"
    return _fail(file, message, line, col)
