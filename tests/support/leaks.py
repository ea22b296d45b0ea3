"""Finding a credential in text whatever encoding it went through, without passport's code.

`views` decodes text every way a reader could (percent-decoding both ways, HTML and JSON
unescaping, each up to twice, and base64 of every run that looks like it, at each of the
four offsets), so a search for a secret's raw bytes in the views finds it in any encoding
or embedded in any base64 text, such as an HTTP Basic header.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
from collections.abc import Iterable
from urllib.parse import unquote, unquote_plus

_RUN = re.compile(r"[A-Za-z0-9+/_-]{8,}")
_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\(/)")


def _json_unescape(text: str) -> str:
    return _JSON_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)) if m.group(1) else "/", text)


def _decoded(text: str) -> set[str]:
    return {text, unquote(text), unquote_plus(text), html.unescape(text), _json_unescape(text)}


def _base64_runs(text: str) -> Iterable[bytes]:
    for run in _RUN.findall(text):
        standard = run.replace("-", "+").replace("_", "/")
        for offset in range(4):
            chunk = standard[offset:]
            rest = len(chunk) % 4  # the last group, its padding cut off by the run
            chunk = chunk[:-1] if rest == 1 else chunk + "=" * ((4 - rest) % 4)
            if chunk:
                try:
                    yield base64.b64decode(chunk, validate=True)
                except (binascii.Error, ValueError):
                    continue


def views(text: str) -> list[bytes]:
    texts = {text}
    for _ in range(2):
        texts = {d for t in texts for d in _decoded(t)}
    found = [t.encode("utf-8", "surrogateescape") for t in texts]
    for t in texts:
        found.extend(_base64_runs(t))
    return found


def leaks(needles: Iterable[str], haystacks: Iterable[str]) -> list[str]:
    """The needles (shortened, for the message) found in any view of any haystack."""
    wanted = {n.encode(): n for n in needles if n}
    found: set[str] = set()
    for haystack in haystacks:
        for view in views(haystack):
            found |= {shown for raw, shown in wanted.items() if raw in view}
    return sorted(f"{n[:8]}…" for n in found)
