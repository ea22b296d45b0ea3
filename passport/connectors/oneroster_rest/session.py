"""What the snapshot and the writer share: the HTTP client, the settings, the knobs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from passport.connectors.oneroster_rest.fields import COLLECTIONS
from passport.connectors.oneroster_rest.http import Http
from passport.connectors.oneroster_rest.settings import RestSettings, Tuning

Progress = Callable[[str, int, int | None], None]


def no_progress(stage: str, done: int, total: int | None) -> None:
    return None


@dataclass
class Session:
    http: Http
    settings: RestSettings
    tuning: Tuning
    progress: Progress = no_progress

    @property
    def base_url(self) -> str:
        return self.settings.base_url

    def collection_url(self, entity: str) -> str:
        return f"{self.base_url}/{COLLECTIONS[entity][0]}"

    def record_url(self, entity: str, key: str) -> str:
        return f"{self.collection_url(entity)}/{quote(key, safe='')}"
