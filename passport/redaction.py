"""Masking a secret in every form it can take in text a server sent back or passport wrote.

A server that echoes a request puts a credential into an error body in more shapes than
its own: URL-encoded in a query or a form body, base64 inside an HTTP Basic header
(`id:secret`), escaped inside a JSON string, HTML-escaped in an error page. `Redactor.add`
derives each of those forms once; calling the redactor masks every occurrence of any of
them (overlapping ones merged into one mask).

Base64 inside a longer base64 text (a Basic header, a token that embeds the secret) is
found at each of the three byte alignments; at the edges of such a match at most two
bytes of the secret stay visible, never three in a row.

`excerpt` is how server text reaches a message: at most a bounded number of characters,
masked *before* the cut (so a secret straddling the cut is masked whole, not shown in
part) and again after (nothing the cut or the clean-up makes can spell a secret).
"""

from __future__ import annotations

import base64
import dataclasses
import html
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from itertools import product
from urllib.parse import quote, quote_plus

from passport.errors import PassportError

MASK = "***"
MIN_LENGTH = 4  # shorter values would mask ordinary words; they are not secrets worth it
MIN_CORE = 8  # a base64 fragment shorter than this is too likely to be an ordinary word
EXCERPT_CHARS = 300  # how much of a server's own text a message may carry
RECENT = 64  # one-request credentials (OAuth 1 signatures) remembered at a time

_PERCENT = re.compile(r"%[0-9A-F]{2}")
_UNICODE_ESCAPE = re.compile(r"\\u[0-9a-f]{4}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]+")


def _json(text: str) -> str:
    return json.dumps(text)[1:-1]


def _json_utf8(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)[1:-1]


# Character-by-character encodings: each maps a text's substrings to substrings of its
# encoding, so a form found inside a longer encoded text is found by the same search.
_TEXT_ENCODINGS: tuple[Callable[[str], str], ...] = (
    lambda s: s,
    lambda s: quote(s, safe=""),  # RFC 3986, as OAuth 1 encodes
    lambda s: quote(s),  # a path: "/" kept
    lambda s: quote(s, safe="!$&'()*+,;=:@/?"),  # a lenient query encoder
    lambda s: quote_plus(s, safe=""),  # a form body or a query built by urlencode
    _json,
    _json_utf8,
    lambda s: _json(s).replace("/", "\\/"),  # JSON encoders that escape slashes
    lambda s: html.escape(s, quote=True),
    lambda s: html.escape(s, quote=False),
)


def _case_variants(text: str) -> set[str]:
    """The same encoding with the other hex case (%2f for %2F, \\u00E9 for \\u00e9)."""
    found = {text}
    if "%" in text:
        found.add(_PERCENT.sub(lambda m: m.group(0).lower(), text))
    if "\\u" in text:
        found.add(_UNICODE_ESCAPE.sub(lambda m: "\\u" + m.group(0)[2:].upper(), text))
    return found


