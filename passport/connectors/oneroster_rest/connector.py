"""The `oneroster-rest` application: a OneRoster 1.1 or 1.2 REST service."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from passport.connectors.base import ConnectContext, WriteOp, WriteResult
from passport.connectors.oneroster_rest import settings as settings_module
from passport.connectors.oneroster_rest.auth import Authenticator, OAuth1, OAuth2
from passport.connectors.oneroster_rest.http import Http
from passport.connectors.oneroster_rest.problems import Redactor
from passport.connectors.oneroster_rest.session import Progress, Session, no_progress
from passport.connectors.oneroster_rest.settings import RestSettings, Tuning
from passport.connectors.oneroster_rest.snapshot import RestSnapshot
from passport.connectors.oneroster_rest.writer import Writer
from passport.errors import ConnectorError


class RestConnector:
    def __init__(
        self,
        settings: RestSettings,
        *,
        client: httpx.Client | None = None,
        tuning: Tuning | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.settings = settings
        self.tuning = tuning or settings_module.DEFAULT_TUNING
        self._owns_client = client is None
        self.client = client or _new_client(settings, self.tuning)
        self.redactor = Redactor()
        self.redactor.add_pair(settings.client_id, settings.client_secret)
        http = Http(
            self.client, timeout_s=settings.timeout_s, tuning=self.tuning, redactor=self.redactor
        )
        http.auth = self.auth = _authenticator(settings, http, self.tuning, self.redactor)
        self.session = Session(http, settings, self.tuning, progress or no_progress)
        self._snapshots: list[RestSnapshot] = []
        self._writer = Writer(self.session, self._raws)

    def snapshot(
        self,
        entities: Sequence[str],
        *,
        full: bool = True,
        watermarks: Mapping[str, str] | None = None,
    ) -> RestSnapshot:
        snap = RestSnapshot(self.session, entities, full=full, watermarks=watermarks)
        self._snapshots.append(snap)
        return snap

    def write(self, ops: Sequence[WriteOp]) -> list[WriteResult]:
        if not self.settings.write:
            raise ConnectorError(
                "this oneroster-rest service is read-only here (delivery.write is false)",
                "set write: true when the service accepts PUT and DELETE",
            )
        return self._writer.write(ops)

    def close(self) -> None:
        self.session.http.close()
        for snap in self._snapshots:
            snap.close()
        self._snapshots.clear()
        if self._owns_client:
            self.client.close()

    def _raws(self, entity: str, keys: list[str]) -> dict[str, Any]:
        """The records as last read, for updates to keep what passport does not own."""
        for snap in reversed(self._snapshots):
            if snap.has_read(entity):
                return dict(snap.raw(entity, keys))
        return {}


def _new_client(settings: RestSettings, tuning: Tuning) -> httpx.Client:
    connections = max(tuning.concurrency, tuning.write_concurrency) + 2
    return httpx.Client(
        timeout=httpx.Timeout(settings.timeout_s),
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
        follow_redirects=False,
    )


def _authenticator(
    settings: RestSettings, http: Http, tuning: Tuning, redactor: Redactor
) -> Authenticator:
    if settings.auth == "oauth1":
        return OAuth1(settings.client_id, settings.client_secret, redactor=redactor)
    assert settings.auth_url is not None
    return OAuth2(
        http.post_form,
        settings.auth_url,
        settings.client_id,
        settings.client_secret,
        settings.scopes,
        redactor=redactor,
        margin_s=tuning.token_margin_s,
    )


def connect(delivery: Mapping[str, Any], ctx: ConnectContext) -> RestConnector:
    """The factory the registry calls, with secrets resolved. Tests may pass an
    `httpx.Client` as `ctx.http_client` and a `Tuning` as `ctx.extra["tuning"]`."""
    tuning = ctx.extra.get("tuning")
    return RestConnector(
        RestSettings.from_delivery(delivery),
        client=ctx.http_client,
        tuning=tuning if isinstance(tuning, Tuning) else None,
        progress=ctx.progress,
    )
