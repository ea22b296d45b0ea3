"""`passport login google NAME` and `logout`: the OAuth 2.0 installed-app flow.

Login: a loopback listener on 127.0.0.1 (a free port), the browser sent to Google's
authorize URL with PKCE (S256) and a state, the code that comes back exchanged for a
refresh token, asking only the scopes the activation's mode needs. The refresh token is
written to a file with mode 0600 that the activation references as `${file:...}`; it is
never shown. Logout revokes it at the revoke endpoint and deletes the file.

The activation is read as plain YAML (its google-workspace delivery is not validated
here): `mode`, and from `delivery` the `client_id` (a value or a reference),
`client_secret` (a reference), `auth_url`, `token_url`, `revoke_url` and, when set,
`refresh_token: ${file:...}` to say where the token goes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import orjson
import yaml

from passport import secrets as references
from passport.connectors.google_workspace.problems import (
    Redactor,
    clean_url,
    describe,
    parse_error,
)
from passport.connectors.google_workspace.scopes import MODES, scopes_for
from passport.connectors.google_workspace.settings import (
    AUTH_URL,
    REVOKE_URL,
    TOKEN_URL,
    https_url,
)
from passport.errors import ConfigError, ConnectorError
from passport.secret_files import own_dir

APPLICATION = "google-workspace"
HTTP_TIMEOUT_S = 30.0
_FILE_REFERENCE = "${file:"
DONE_PAGE = (
    b"<!doctype html><title>passport</title><p>Signed in. You can close this tab and "
    b"return to the terminal.</p>"
)


@dataclass(frozen=True, slots=True)
class LoginConfig:
    name: str
    mode: str
    client_id: str
    client_secret: str = field(repr=False)
    auth_url: str = AUTH_URL
    token_url: str = TOKEN_URL
    revoke_url: str = REVOKE_URL
    token_file: Path = Path()
    reference: str = ""  # how the activation names the token file: ${file:...}
    referenced: bool = False  # the activation's delivery.refresh_token names it already

    @property
    def scopes(self) -> tuple[str, ...]:
        return scopes_for(self.mode)


@dataclass(frozen=True, slots=True)
class LoginResult:
    token_file: Path
    reference: str
    scopes: tuple[str, ...]
    referenced: bool  # the activation already names this file


@dataclass(frozen=True, slots=True)
class LogoutResult:
    token_file: Path
    found: bool  # there was a token file
    revoked: bool  # the revoke endpoint took it (False: it was revoked already)


# --- the activation --------------------------------------------------------------------


def default_token_file(name: str) -> Path:
    """In passport's own folder, where `${file:}` references may read it."""
    return own_dir() / "google" / f"{name}.refresh-token"


def login_config(activation: Path, token_file: Path | None = None) -> LoginConfig:
    """What login and logout need, read from an activation file."""
    document = _read(activation)
    delivery = document.get("delivery") or {}
    if not isinstance(delivery, Mapping):
        raise _bad(activation, "delivery is not a mapping")
    if document.get("application") != APPLICATION:
        raise _bad(activation, f"application is {document.get('application')!r}, not {APPLICATION}")
    mode = str(document.get("mode") or "")
    if mode not in MODES:
        raise _bad(activation, f"mode must be one of {', '.join(MODES)}")
    base_dir = activation.parent
    client_id = _value(delivery, "client_id", activation, base_dir, secret=False)
    client_secret = _value(delivery, "client_secret", activation, base_dir, secret=True)
    path, reference, referenced = _token_place(delivery, base_dir, str(activation.stem), token_file)
    urls = {
        name: https_url(name, str(delivery.get(name) or default))
        for name, default in (
            ("auth_url", AUTH_URL),
            ("token_url", TOKEN_URL),
            ("revoke_url", REVOKE_URL),
        )
    }
    return LoginConfig(
        name=str(document.get("name") or activation.stem),
        mode=mode,
        client_id=client_id,
        client_secret=client_secret,
        token_file=path,
        reference=reference,
        referenced=referenced,
        **urls,
    )


