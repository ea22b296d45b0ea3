"""The inventory says what a plan sends: every field's treatment, checked against the
records an export plan really carries, for every shield level and override."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pytest
from memory_app import MemoryApp, activation, district, make_plan, run_apply

from passport.connectors import registry
from passport.mapping.shield import PrivacyShield
from passport.model import Action, Activation, Direction, Mode, SchoolMap, Shield, Value
from passport.oneroster import SPECS
from passport.privacy.categories import UNCATEGORISED, shipped
from passport.privacy.inventory import Treatment, inventory_of
from passport.store import Store

KEY = "a-test-shield-key"
EVERY_USER_FIELD: dict[str, Value] = {
    "enabledUser": "true",
    "orgSourcedIds": ["0001"],
    "role": "student",
    "username": "ben.okafor",
    "userIds": ["{LDAP:ben}"],
    "givenName": "Ben",
    "familyName": "Okafor",
    "middleName": "Tunde",
    "identifier": "S-1001",
    "email": "ben.okafor@springfield.example",
    "sms": "555-0100",
    "phone": "555-0101",
    "agentSourcedIds": ["t1"],
    "grades": ["07"],
    "userMasterIdentifier": "M-1001",
    "resourceSourcedIds": ["r-1"],
    "preferredGivenName": "Benny",
    "preferredMiddleName": "T",
    "preferredFamilyName": "Okafor-Smith",
    "primaryOrgSourcedId": "0001",
    "pronouns": "he/him",
}
EVERY_DEMOGRAPHIC: dict[str, Value] = {
    "birthDate": "2011-04-02",
    "sex": "male",
    "americanIndianOrAlaskaNative": "false",
    "asian": "false",
    "blackOrAfricanAmerican": "true",
    "nativeHawaiianOrOtherPacificIslander": "false",
    "white": "false",
    "demographicRaceTwoOrMoreRaces": "false",
    "hispanicOrLatinoEthnicity": "false",
    "countryOfBirthCode": "US",
    "stateOfBirthAbbreviation": "IL",
    "cityOfBirth": "Springfield",
    "publicSchoolResidenceStatus": "01652",
}

SHIELDS = {
    "off": Shield(),
    "level 1": Shield(True, 1),
    "level 2": Shield(True, 2),
    "level 3": Shield(True, 3),
    "level 3, overrides": Shield(
        True,
        3,
        {
            "users.email": "keep",
            "users.phone": "drop",
            "users.identifier": "mask",
            "users.sms": "generalize",  # no effect on a phone number: sent raw
            "demographics.sex": "drop",
        },
    ),
    "level 1, birthDate generalised": Shield(True, 1, {"demographics.birthDate": "generalize"}),
}
ATTRIBUTES: dict[str, Mapping[str, str | tuple[str, ...]]] = {
    "everything": {e: "all" for e in SPECS},
    "some users fields": {
        "orgs": "all",
        "users": ("enabledUser", "orgSourcedIds", "role", "givenName", "email", "phone"),
        "demographics": ("birthDate",),
    },
}


def loaded(store: Store) -> None:
    sis = MemoryApp()
    district(sis, "0001")
    sis.put("users", "s9", **EVERY_USER_FIELD)
    sis.put("demographics", "s9", **EVERY_DEMOGRAPHIC)
    act = activation("sis", schools=(("0001", "0001"),))
    run_apply(act, sis, store, make_plan(act, sis, store))


def export(shield: Shield, attributes: Mapping[str, str | tuple[str, ...]]) -> Activation:
    return Activation(
        name="lms",
        application="oneroster-csv",
        mode=Mode.EXPORT,
        delivery={},
        schools=(SchoolMap("0001", "0001"),),
        attributes=attributes,
        shield=shield,
    )


def seen_as(stored: Value, sent: Value | None) -> str:
    """What the application got of a value, in the inventory's words."""
    if sent is None:
        return "absent"
    if sent == stored:
        return "raw"
    if isinstance(stored, str) and isinstance(sent, str) and stored.startswith(sent):
        return "generalised"
    return "pseudonymised"


def said(treatment: Treatment) -> str:
    return "absent" if treatment in (Treatment.DROPPED, Treatment.NOT_SHARED) else treatment


