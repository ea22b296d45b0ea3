"""What comes from data or servers, made inert for a reader.

Record values, keys, reasons, notes, warnings and error messages come from SIS files and
servers, or from pull-request config: a renderer must never let them act. Every
rendering passes them through here:

- `visible`: control, format (bidi overrides such as U+202E, zero-width characters) and
  separator characters are shown as escapes (`\\u202e`), so nothing reorders, hides or
  breaks a line;
- `shorten`: a long value is cut (with how long it was), so no page scrolls sideways and
  no comment fills with one value; the JSON plan holds it whole.

Markup-specific escaping (HTML's autoescape, Markdown's punctuation) is the renderer's
own job on top of this.
"""

from __future__ import annotations

SHOWN_CHARACTERS = 200


def visible(text: str) -> str:
    """`text` with every character that is not plainly printable written as an escape."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else _escape(c) for c in text)


def _escape(char: str) -> str:
    escaped = repr(char)[1:-1]
    return escaped if escaped != char else f"\\u{ord(char):04x}"


def is_long(text: str, limit: int = SHOWN_CHARACTERS) -> bool:
    return len(text) > limit


def shorten(text: str, limit: int = SHOWN_CHARACTERS) -> str:
    """`text`, or its first `limit` characters and how many there are in all."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters; the JSON plan holds the whole value)"
