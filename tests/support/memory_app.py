"""An application side held in memory, for testing the plan and apply on a real store."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

from passport.apply import ApplyContext, Outcome, execute
from passport.connectors.base import WriteOp, WriteResult
from passport.errors import Problem
from passport.mapping.fields import FieldMap
from passport.mapping.sharing import Outgoing, no_transform
from passport.model import Action, Activation, Mode, Plan, Record, SchoolMap
from passport.plan.builder import PlanInputs, build_plan
from passport.store import Store


@dataclass
class MemoryApp:
    """A OneRoster application in memory: records per entity, complete or delta."""

    records: dict[str, dict[str, Record]] = field(default_factory=dict)
    delta: set[str] = field(default_factory=set)
    writes: list[WriteOp] = field(default_factory=list)
    fail_keys: set[str] = field(default_factory=set)
    # Set once a plan is made: apply must carry it out without reading the application.
    sealed: bool = False

    def put(self, entity: str, key: str, **fields: str | list[str]) -> None:
        self.records.setdefault(entity, {})[key] = Record(key, dict(fields))

    def remove(self, entity: str, key: str) -> None:
        del self.records[entity][key]

    # AppSide / Snapshot
    def read(self, entity: str, keys: Collection[str] | None = None) -> Iterator[Record]:
        if self.sealed:
            raise AssertionError(f"the application was read again ({entity})")
        for key, rec in self.records.get(entity, {}).items():
            if keys is None or key in keys:
                yield rec

    def is_complete(self, entity: str) -> bool:
        return entity not in self.delta

    def watermark(self, entity: str) -> str | None:
        return None

    @property
    def warnings(self) -> list[Problem]:
        return []

    # Connector
    def write(self, ops: Sequence[WriteOp]) -> list[WriteResult]:
        results = []
        for op in ops:
            if op.key in self.fail_keys:
                results.append(WriteResult(op, False, "refused by the application"))
                continue
            self.writes.append(op)
            if op.action is Action.DELETE:
                self.records.get(op.entity, {}).pop(op.key, None)
            else:
                self.records.setdefault(op.entity, {})[op.key] = Record(
                    op.key, dict(op.fields or {})
                )
            results.append(WriteResult(op, True))
        return results

    def snapshot(self, *args: object, **kwargs: object) -> MemoryApp:
        return self

    def close(self) -> None:
        return None


def activation(
    name: str = "sis",
    mode: Mode = Mode.IMPORT,
    schools: Sequence[tuple[str, str]] = (("0001", "lincoln"),),
    **kwargs: object,
) -> Activation:
    return Activation(
        name=name,
        application="memory",
        mode=mode,
        delivery={},
        schools=tuple(SchoolMap(a, s) for a, s in schools),
        digest=f"config-of-{name}",
        **kwargs,  # type: ignore[arg-type]
    )


def make_plan(
    act: Activation,
    app: MemoryApp,
    store: Store,
    today: date | None = None,
    outgoing: Outgoing = no_transform,
    fields: FieldMap | None = None,
) -> Plan:
    return build_plan(
        PlanInputs(
            activation=act,
            app=app,
            store=store,
            today=today or date(2026, 11, 29),
            now="now",
            outgoing=outgoing,
            fields=fields,
        )
    )


def run_apply(act: Activation, app: MemoryApp, store: Store, plan: Plan) -> Outcome:
    ctx = ApplyContext(
        activation=act.name,
        store=store,
        connector=app,
        atomic_writes=False,
        outgoing_base=act.mode is not Mode.IMPORT,
        progress=lambda stage, done, total: None,
        checkpoint=lambda: None,
    )
    return execute(plan, ctx)


def district(app: MemoryApp, school: str = "0001", prefix: str = "") -> None:
    """A district org, one school, a course, a class, a teacher, two students."""
    p = prefix
    app.put("orgs", "district", name="Springfield USD", type="district")
    app.put("orgs", school, name=f"School {school}", type="school", parentSourcedId="district")
    app.put(
        "academicSessions",
        "2026",
        title="2026-27",
        type="schoolYear",
        startDate="2026-08-15",
        endDate="2027-06-30",
        schoolYear="2027",
    )
    app.put("courses", f"{p}c1", title="Algebra", orgSourcedId=school)
    app.put(
        "classes",
        f"{p}k1",
        title="Algebra 1",
        courseSourcedId=f"{p}c1",
        classType="scheduled",
        schoolSourcedId=school,
        termSourcedIds=["2026"],
    )
    for uid, role, given in (
        (f"{p}t1", "teacher", "Ada"),
        (f"{p}s1", "student", "Ben"),
        (f"{p}s2", "student", "Cy"),
    ):
        app.put(
            "users",
            uid,
            enabledUser="true",
            orgSourcedIds=[school],
            role=role,
            username=f"{uid}@x.org",
            givenName=given,
            familyName="Okafor",
        )
        app.put(
            "enrollments",
            f"{p}e-{uid}",
            classSourcedId=f"{p}k1",
            schoolSourcedId=school,
            userSourcedId=uid,
            role=role,
        )
    app.put("demographics", f"{p}s1", birthDate="2011-04-02", sex="female")