def _read(activation: Path) -> dict[str, Any]:
    try:
        document = yaml.safe_load(activation.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"{activation}: cannot read: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"{activation}: not valid YAML ({type(error).__name__})") from None
    if not isinstance(document, dict):
        raise _bad(activation, "the file is not a mapping")
    return document


def _bad(activation: Path, message: str) -> ConfigError:
    return ConfigError(f"{activation}: {message}")


def _value(
    delivery: Mapping[str, Any], name: str, activation: Path, base_dir: Path, *, secret: bool
) -> str:
    value = delivery.get(name)
    if not isinstance(value, str) or not value:
        raise ConfigError(
            f"{activation}: delivery.{name} is required to sign in with Google",
            "create an OAuth client of type Desktop app in the Google Cloud console",
        )
    if secret or references.is_reference(value):
        return references.resolve(value, base_dir)
    return value


def _token_place(
    delivery: Mapping[str, Any], base_dir: Path, name: str, explicit: Path | None
) -> tuple[Path, str, bool]:
    """(path, ${file:...} reference, whether the activation already names it)."""
    named = delivery.get("refresh_token")
    if explicit is None and isinstance(named, str) and named.startswith(_FILE_REFERENCE):
        target = Path(named[len(_FILE_REFERENCE) : -1]).expanduser()
        return (target if target.is_absolute() else base_dir / target), named, True
    path = explicit or default_token_file(name)
    return path, _FILE_REFERENCE + _home_relative(path) + "}", False


def _home_relative(path: Path) -> str:
    absolute = path.expanduser().absolute()
    try:
        return "~/" + str(absolute.relative_to(Path.home()))
    except ValueError:
        return str(absolute)


# --- login -----------------------------------------------------------------------------


def pkce_pair() -> tuple[str, str]:
    """(code_verifier, S256 code_challenge) as RFC 7636 defines them."""
    verifier = secrets.token_urlsafe(64)  # 86 characters of [A-Za-z0-9_-]
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorize_url(config: LoginConfig, redirect_uri: str, state: str, challenge: str) -> str:
    query = {
        "client_id": config.client_id,
        "redirect_uri": redirect_uri,
        "response_type": "code",
        "scope": " ".join(config.scopes),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "state": state,
        "access_type": "offline",  # a refresh token, not only an access token
        "prompt": "consent",  # a refresh token again, on a second login too
    }
    return f"{config.auth_url}?{urlencode(query)}"


def login(
    config: LoginConfig,
    client: httpx.Client | None = None,
    *,
    show: Callable[[str], None],
    open_browser: Callable[[str], bool] | None = None,
    timeout_s: float = 300.0,
) -> LoginResult:
    """Run the flow; `show(url)` tells the user where to sign in (the CLI prints it),
    `open_browser(url)` opens it (None: headless)."""
    if client is None:
        with httpx.Client(timeout=HTTP_TIMEOUT_S) as own:
            return login(config, own, show=show, open_browser=open_browser, timeout_s=timeout_s)
    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(24)
    with Loopback(state) as listener:
        url = authorize_url(config, listener.redirect_uri, state, challenge)
        if open_browser is not None:
            open_browser(url)
        show(url)
        answer = listener.wait(timeout_s)
        redirect_uri = listener.redirect_uri
    if "error" in answer:
        raise ConnectorError(
            f"Google sign-in did not complete: {answer['error']}",
            "run the login again and allow the access passport asks for",
        )
    redactor = Redactor()
    redactor.add(config.client_secret)
    redactor.add(verifier)
    redactor.add(answer.get("code"))
    tokens = _exchange(config, client, answer.get("code", ""), redirect_uri, verifier, redactor)
    refresh = tokens.get("refresh_token")
    if not isinstance(refresh, str) or not refresh:
        raise ConnectorError(
            "Google sent no refresh token",
            "remove passport's access in your Google account "
            "settings (Security > Third-party access), then log in again",
        )
    redactor.add(refresh)
    granted = tuple(str(tokens.get("scope") or "").split())
    missing = [scope for scope in config.scopes if scope not in granted]
    if missing:
        _revoke(config, client, refresh, redactor)
        raise ConnectorError(
            f"the sign-in did not allow {len(missing)} of the scopes mode {config.mode} "
            f"needs: {', '.join(missing)}",
            "log in again and tick every permission on Google's consent screen",
        )
    write_secret(config.token_file, refresh)
    return LoginResult(config.token_file, config.reference, granted, config.referenced)


def _exchange(
    config: LoginConfig,
    client: httpx.Client,
    code: str,
    redirect_uri: str,
    verifier: str,
    redactor: Redactor,
) -> dict[str, Any]:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "client_id": config.client_id,
        "client_secret": config.client_secret,
        "code_verifier": verifier,
    }
    response = _post(client, config.token_url, form, redactor)
    try:
        data = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        data = None
    if not isinstance(data, dict):
        raise ConnectorError(f"the answer from {clean_url(config.token_url)} is not JSON")
    for name in ("access_token", "refresh_token", "id_token"):
        value = data.get(name)
        redactor.add(value if isinstance(value, str) else None)
    return data


