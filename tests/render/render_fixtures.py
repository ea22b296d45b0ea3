"""Plans built directly, for rendering tests: fixed values, so renderings are exact."""

from __future__ import annotations

from passport.model import (
    Action,
    Breach,
    Change,
    Conflict,
    Direction,
    EntitySummary,
    Fingerprint,
    Mode,
    Plan,
    Suppressed,
)

PRINT = Fingerprint("c" * 32, "s" * 32, "a" * 32)
WHEN = "2027-03-01T08:00:00Z"
IMP, EXP = Direction.IMPORT, Direction.EXPORT
SCRIPT = "<script>alert(1)</script>"

# Personal data that must never appear in a rendering without --show-pii.
SECRETS = ("Ada", "Lovelace", "ada@lincoln.example.edu", "Grace", "Hopper", "g.hopper@x.edu")


def _student(key: str, given: str, family: str, email: str) -> dict[str, str | list[str]]:
    return {
        "enabledUser": "true",
        "role": "student",
        "username": key,
        "givenName": given,
        "familyName": family,
        "email": email,
        "orgSourcedIds": ["sch-001"],
        "grades": ["09"],
    }


def import_plan() -> Plan:
    """An import with every action, PII in records, a hostile title and a held delete."""
    ada = _student("u-ada", "Ada", "Lovelace", "ada@lincoln.example.edu")
    changes = (
        Change(
            "classes",
            "cl-1",
            Action.CREATE,
            IMP,
            after={"title": SCRIPT, "classType": "scheduled"},
            identity={"title": SCRIPT},
            school="sch-001",
        ),
        Change(
            "users",
            "u-ada",
            Action.CREATE,
            IMP,
            after=ada,
            identity={"role": "student", "givenName": "Ada", "familyName": "Lovelace"},
            school="sch-001",
        ),
        Change(
            "users",
            "u-grace",
            Action.UPDATE,
            IMP,
            before={"grades": ["09"], "email": "grace@old.edu"},
            after={"grades": ["10"], "email": "g.hopper@x.edu"},
            changed=("email", "grades"),
            identity={"role": "student", "givenName": "Grace", "familyName": "Hopper"},
            school="sch-001",
        ),
        Change(
            "users",
            "u-link",
            Action.LINK,
            IMP,
            identity={"role": "teacher"},
            reason="takes ownership of an identical record",
        ),
        Change(
            "enrollments",
            "en-9",
            Action.DELETE,
            IMP,
            before={"classSourcedId": "cl-0", "userSourcedId": "u-old", "role": "student"},
            school="sch-001",
        ),
    )
    held = (
        Suppressed(
            "users",
            "u-gone",
            Action.DELETE,
            IMP,
            "rollover window 2027-02-15 to 2027-03-15: no deletes (summer rollover)",
        ),
    )
    summaries = (
        EntitySummary(IMP, "orgs", existing=5),
        EntitySummary(IMP, "classes", create=1, existing=40),
        EntitySummary(IMP, "users", create=1, update=1, link=1, suppressed=1, existing=120),
        EntitySummary(IMP, "enrollments", delete=1, existing=300),
    )
    return Plan(
        activation="sample-sis",
        application="oneroster-csv",
        mode=Mode.IMPORT,
        created_at=WHEN,
        fingerprint=PRINT,
        changes=changes,
        suppressed=held,
        summaries=summaries,
        warnings=("users.csv row 7: grades '13' is not a known grade; kept as written",),
    )


def blocked_plan(deletes: int = 30, existing: int = 100) -> Plan:
    """An import whose deletes go over the safety limit."""
    changes = tuple(
        Change("users", f"u-{i:03d}", Action.DELETE, IMP, before={"role": "student"})
        for i in range(deletes)
    )
    return Plan(
        activation="district-sis",
        application="oneroster-csv",
        mode=Mode.IMPORT,
        created_at=WHEN,
        fingerprint=PRINT,
        changes=changes,
        summaries=(EntitySummary(IMP, "users", delete=deletes, existing=existing),),
        breaches=(Breach(IMP, "users", Action.DELETE, deletes, existing, "10%"),),
    )


def two_way_plan() -> Plan:
    """A two-way plan with changes both ways, a blocking conflict and a settled one."""
    changes = (
        Change(
            "classes",
            "cl-7",
            Action.UPDATE,
            IMP,
            before={"title": "Algebra I"},
            after={"title": "Algebra 1"},
            changed=("title",),
            identity={"title": "Algebra I"},
        ),
        Change(
            "users",
            "u-ada",
            Action.UPDATE,
            EXP,
            before={"familyName": "Lovelace"},
            after={"familyName": "King"},
            changed=("familyName",),
            identity={"role": "student"},
        ),
    )
    conflicts = (
        Conflict(
            "users",
            "u-grace",
            "field",
            ("email", "grades"),
            store={"email": "grace@old.edu", "grades": ["10"]},
            app={"email": "g.hopper@x.edu", "grades": ["11"]},
            base={"email": "grace@old.edu", "grades": ["09"]},
        ),
        Conflict(
            "classes",
            "cl-8",
            "update-delete",
            ("title",),
            resolution="kept the update (update wins over delete)",
            store={"title": "Biology"},
            app=None,
        ),
    )
    summaries = (
        EntitySummary(IMP, "classes", update=1, conflicts=1, existing=40),
        EntitySummary(EXP, "classes", existing=40),
        EntitySummary(IMP, "users", conflicts=1, existing=120),
        EntitySummary(EXP, "users", update=1, existing=120),
    )
    return Plan(
        activation="canvas",
        application="oneroster-rest",
        mode=Mode.TWO_WAY,
        created_at=WHEN,
        fingerprint=PRINT,
        changes=changes,
        summaries=summaries,
        conflicts=conflicts,
        notes=("oneroster-rest does not accept demographics: not exported",),
    )


def quiet_plan() -> Plan:
    return Plan(
        activation="sample-lms",
        application="oneroster-csv",
        mode=Mode.EXPORT,
        created_at=WHEN,
        fingerprint=PRINT,
        summaries=(EntitySummary(EXP, "users", existing=120),),
    )


ENTITY_MIX = ("users", "enrollments", "classes")


def huge_plan(total: int) -> Plan:
    """`total` changes over three entities and three actions, built cheaply."""
    per = total // 9
    changes: list[Change] = []
    counts: dict[str, dict[str, int]] = {e: {} for e in ENTITY_MIX}
    for entity in ENTITY_MIX:
        for action in (Action.CREATE, Action.UPDATE, Action.DELETE):
            proto = Change(
                entity,
                "",
                action,
                IMP,
                before={"role": "student", "grades": ["09"]},
                after={"role": "student", "grades": ["10"]},
                changed=("grades",) if action is Action.UPDATE else (),
                identity={"role": "student", "givenName": "Ada"} if entity == "users" else {},
            )
            changes += [proto] * per
            counts[entity][action.value] = per
    summaries = tuple(EntitySummary(IMP, e, existing=total, **c) for e, c in counts.items())
    return Plan(
        activation="huge-sis",
        application="oneroster-csv",
        mode=Mode.IMPORT,
        created_at=WHEN,
        fingerprint=PRINT,
        changes=tuple(changes),
        summaries=summaries,
    )
