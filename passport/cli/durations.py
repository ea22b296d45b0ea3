"""Durations on the command line: 30s, 5m, 1h, 1h30m, or plain seconds."""

from __future__ import annotations

import re

import click

_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")
_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(text: str) -> float:
    text = text.strip().lower()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    parts = _PART.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise click.BadParameter(f"{text!r} is not a duration such as 30s, 5m or 1h30m")
    return sum(float(n) * _SECONDS[u] for n, u in parts)


def duration(ctx: click.Context, param: click.Parameter, value: str) -> float:
    """An option callback: a mistake in the value is a usage error naming the option."""
    return parse_duration(value)
