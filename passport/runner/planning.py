"""Planning one activation: connect, read both sides, build the plan, close."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from passport import config, secrets
from passport.connectors import registry
from passport.connectors.base import ConnectContext, Connector
from passport.errors import PlanError
from passport.mapping.scope import Scope
from passport.mapping.sharing import Outgoing, no_transform
from passport.mapping.shield import PrivacyShield
from passport.model import Activation, Fields, Fingerprint, Mode, Plan
from passport.plan.builder import PlanInputs, build_plan
from passport.runner.settings import Settings, bulk_work, load, opened_store
from passport.runs import now_iso
from passport.store import Store


@dataclass
class Planned:
    """A plan together with the open connection it was made over (for apply)."""

    activation: Activation
    plan: Plan
    connector: Connector
    atomic_writes: bool


@contextmanager
def planned(activation: Activation, store: Store, settings: Settings) -> Iterator[Planned]:
    """Connect, read both sides and build the plan; close the connection afterwards."""
    app = registry.get(activation.application)
    base_dir = str(Path(activation.source).parent) if activation.source else "."
    context = ConnectContext(
        base_dir=base_dir,
        mode=activation.mode.value,
        activation=activation.name,
        progress=settings.progress,
        # What an application reads of the store at apply time, for values it must not
        # put in a plan (Google's initial passwords from a template): records by key.
        extra={"store_records": _store_records(store)},
    )
    connector = registry.connect(activation, context)
    try:
        entities = Scope.of(activation).entities()
        marks = {} if settings.full else _watermarks(store, activation, entities)
        snapshot = connector.snapshot(entities, full=not marks, watermarks=marks)
        outgoing = outgoing_transform(activation, base_dir)
        inputs = PlanInputs(
            activation=activation,
            app=snapshot,
            store=store,
            today=settings.day(),
            now=now_iso(),
            readable=app.capabilities.reads,
            writable=app.capabilities.writes,
            outgoing=outgoing,
            progress=settings.progress,
            fields=app.field_map(activation),
            full=settings.full,
        )
        with bulk_work():
            plan = build_plan(inputs)
        _raise_problems(snapshot)
        warnings = [str(w) for w in snapshot.warnings]
        plan = replace(plan, warnings=tuple(warnings))
        yield Planned(activation, plan, connector, app.capabilities.atomic_writes)
    finally:
        connector.close()


def _store_records(store: Store) -> Callable[[str, list[str]], dict[str, Fields]]:
    def read(entity: str, keys: list[str]) -> dict[str, Fields]:
        return {key: rec.fields for key, rec in store.get(entity, keys).items()}

    return read


def _raise_problems(snapshot: object) -> None:
    """Problems of the application's files found while reading them (a file that cannot be
    decoded or parsed refuses its entity): every one of them, in one error."""
    raise_problems = getattr(snapshot, "raise_problems", None)
    if callable(raise_problems):
        raise_problems()


def outgoing_transform(activation: Activation, base_dir: str) -> Outgoing:
    """The Privacy Shield of an activation that exports, or no transform."""
    shield = activation.shield
    if not shield.enabled or activation.mode is Mode.IMPORT:
        return no_transform
    if not shield.key:
        raise PlanError(
            f"activation {activation.name!r} enables the Privacy Shield without a key",
            "set privacy_shield.key to a ${env:NAME} or ${file:PATH} reference",
        )
    return PrivacyShield(shield, secrets.resolve(shield.key, base_dir))


def _watermarks(store: Store, activation: Activation, entities: list[str]) -> dict[str, str]:
    if activation.mode is Mode.EXPORT:
        return {}
    found = {e: store.watermark(activation.name, e) for e in entities}
    return {e: m for e, m in found.items() if m}


def plan(ref: str | Path, settings: Settings) -> Plan:
    activation = config.load_activation(Path(ref)) if isinstance(ref, Path) else load(ref, settings)
    with opened_store(settings) as store, planned(activation, store, settings) as result:
        return result.plan


def offline_plan(activation: Activation, reasons: list[str], trusted_base: str) -> Plan:
    """The plan of an activation not trusted to connect: nothing read, nothing resolved."""
    why = "; ".join(reasons)
    return Plan(
        activation=activation.name,
        application=activation.application,
        mode=activation.mode,
        created_at=now_iso(),
        fingerprint=Fingerprint(activation.digest, "", ""),
        offline=(
            f"its connection settings are not the ones trusted at {trusted_base}: {why}. "
            "Nothing was read from the application and no secret was resolved; once the "
            "change is merged, plans connect again"
        ),
    )
