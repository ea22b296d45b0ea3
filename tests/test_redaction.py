"""The redactor: a credential planted anywhere, in any encoding, never comes out.

The encodings are written here with the standard library, not taken from
`passport.redaction`, and a leak is looked for with `leaks.views`, which decodes the
output every way a reader could; so a form the redactor forgot fails these tests.
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Callable
from urllib.parse import quote, quote_plus

from hypothesis import given, settings
from hypothesis import strategies as st
from leaks import leaks, views

from passport.connectors.oneroster_rest.problems import failure
from passport.errors import ConnectorError, Problem
from passport.redaction import MASK, Redactor

# Disjoint alphabets: whatever of the output is not the body's or the mask's came from
# the secret.
SECRET_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/+=&:%~é-_ "
BODY_CHARS = ".,;!?()[]{}#@|^`\n\tüß€"
ALLOWED = set(BODY_CHARS) | set(MASK) | {"…", " "}

secrets_ = st.text(SECRET_CHARS, min_size=8, max_size=40).filter(lambda s: s.strip() == s)
bodies = st.text(BODY_CHARS, max_size=400)


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def b64url(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


ENCODINGS: dict[str, Callable[[str], str]] = {
    "raw": lambda s: s,
    "percent": lambda s: quote(s, safe=""),
    "percent, lower-case hex": lambda s: re.sub(
        "%[0-9A-F]{2}", lambda m: m.group(0).lower(), quote(s, safe="")
    ),
    "percent, path": quote,
    "form": quote_plus,
    "percent twice": lambda s: quote(quote(s, safe=""), safe=""),
    "base64": b64,
    "base64, no padding": lambda s: b64(s).rstrip("="),
    "base64 url-safe": b64url,
    "base64 url-safe, no padding": lambda s: b64url(s).rstrip("="),
    "base64, then percent": lambda s: quote(b64(s), safe=""),
    "JSON": lambda s: json.dumps(s)[1:-1],
    "JSON, UTF-8": lambda s: json.dumps(s, ensure_ascii=False)[1:-1],
    "JSON, slashes escaped": lambda s: json.dumps(s)[1:-1].replace("/", "\\/"),
    "JSON of a URL": lambda s: json.dumps(quote(s))[1:-1],
    "HTML": html.escape,
}
encodings = st.sampled_from(sorted(ENCODINGS))


def plant(body: str, at: int, form: str) -> str:
    at = min(at, len(body))
    return body[:at] + form + body[at:]


@settings(max_examples=300, deadline=None)
@given(secrets_, bodies, st.integers(0, 400), encodings)
def test_a_planted_secret_never_comes_out(secret: str, body: str, at: int, encoding: str) -> None:
    redact = Redactor([secret])
    out = redact(plant(body, at, ENCODINGS[encoding](secret)))
    assert set(out) <= ALLOWED
    assert not leaks([secret], [out])


@settings(max_examples=200, deadline=None)
@given(secrets_, st.text(SECRET_CHARS.replace(":", ""), min_size=1, max_size=20), bodies, encodings)
def test_http_basic_credentials_never_come_out(
    secret: str, client_id: str, body: str, encoding: str
) -> None:
    """`Authorization: Basic base64(id:secret)`, as a server echoes it, in any encoding."""
    redact = Redactor()
    redact.add_pair(client_id, secret)
    header = "Basic " + b64(f"{client_id}:{secret}")
    out = redact(plant(body, len(body) // 2, ENCODINGS[encoding](header)))
    assert not leaks([secret], [out])


@settings(max_examples=200, deadline=None)
@given(
    secrets_,
    st.text(BODY_CHARS, max_size=30),
    st.text(BODY_CHARS, max_size=30),
    st.sampled_from([b64, b64url]),
)
def test_a_secret_inside_a_longer_base64_text_shows_at_most_two_bytes(
    secret: str, before: str, after: str, encode: Callable[[str], str]
) -> None:
    """Inside any base64 text (a token, a cookie, a whole echoed request), at each byte
    alignment: at most two bytes of the secret in a row can be decoded from what is left."""
    out = Redactor([secret])(f"see {encode(before + secret + after)} here")
    raw = secret.encode()
    assert not leaks([secret], [out])
    # The same text with other bytes in the secret's place: what its own characters spell
    # by chance (base64 of the text around it is letters and digits too) is no leak.
    control = f"see {encode(before + chr(1) * len(raw) + after)} here"
    by_chance = views(control)
    decoded = views(out)
    windows = {raw[i : i + 3] for i in range(len(raw) - 2)}
    shown = [w for w in windows if any(w in v for v in decoded)]
    assert not [w for w in shown if not any(w in v for v in by_chance)]


@settings(max_examples=300, deadline=None)
@given(secrets_, bodies, st.integers(0, 60), st.sampled_from(["raw", "percent", "JSON", "base64"]))
def test_an_excerpt_masks_a_secret_cut_by_its_edge(
    secret: str, body: str, back: int, encoding: str
) -> None:
    """Planted across the cut at 300 characters: masked whole, no prefix shown."""
    text = "." * 300 + body
    form = ENCODINGS[encoding](secret)
    planted = plant(text, 300 - min(back, len(form) - 1), form)
    out = Redactor([secret]).excerpt(planted)
    assert set(out) <= ALLOWED
    assert out.endswith("…")
    assert len(out) <= 300 + len(MASK) + 1


def test_cutting_first_would_have_shown_half_the_secret() -> None:
    secret = "s3cr3t-that-is-long-enough"
    text = "x" * 290 + secret + "y" * 50
    naive = Redactor([secret])(text[:300])
    assert "s3cr3t-tha" in naive  # what cutting before masking shows
    assert Redactor([secret]).excerpt(text) == "x" * 290 + MASK + "…"


def test_an_excerpt_is_one_bounded_line() -> None:
    redact = Redactor(["s3cr3t-value"])
    out = redact.excerpt("line one\r\nline\ttwo s3cr3t-value " + "z" * 5_000_000, 200)
    assert out.startswith("line one line two *** zzz") and out.endswith("…")
    assert len(out) <= 201


def test_tokens_and_signatures_registered_later_are_masked() -> None:
    redact = Redactor(["client-secret-1"])
    assert redact("token tok-123456789") == "token tok-123456789"
    redact.add("tok-123456789")
    redact.add("c2lnbmF0dXJlLW9uZQ+/=", once=True)
    text = "token tok-123456789, signature c2lnbmF0dXJlLW9uZQ%2B%2F%3D"
    assert redact(text) == f"token {MASK}, signature {MASK}"


def test_short_values_are_not_masked() -> None:
    assert Redactor(["abc"])("abc is a word") == "abc is a word"


def test_an_error_is_masked_in_place() -> None:
    error = ConnectorError(
        "refused s3cr3t-value", "the hint says s3cr3t-value", (Problem("f", "s3cr3t-value"),)
    )
    error.status = 401  # type: ignore[attr-defined]
    same = Redactor(["s3cr3t-value"]).error(error)
    assert same is error and str(error) == f"refused {MASK}"
    assert error.hint == f"the hint says {MASK}"
    assert error.problems[0].message == MASK
    assert error.status == 401  # type: ignore[attr-defined]


@settings(max_examples=200, deadline=None)
@given(secrets_, bodies, st.integers(0, 400), encodings, st.sampled_from(["imsx", "oauth", "html"]))
def test_a_secret_planted_in_an_error_response_never_reaches_the_message(
    secret: str, body: str, at: int, encoding: str, shape: str
) -> None:
    """The message a failed response becomes, through the connector's own reading of it
    (status envelope, OAuth error, an HTML page), holds no form of the secret."""
    text = plant(body, at, ENCODINGS[encoding](secret))
    payload = {
        "imsx": json.dumps({"imsx_codeMinor": "invalid_data", "imsx_description": text}),
        "oauth": json.dumps({"error": text[:150], "error_description": text}),
        "html": f"<html><body><p>{html.escape(text)}</p></body></html>",
    }[shape]
    message = failure(
        400, "https://h/x", payload.encode(), "Bad Request", redact=Redactor([secret])
    )
    assert not leaks([secret], [message])
    assert len(message) < 600
