"""JSON Schema checks: every error at once, each located and said for a human.

`passport/schemas/activation.schema.json` is the single truth; editors and CI use the same
file. A schema node may carry `x-hint`, appended to any error found at that node.
Values under secret settings are never repeated in a message.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Mapping
from importlib import resources
from typing import Any, cast

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from passport.config.document import Document
from passport.config.excerpt import cut, quoted
from passport.config.paths import JsonPath, did_you_mean, one_of
from passport.errors import Problem

Secret = Callable[[JsonPath], bool]
Found = tuple[JsonPath, str, bool]  # path, message, point at the key

_KINDS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "a mapping",
    "array": "a list",
    "null": "nothing",
}
_REQUIRED = re.compile(r"^(?P<name>.*) is a required property$")


@functools.cache
def activation_schema() -> dict[str, Any]:
    """The activation JSON Schema shipped inside the package."""
    text = resources.files("passport").joinpath("schemas/activation.schema.json")
    return cast(dict[str, Any], json.loads(text.read_text(encoding="utf-8")))


def schema_problems(
    doc: Document,
    instance: Any,
    schema: Mapping[str, Any],
    *,
    prefix: JsonPath = (),
    secret: Secret = lambda _path: False,
    noun: str = "setting",
) -> list[Problem]:
    """Every error of `instance` (found at `prefix` in `doc`) against `schema`."""
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    problems = []
    for error in validator.iter_errors(instance):
        path: JsonPath = (*prefix, *error.absolute_path)
        for where, message, at_key in _describe(error, path, secret(path), noun):
            problems.append(doc.problem(where, message, key=at_key))
    return problems


def _describe(error: ValidationError, path: JsonPath, redact: bool, noun: str) -> list[Found]:
    keyword = str(error.validator)
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    if keyword == "additionalProperties":
        return _unknown_keys(error, path, schema, noun)
    if "propertyNames" in error.schema_path:
        name = str(error.instance)
        return [((*path, name), _hinted(f"{quoted(name)} is not a valid name here", schema), True)]
    if keyword == "required":
        match = _REQUIRED.match(error.message)
        name = match["name"] if match else "a setting"
        return [(path, _hinted(f"{name} is required", schema), True)]
    return [(path, _hinted(_message(error, keyword, path, redact), schema), False)]


def _hinted(message: str, schema: Mapping[str, Any]) -> str:
    hint = schema.get("x-hint")
    if not hint:
        return message or "is not valid here"
    return f"{message}; {hint}" if message else str(hint)


def _unknown_keys(
    error: ValidationError, path: JsonPath, schema: Mapping[str, Any], noun: str
) -> list[Found]:
    known = list(schema.get("properties", {}))
    instance = error.instance if isinstance(error.instance, Mapping) else {}
    if path == ("attributes",):
        noun = "OneRoster entity"
    elif path and path[0] == "delivery":
        noun = noun if len(path) == 1 else "setting"
    else:
        noun = "setting"
    return [
        ((*path, key), f"{quoted(key)} is not a known {noun}{did_you_mean(key, known)}", True)
        for key in instance
        if key not in known
    ]


def _message(error: ValidationError, keyword: str, path: JsonPath, redact: bool) -> str:
    value = "the value" if redact else _show(error.instance)
    expected: Any = error.validator_value
    if keyword == "enum":
        return _enum_message(value, error.instance, list(expected), path, redact)
    if keyword == "type":
        return f"expected {_kinds(expected)}, got {_kind_of(error.instance)}"
    if keyword == "const":
        return f"{value} is not allowed: must be {_show(expected)}"
    if keyword in {"anyOf", "oneOf", "not"}:
        return ""  # the node's x-hint says what fits
    if keyword in {"pattern", "format"}:
        what = f"a valid {expected}" if keyword == "format" else "valid here"
        return f"{value} is not {what}"
    if keyword in {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}:
        bound = {"minimum": "at least", "maximum": "at most", "exclusiveMinimum": "more than"}
        return f"must be {bound.get(keyword, 'less than')} {expected}"
    if keyword in {"minItems", "minLength", "minProperties"}:
        return "must not be empty" if expected == 1 else f"needs at least {expected} entries"
    if keyword == "uniqueItems":
        return _duplicates(error.instance, redact)
    return "is not valid" if redact else cut(error.message)


def _enum_message(
    value: str, instance: Any, choices: list[Any], path: JsonPath, redact: bool
) -> str:
    hint = "" if redact else did_you_mean(instance, [str(c) for c in choices])
    if len(path) == 3 and path[0] == "attributes":
        return f"{value} is not a known attribute of {path[1]}{hint}"
    if len(choices) > 10:
        return f"{value} is not a known value{hint}"
    return f"{value} is not one of {one_of(_show(c) for c in choices)}{hint}"


def _duplicates(instance: Any, redact: bool) -> str:
    seen: list[Any] = []
    repeated: list[Any] = []
    for item in instance if isinstance(instance, list) else []:
        if item in seen and item not in repeated:
            repeated.append(item)
        seen.append(item)
    if redact or not repeated:
        return "lists the same entry more than once"
    return f"lists {one_of(_show(item) for item in repeated)} more than once"


def _show(value: Any) -> str:
    if isinstance(value, str):
        return quoted(value)
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int | float):
        return cut(str(value))
    return "a mapping" if isinstance(value, Mapping) else "a list"


def _kinds(expected: Any) -> str:
    names: Iterable[str] = expected if isinstance(expected, list) else [expected]
    return one_of(_KINDS.get(name, name) for name in names)


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if value is None:
        return "nothing"
    return "a mapping" if isinstance(value, Mapping) else "a list"