def _base64_forms(data: bytes) -> tuple[set[str], set[str]]:
    """(whole encodings, fragments found inside a longer base64 text) of `data`."""
    whole: set[str] = set()
    fragments: set[str] = set()
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        full = encode(data).decode("ascii")
        whole |= {full, full.rstrip("=")}
        for shift in (0, 1, 2):
            # `shift` bytes of something else before the secret: the groups of three
            # bytes that hold only the secret's bytes encode the same way wherever they are.
            text = encode(b"\0" * shift + data).decode("ascii")
            first = 4 if shift else 0
            last = 4 * ((shift + len(data)) // 3)
            core = text[first:last]
            if len(core) >= MIN_CORE:
                fragments.add(core)
    return whole, fragments - whole


def derived_forms(secret: str) -> frozenset[str]:
    """Every form of `secret` the redactor looks for: raw and base64 (whole, and inside a
    longer base64 text), each encoded once or twice (a URL inside a JSON body, a query
    quoted into a redirect's query)."""
    if len(secret) < MIN_LENGTH:
        return frozenset()
    whole, fragments = _base64_forms(secret.encode("utf-8"))
    bases = {secret} | whole | fragments
    forms: set[str] = set()
    for base, first, second in product(bases, _TEXT_ENCODINGS, _TEXT_ENCODINGS):
        for variant in _case_variants(second(first(base))):
            if len(variant) >= MIN_LENGTH:
                forms.add(variant)
    return frozenset(forms)


def pair_forms(user: str, password: str) -> frozenset[str]:
    """The HTTP Basic credentials of a pair, as clients build them: `user:password` in
    base64, raw or with each part form-encoded first (RFC 6749 2.3.1)."""
    found: set[str] = set()
    for pair in (f"{user}:{password}", f"{quote_plus(user)}:{quote_plus(password)}"):
        whole, _ = _base64_forms(pair.encode("utf-8"))
        for form, encode in product(whole, _TEXT_ENCODINGS):
            found |= _case_variants(encode(form))
    return frozenset(found)


class Redactor:
    """Masks every registered credential, in every derived form, with `***`.

    Secrets and tokens are kept for the life of the redactor; one-request credentials
    (`add(..., once=True)`: OAuth 1 signatures) only the most recent `RECENT`. Forms are
    derived when text is first masked after a credential arrives, not on arrival, so
    signing a request costs nothing until a message needs masking. Safe to share between
    threads."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._lasting: dict[str, frozenset[str] | None] = {}
        self._recent: OrderedDict[str, frozenset[str] | None] = OrderedDict()
        self._pairs: dict[tuple[str, str], frozenset[str]] = {}
        self._forms: tuple[str, ...] | None = ()
        self._longest = 0
        self._lock = threading.Lock()
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None, *, once: bool = False) -> None:
        """Register a secret, an id or a token received; `once`: a credential good for one
        request (an OAuth 1 signature), kept only while recent."""
        if not secret or len(secret) < MIN_LENGTH:
            return
        with self._lock:
            if secret in self._lasting or secret in self._recent:
                return
            if once:
                self._recent[secret] = None
                while len(self._recent) > RECENT:
                    self._recent.popitem(last=False)
            else:
                self._lasting[secret] = None
            self._forms = None

    def add_pair(self, user: str, password: str) -> None:
        """Register both parts and the HTTP Basic header built from them."""
        self.add(user)
        self.add(password)
        forms = pair_forms(user, password)
        with self._lock:
            self._pairs[(user, password)] = forms
            self._forms = None

    def _current(self) -> tuple[tuple[str, ...], int]:
        """Every form to look for (derived now for credentials new since the last time),
        and the longest one's length."""
        with self._lock:
            if self._forms is None:
                every: set[str] = set()
                for kept in (self._lasting, self._recent):
                    for secret, forms in kept.items():
                        if forms is None:
                            forms = kept[secret] = derived_forms(secret)
                        every |= forms
                for forms in self._pairs.values():
                    every |= forms
                self._forms = tuple(every)
                self._longest = max(map(len, every), default=0)
            return self._forms, self._longest

    # --- masking -------------------------------------------------------------------------

    def __call__(self, text: str) -> str:
        return self._masked(text, len(text))

    def excerpt(self, text: str, limit: int = EXCERPT_CHARS) -> str:
        """At most `limit` characters of `text` on one line (with "…" when cut), every
        credential masked, whole, even one that straddles the cut."""
        single = _CONTROL.sub(" ", self._masked(text, limit)).strip()
        return self(single + "…" if len(text) > limit else single)

    def _masked(self, text: str, stop: int) -> str:
        """The first `stop` characters of `text`, with every form found masked; a form
        that starts before `stop` is masked whole (its search looks past `stop`)."""
        forms, longest = self._current()
        window = text[: stop + longest]
        spans = _spans(window, forms, stop)
        out: list[str] = []
        at = 0
        for start, end in spans:
            out.append(window[at:start])
            out.append(MASK)
            at = end
        if at < stop:
            out.append(window[at:stop])
        return "".join(out)

    def error(self, error: PassportError) -> PassportError:
        """The same error, its reason, hint and problems masked (changed in place, so its
        type and attributes such as an HTTP status stay)."""
        error.reason = self(error.reason)
        error.hint = self(error.hint) if error.hint else error.hint
        error.problems = tuple(
            dataclasses.replace(p, message=self(p.message), path=self(p.path), file=self(p.file))
            for p in error.problems
        )
        error.args = (error.reason, *error.args[1:])
        return error


def _spans(text: str, forms: Iterable[str], stop: int) -> list[tuple[int, int]]:
    """Where any form occurs (starting before `stop`), overlapping spans merged."""
    found: list[tuple[int, int]] = []
    for form in forms:
        start = text.find(form)
        while -1 < start < stop:
            found.append((start, start + len(form)))
            start = text.find(form, start + 1)
    found.sort()
    merged: list[tuple[int, int]] = []
    for start, end in found:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