def _post(
    client: httpx.Client, url: str, form: dict[str, str], redactor: Redactor
) -> httpx.Response:
    try:
        response = client.post(url, data=form, headers={"Accept": "application/json"})
    except httpx.HTTPError as error:
        raise ConnectorError(f"cannot reach {clean_url(url)} ({type(error).__name__})") from None
    if response.status_code >= 400:
        problem = describe(parse_error(response.status_code, response.content), "POST", url)
        raise ConnectorError(redactor(problem))
    return response


def write_secret(path: Path, value: str) -> None:
    """`value` into `path` with mode 0600 (its folder 0700 when made here)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(descriptor, 0o600)  # an existing file keeps its mode otherwise
        os.write(descriptor, value.encode("utf-8") + b"\n")
    finally:
        os.close(descriptor)


# --- logout ----------------------------------------------------------------------------


def logout(config: LoginConfig, client: httpx.Client | None = None) -> LogoutResult:
    """Revoke the stored refresh token and delete its file."""
    if client is None:
        with httpx.Client(timeout=HTTP_TIMEOUT_S) as own:
            return logout(config, own)
    path = config.token_file
    try:
        token = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return LogoutResult(path, found=False, revoked=False)
    except OSError as error:
        raise ConnectorError(f"cannot read {path}: {error.strerror}") from None
    redactor = Redactor()
    redactor.add(token)
    revoked = _revoke(config, client, token, redactor) if token else False
    path.unlink()
    return LogoutResult(path, found=True, revoked=revoked)


def _revoke(config: LoginConfig, client: httpx.Client, token: str, redactor: Redactor) -> bool:
    """True when revoked now; False when Google says it was revoked or expired already."""
    try:
        response = client.post(config.revoke_url, data={"token": token})
    except httpx.HTTPError as error:
        where = clean_url(config.revoke_url)
        raise ConnectorError(
            f"cannot reach {where} ({type(error).__name__}); the token file is kept",
            "run logout again when the network is back",
        ) from None
    if response.status_code == 200:
        return True
    refusal = parse_error(response.status_code, response.content)
    if refusal.reason == "invalid_token":
        return False
    problem = redactor(describe(refusal, "POST", config.revoke_url))
    raise ConnectorError(f"{problem}; the token file is kept")


# --- the loopback listener -------------------------------------------------------------


class Loopback:
    """An HTTP listener on 127.0.0.1 that waits for the browser's redirect carrying the
    authorization code (or an error) and the expected state; other requests get a 400."""

    def __init__(self, state: str) -> None:
        self._state = state
        self._answer: dict[str, str] | None = None
        self._arrived = threading.Event()
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                query = dict(parse_qsl(urlsplit(self.path).query))
                accepted = listener._offer(query)
                self.send_response(200 if accepted else 400)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                body = DONE_PAGE if accepted else b"<!doctype html><p>Not a sign-in answer.</p>"
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return None  # the query holds the code: never log it

        self._server = HTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,))
        self._thread.daemon = True

    @property
    def redirect_uri(self) -> str:
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}/"

    def _offer(self, query: dict[str, str]) -> bool:
        given = query.get("state", "")
        if self._arrived.is_set() or not hmac.compare_digest(given, self._state):
            return False
        if "code" not in query and "error" not in query:
            return False
        self._answer = query
        self._arrived.set()
        return True

    def wait(self, timeout_s: float) -> dict[str, str]:
        if not self._arrived.wait(timeout_s) or self._answer is None:
            raise ConnectorError(
                f"no answer from the browser within {timeout_s:g} s",
                "open the URL shown, sign in as a Google Workspace admin, and allow access",
            )
        return self._answer

    def __enter__(self) -> Loopback:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