@pytest.mark.parametrize("attributes", sorted(ATTRIBUTES))
@pytest.mark.parametrize("shield", sorted(SHIELDS))
def test_the_inventory_is_what_the_plan_sends(store: Store, shield: str, attributes: str) -> None:
    loaded(store)
    act = export(SHIELDS[shield], ATTRIBUTES[attributes])
    outgoing = PrivacyShield(act.shield, KEY) if act.shield.enabled else None
    # The application's own field map, as the runner plans with it (a 1.1 bundle holds
    # no 1.2-only field).
    fields = registry.get(act.application).field_map(act)
    extra = {"outgoing": outgoing} if outgoing else {}
    plan = make_plan(act, MemoryApp(), store, fields=fields, **extra)
    inventory = inventory_of(act, shipped())
    checked = 0
    for change in plan.changes:
        assert change.action is Action.CREATE and change.direction is Direction.EXPORT
        stored = store.get(change.entity, [change.key])[change.key].fields
        sent = change.agreed_fields() or {}
        for name, value in stored.items():
            row = inventory.row(change.entity, name)
            assert row is not None
            assert said(row.treatment) == seen_as(value, sent.get(name)), (row, sent.get(name))
            checked += 1
    assert checked > 40


def test_a_field_not_listed_is_not_shared_and_an_entity_not_listed_neither() -> None:
    act = export(Shield(), ATTRIBUTES["some users fields"])
    inventory = inventory_of(act, shipped())
    assert inventory.row("users", "familyName").treatment is Treatment.NOT_SHARED  # type: ignore[union-attr]
    assert {f.treatment for f in inventory.fields if f.entity == "enrollments"} == {
        Treatment.NOT_SHARED
    }
    assert inventory.entities() == ["orgs", "users", "demographics"]


def test_directions_follow_the_mode_and_the_shield() -> None:
    two_way = Activation(
        name="canvas",
        application="oneroster-csv",
        mode=Mode.TWO_WAY,
        delivery={},
        attributes={"users": ("role", "givenName", "phone")},
        shield=Shield(True, 2, {"users.phone": "drop"}),
    )
    inventory = inventory_of(two_way, shipped())
    ways = {f.field: (f.treatment.value, f.direction) for f in inventory.shared()}
    assert ways == {
        "sourcedId": ("raw", "both"),
        "role": ("raw", "both"),
        "givenName": ("pseudonymised", "out"),  # a shielded field never comes back
        "phone": ("dropped", ""),
    }
    imported = inventory_of(
        Activation("sis", "oneroster-csv", Mode.IMPORT, {}, attributes={"users": "all"}),
        shipped(),
    )
    assert {f.direction for f in imported.shared()} == {"in"}
    assert imported.sent() == []


@pytest.mark.parametrize("entity", sorted(SPECS))
def test_every_oneroster_field_has_a_category(entity: str) -> None:
    categories = shipped()
    missing = [
        name
        for name in ("sourcedId", *SPECS[entity].fields)
        if categories.category_id(entity, name) == UNCATEGORISED
    ]
    assert missing == [], f"map them in passport/privacy/categories.yaml: {missing}"


def test_a_field_nobody_mapped_is_uncategorised_and_a_district_can_map_it() -> None:
    categories = shipped()
    assert categories.category_id("users", "metadata.iep") == UNCATEGORISED
    district = categories.extended([], {"users.metadata.*": "special-indicators"})
    assert district.category_id("users", "metadata.iep") == "special-indicators"
    own = district.extended(
        [], {"users.email": "identifiers", "users.metadata.iep": "demographics"}
    )
    assert own.category_id("users", "email") == "identifiers"  # the district's rule wins
    assert own.category_id("users", "metadata.iep") == "demographics"  # exact beats pattern
    assert own.category_id("users", "metadata.ell") == "special-indicators"


def test_an_expired_agreement_is_expired_only_after_its_last_day() -> None:
    from passport.model import Agreement

    agreement = Agreement("a.yaml", "V", date(2024, 1, 1), date(2026, 6, 30))
    assert not agreement.expired(date(2026, 6, 30)) and agreement.expired(date(2026, 7, 1))
