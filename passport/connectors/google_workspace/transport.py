"""google-auth's `Request` over httpx, so token requests share the one HTTP stack.

Every secret that passes through (an assertion, a refresh token, a client secret, an
authorization code, the tokens that come back) is handed to the Redactor first, so no
error google-auth raises from an echoed body can show it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

import google.auth.exceptions
import google.auth.transport
import httpx
import orjson

from passport.connectors.google_workspace.problems import Redactor, clean_url

SECRET_FORM_FIELDS = ("assertion", "refresh_token", "client_secret", "code", "code_verifier")
SECRET_ANSWER_FIELDS = ("access_token", "refresh_token", "id_token")


class Response(google.auth.transport.Response):
    def __init__(self, response: httpx.Response) -> None:
        self._response = response

    @property
    def status(self) -> int:
        return self._response.status_code

    @property
    def headers(self) -> Mapping[str, str]:
        return self._response.headers

    @property
    def data(self) -> bytes:
        return self._response.content


class HttpxRequest(google.auth.transport.Request):
    """What google-auth calls to reach a token endpoint."""

    def __init__(self, client: httpx.Client, redactor: Redactor, timeout_s: float = 60.0) -> None:
        self._client = client
        self._redact = redactor
        self._timeout_s = timeout_s

    def __call__(
        self,
        url: str,
        method: str = "GET",
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> Response:
        self._learn_form(body)
        try:
            answer = self._client.request(
                method,
                url,
                content=body,
                headers=dict(headers or {}),
                timeout=timeout or self._timeout_s,
            )
        except httpx.HTTPError as error:
            problem = f"{method} {clean_url(url)} failed: {type(error).__name__}"
            raise google.auth.exceptions.TransportError(  # type: ignore[no-untyped-call]
                self._redact(problem)
            ) from None
        self._learn_answer(answer.content)
        return Response(answer)

    def _learn_form(self, body: bytes | None) -> None:
        if not body:
            return
        try:
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=False)
        except UnicodeDecodeError:
            return
        for name, value in pairs:
            if name in SECRET_FORM_FIELDS:
                self._redact.add(value)

    def _learn_answer(self, content: bytes) -> None:
        try:
            data = orjson.loads(content) if content else None
        except orjson.JSONDecodeError:
            return
        if isinstance(data, dict):
            for name in SECRET_ANSWER_FIELDS:
                value = data.get(name)
                if isinstance(value, str):
                    self._redact.add(value)
