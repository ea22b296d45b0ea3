"""`passport plan` over many activations: each planned on its own, failures kept."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from passport import config
from passport.config.trust import untrusted
from passport.errors import ExitCode, PassportError
from passport.model import Activation, Plan
from passport.planfile import save_plan, save_to
from passport.render.errors import error_words
from passport.render.view import Failure
from passport.runner.planning import offline_plan, plan
from passport.runner.secret_check import check_secrets
from passport.runner.settings import Settings, load_all, opened_store, plan_key


@dataclass(frozen=True)
class FailedPlan:
    """An activation that could not be planned, and the error that stopped it."""

    source: str  # the activation file
    error: PassportError

    def failure(self) -> Failure:
        return Failure(self.source, error_words(self.error), self.error.problems, self.error.hint)


@dataclass(frozen=True)
class PlanSet:
    """The plans of one `passport plan`, the activations that failed, and where plans went."""

    plans: tuple[Plan, ...]
    failed: tuple[FailedPlan, ...]
    asked: int  # activations the references named
    saved: tuple[Path, ...] = ()  # plan files written for --out, in plan order

    @property
    def several(self) -> bool:
        return self.asked > 1

    @property
    def failures(self) -> list[Failure]:
        return [f.failure() for f in self.failed]

    def exit_code(self, detailed: bool = False) -> ExitCode:
        """Without `detailed`: 1 if any activation failed, else 0. With it (over every
        plan): any error 1, else any blocked plan 3, else any change 2, else 0."""
        if self.failed:
            return ExitCode.ERROR
        if not detailed:
            return ExitCode.OK
        if any(p.blocked for p in self.plans):
            return ExitCode.BLOCKED
        if any(p.has_changes for p in self.plans):
            return ExitCode.CHANGES
        return ExitCode.OK


def plan_many(
    refs: Sequence[str],
    settings: Settings,
    *,
    out: Path | None = None,
    on_failure: Callable[[FailedPlan], None] | None = None,
) -> PlanSet:
    """Plan every activation `refs` name (all of the configs folder when empty), each on
    its own: one that fails is recorded and the others still run.

    Before anything is connected, every activation is loaded and every secret reference
    of every one of them resolved, so one run names all that is missing. `out` saves each
    plan (`--out`); `on_failure` hears of each failure as soon as it is known."""
    paths = load_all(list(refs), settings)
    save = save_to(out, len(paths)) if out is not None else None
    failed: dict[Path, FailedPlan] = {}

    def fail(path: Path, error: PassportError) -> None:
        failed[path] = FailedPlan(str(path), error)
        if on_failure is not None:
            on_failure(failed[path])

    ready: list[Path] = []
    offline: dict[Path, Plan] = {}
    for path in paths:
        try:
            activation = config.load_activation(path)
            reasons = _distrust(activation, path, settings)
            if reasons:
                assert settings.trusted_base is not None
                offline[path] = offline_plan(activation, reasons, settings.trusted_base)
                continue
            check_secrets(activation)
        except PassportError as error:
            fail(path, error)
            continue
        ready.append(path)
    plans, saved = [], []
    key = b""
    if save is not None and ready:
        with opened_store(settings) as store:
            key = plan_key(store)
    for path in paths:
        if path in offline:
            plans.append(offline[path])  # never saved: there is nothing to apply
            continue
        if path not in ready:
            continue
        try:
            made = plan(path, settings)
        except PassportError as error:
            fail(path, error)
            continue
        plans.append(made)
        if save is not None:
            saved.append(save_plan(save.path(made.activation), made, key))
    in_order = tuple(failed[p] for p in paths if p in failed)
    return PlanSet(tuple(plans), in_order, len(paths), tuple(saved))


def _distrust(activation: Activation, path: Path, settings: Settings) -> list[str]:
    """Why the activation may not connect under `--trusted-base`; empty when it may."""
    if settings.trusted_base is None:
        return []
    return untrusted(settings.trusted_base, path, activation)
