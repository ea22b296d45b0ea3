"""What every runner function shares: settings, loading activations, the open store."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from passport import config
from passport.errors import PassportError
from passport.model import Activation
from passport.plan.sources import Progress, no_progress
from passport.store import Store, open_store


@dataclass
class Settings:
    store_url: str | None = None
    configs_dir: str = "configs"
    progress: Progress = no_progress
    today: date | None = None
    # Read the application in full: ignoring watermarks, and reading source files that
    # did not change since the last apply too.
    full: bool = False
    notice: Callable[[str], None] | None = None  # told when opening migrated the store
    # A git ref (the protected branch): connect only activations whose hosts and secret
    # references are the ones they have there; plan the others offline.
    trusted_base: str | None = None

    def day(self) -> date:
        return self.today or date.today()


def load(ref: str, settings: Settings) -> Activation:
    paths = config.find_activations([ref], settings.configs_dir)
    if len(paths) != 1:
        raise PassportError(
            f"{ref!r} names {len(paths)} activations; apply takes exactly one",
            "name one activation file, e.g. configs/canvas.yaml",
        )
    return config.load_activation(paths[0])


def load_all(refs: list[str], settings: Settings) -> list[Path]:
    return config.find_activations(refs or [settings.configs_dir], settings.configs_dir)


@contextmanager
def opened_store(settings: Settings) -> Iterator[Store]:
    store = open_store(settings.store_url, notice=settings.notice)
    try:
        yield store
    finally:
        store.close()


@contextmanager
def bulk_work() -> Iterator[None]:
    """Plans and applies allocate millions of small acyclic objects (index entries, record
    dicts). The cyclic garbage collector would walk them over and over for nothing (about
    a quarter of a large plan's time): pause it for the duration."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


PLAN_KEY_VAR = "PASSPORT_PLAN_KEY"


def plan_key(store: Store) -> bytes:
    """The key that seals saved plans: $PASSPORT_PLAN_KEY when set (a pipeline secret, so
    plans made in one job apply in another), else the store's own key."""
    given = os.environ.get(PLAN_KEY_VAR)
    if given is None:
        return store.plan_key()
    if len(given) < 16:
        raise PassportError(
            f"{PLAN_KEY_VAR} is too short to seal plans (fewer than 16 characters)",
            f"set {PLAN_KEY_VAR} to a long random secret, or unset it to use the store's key",
        )
    return given.encode("utf-8")
