"""Access tokens from google-auth: a service account's JWT-bearer grant (domain-wide
delegation, acting as `admin`) or a refresh token from `passport login google`.

google-auth signs the JWT and refreshes the token; it reaches the token endpoint through
`HttpxRequest`. A token is refreshed shortly before it expires, and once more after a 401.
"""

from __future__ import annotations

import threading
from typing import Any, Protocol, cast

import google.auth.exceptions
import google.oauth2.credentials
import google.oauth2.service_account
import orjson

from passport.connectors.google_workspace.problems import HINTS, ApiError, Redactor, clean_url
from passport.connectors.google_workspace.settings import GoogleSettings, ServiceAccount, UserLogin
from passport.connectors.google_workspace.transport import HttpxRequest

KEY_FIELDS = ("client_email", "private_key")


class Refreshable(Protocol):
    token: str | None

    @property
    def valid(self) -> bool: ...

    def refresh(self, request: Any) -> None: ...


class Authorizer:
    """Gives the Authorization header for API calls, refreshing the token as needed."""

    def __init__(
        self, credentials: Refreshable, request: HttpxRequest, redactor: Redactor, token_url: str
    ) -> None:
        self._credentials = credentials
        self._request = request
        self._redact = redactor
        self._token_url = token_url
        self._lock = threading.Lock()
        self.refreshes = 0

    def header(self) -> str:
        with self._lock:
            if not self._credentials.valid or not self._credentials.token:
                self._refresh()
            return f"Bearer {self._credentials.token}"

    def rejected(self, header: str) -> None:
        """After a 401 for `header`: fetch a new token on the next call (once per token)."""
        with self._lock:
            if header == f"Bearer {self._credentials.token}":
                self._credentials.token = None

    def _refresh(self) -> None:
        try:
            self._credentials.refresh(self._request)
        except google.auth.exceptions.RefreshError as error:
            raise self._refused(error) from None
        except google.auth.exceptions.TransportError as error:
            where = clean_url(self._token_url)
            raise ApiError(self._redact(f"cannot reach {where}: {error}")) from None
        except (ValueError, TypeError) as error:
            # google-auth raises these for a key it cannot sign with.
            raise ApiError(
                "the service account key cannot sign a token "
                f"({type(error).__name__}): check service_account_key"
            ) from None
        self.refreshes += 1
        self._redact.add(self._credentials.token)

    def _refused(self, error: google.auth.exceptions.RefreshError) -> ApiError:
        details = error.args[1] if len(error.args) > 1 else None
        code = details.get("error") if isinstance(details, dict) else None
        code = code if isinstance(code, str) else None
        reason = self._redact(
            f"{clean_url(self._token_url)} refused the token request: {error.args[0]}"
        )
        return ApiError(reason, 400, code, HINTS.get(code or "", HINTS["invalid_grant"]))


def authorizer(settings: GoogleSettings, request: HttpxRequest, redactor: Redactor) -> Authorizer:
    auth = settings.auth
    if isinstance(auth, ServiceAccount):
        credentials: Refreshable = service_account(auth, settings, redactor)
    else:
        credentials = user_login(auth, settings, redactor)
    return Authorizer(credentials, request, redactor, settings.token_url)


def service_account(
    auth: ServiceAccount, settings: GoogleSettings, redactor: Redactor
) -> google.oauth2.service_account.Credentials:
    redactor.add(auth.key_json)
    info = _key_info(auth.key_json)
    for name in ("private_key", "private_key_id"):
        value = info.get(name)
        redactor.add(value if isinstance(value, str) else None)
    info = {**info, "token_uri": settings.token_url}
    try:
        made = google.oauth2.service_account.Credentials.from_service_account_info(  # type: ignore[no-untyped-call]
            info, scopes=list(settings.scopes), subject=auth.admin
        )
    except (ValueError, TypeError, KeyError) as error:
        raise ApiError(
            f"service_account_key is not a usable key ({type(error).__name__})",
            hint="download a JSON key for the service account in the Google Cloud console",
        ) from None
    return cast(google.oauth2.service_account.Credentials, made)


def _key_info(key_json: str) -> dict[str, Any]:
    try:
        info = orjson.loads(key_json)
    except orjson.JSONDecodeError:
        info = None
    missing = [name for name in KEY_FIELDS if not isinstance(info, dict) or not info.get(name)]
    if missing or not isinstance(info, dict):
        raise ApiError(
            "service_account_key is not a service account key file "
            f"(JSON with {' and '.join(KEY_FIELDS)})",
            hint="download a JSON key for the service account in the Google Cloud console",
        )
    return info


def user_login(
    auth: UserLogin, settings: GoogleSettings, redactor: Redactor
) -> google.oauth2.credentials.Credentials:
    for secret in (auth.client_secret, auth.refresh_token):
        redactor.add(secret)
    return google.oauth2.credentials.Credentials(  # type: ignore[no-untyped-call]
        token=None,
        refresh_token=auth.refresh_token,
        token_uri=settings.token_url,
        client_id=auth.client_id,
        client_secret=auth.client_secret,
        scopes=list(settings.scopes),
    )
