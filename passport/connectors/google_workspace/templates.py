"""The small template language of OU paths, email addresses, group addresses and passwords.

    /Students/{school.name}/Grade {grades[0]|int}
    {givenName|ascii|lower}.{familyName|ascii|lower}{gradYear|last2}@{domain}

A placeholder is a name (`givenName`), a dotted name (`school.name`) or an indexed one
(`grades[0]`), then filters, each applied in turn. Light and pure: no I/O; templates come
from config, so they are parsed once, with every mistake named, and never evaluated as code.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass

# Letters NFKD does not take apart into a base letter and a mark.
_SPECIAL = str.maketrans(
    {
        "ß": "ss",
        "ẞ": "SS",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "þ": "th",
        "Þ": "TH",
        "ı": "i",
    }
)
MAX_TEMPLATE = 500  # characters: a template is config, and config has size bounds


def ascii_of(text: str) -> str:
    """`text` transliterated to ASCII: é -> e, ß -> ss, Ø -> O; what has no ASCII form goes."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    return "".join(c for c in decomposed if c.isascii() and not unicodedata.combining(c))


def _last(n: int) -> Callable[[str], str]:
    return lambda value: value[-n:]


def _first(n: int) -> Callable[[str], str]:
    return lambda value: value[:n]


def _int(value: str) -> str:
    """A number without its leading zeros ("09" -> "9"); anything else as it is."""
    return str(int(value)) if value.isdigit() else value


FILTERS: dict[str, Callable[[str], str]] = {
    "ascii": ascii_of,
    "lower": str.lower,
    "upper": str.upper,
    "title": str.title,
    "int": _int,
    "alnum": lambda value: "".join(c for c in value if c.isalnum()),
    "nospace": lambda value: "".join(value.split()),
    "digits": lambda value: "".join(c for c in value if c.isdigit()),
    **{f"first{n}": _first(n) for n in range(1, 10)},
    **{f"last{n}": _last(n) for n in range(1, 10)},
}

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?(\[[0-9]\])?$")


class TemplateError(ValueError):
    """A template that cannot be parsed: the message names the placeholder."""


@dataclass(frozen=True, slots=True)
class _Slot:
    name: str  # "givenName", "school.name", "grades"
    index: int | None
    filters: tuple[Callable[[str], str], ...]


@dataclass(frozen=True, slots=True)
class Template:
    text: str
    parts: tuple[str | _Slot, ...]

    @property
    def names(self) -> frozenset[str]:
        """The names it uses ("school.name", "grades"), for checks and risk flags."""
        return frozenset(p.name for p in self.parts if isinstance(p, _Slot))

    def render(self, values: Mapping[str, str | list[str]]) -> str | None:
        """The text with every placeholder filled; None when a value it needs is missing
        or empty (the caller holds the record with the reason)."""
        out = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
                continue
            value = values.get(part.name)
            if isinstance(value, list):
                index = part.index or 0
                value = value[index] if index < len(value) else None
            elif part.index:
                value = None
            if not value:
                return None
            for apply in part.filters:
                value = apply(value)
            out.append(value)
        return "".join(out)

    def missing(self, values: Mapping[str, str | list[str]]) -> list[str]:
        """The names whose values the record lacks."""
        return sorted(p.name for p in self.parts if isinstance(p, _Slot) and not values.get(p.name))


def parse(text: str, known: frozenset[str] | None = None) -> Template:
    """A template, or TemplateError naming the first bad placeholder. With `known`, a
    name outside it is an error too."""
    if len(text) > MAX_TEMPLATE:
        raise TemplateError(f"a template may have at most {MAX_TEMPLATE} characters")
    parts: list[str | _Slot] = []
    at = 0
    for match in _PLACEHOLDER.finditer(text):
        if match.start() > at:
            parts.append(text[at : match.start()])
        parts.append(_slot(match.group(1), known))
        at = match.end()
    rest = text[at:]
    if "{" in rest or "}" in rest or any("{" in p or "}" in p for p in parts if isinstance(p, str)):
        raise TemplateError("unbalanced { or } in the template")
    if rest:
        parts.append(rest)
    return Template(text, tuple(parts))


def _slot(inner: str, known: frozenset[str] | None) -> _Slot:
    name, *filters = (piece.strip() for piece in inner.split("|"))
    if not _NAME.match(name):
        raise TemplateError(f"{{{inner}}}: {name!r} is not a field name like givenName")
    index = None
    if name.endswith("]"):
        name, _, number = name[:-1].partition("[")
        index = int(number)
    if known is not None and name not in known:
        raise TemplateError(
            f"{{{inner}}}: unknown field {name!r}; known: {', '.join(sorted(known))}"
        )
    applied = []
    for filter_name in filters:
        if filter_name not in FILTERS:
            names = ", ".join(sorted(FILTERS, key=lambda n: (n[-1].isdigit(), n)))
            raise TemplateError(f"{{{inner}}}: unknown filter {filter_name!r}; known: {names}")
        applied.append(FILTERS[filter_name])
    return _Slot(name, index, tuple(applied))


# --- email addresses -------------------------------------------------------------------

MAX_LOCAL = 64
_LOCAL_ALLOWED = re.compile(r"[^a-z0-9._'-]")


def clean_local(local: str) -> str:
    """An email local part Google takes: ASCII letters, digits, . _ - and ' only,
    lowercased, no leading, trailing or doubled dots, at most 64 characters."""
    text = _LOCAL_ALLOWED.sub("", ascii_of(local).lower())
    text = re.sub(r"\.{2,}", ".", text).strip(".")
    return text[:MAX_LOCAL].rstrip(".")


def clean_email(address: str) -> str | None:
    """`address` with its local part cleaned; None when nothing usable is left."""
    local, at, domain = address.rpartition("@")
    if not at or not domain:
        return None
    cleaned = clean_local(local)
    return f"{cleaned}@{domain.lower()}" if cleaned else None


def numbered(address: str, n: int) -> str:
    """The n-th alternative of an address: john.smith@d -> john.smith2@d (n >= 2)."""
    local, _, domain = address.rpartition("@")
    suffix = str(n)
    return f"{local[: MAX_LOCAL - len(suffix)]}{suffix}@{domain}"
