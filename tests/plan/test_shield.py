"""The Privacy Shield: deterministic, keyed, shaped pseudonyms on the way out only."""

from __future__ import annotations

import re

from memory_app import MemoryApp, activation, district, make_plan, run_apply

from passport.mapping.shield import PrivacyShield
from passport.model import Mode, Shield
from passport.store import Store

ADA = {
    "givenName": "Ada",
    "familyName": "Okafor",
    "email": "ada.okafor@springfield.org",
    "username": "aokafor",
    "phone": "+1 555 0100",
    "role": "student",
}


def test_same_key_same_pseudonym_other_key_other_pseudonym() -> None:
    one = PrivacyShield(Shield(enabled=True, level=2), "key-one")("users", "s1", ADA)
    again = PrivacyShield(Shield(enabled=True, level=2), "key-one")("users", "s1", ADA)
    other = PrivacyShield(Shield(enabled=True, level=2), "key-two")("users", "s1", ADA)
    assert one == again
    for name in ("givenName", "familyName", "email"):
        assert one[name] != other[name] and one[name] != ADA[name]
    assert one["role"] == "student" and one["username"] == "aokafor"  # not in level 2


def test_pseudonyms_keep_the_shape_applications_expect() -> None:
    shield = Shield(enabled=True, level=3, email_domain="pseudo.example.edu")
    out = PrivacyShield(shield, "k")("users", "s1", ADA)
    assert str(out["givenName"]).startswith("A") and str(out["familyName"]).startswith("O")
    assert re.fullmatch(r"a[a-z2-7]{12}@pseudo\.example\.edu", str(out["email"]))
    assert re.fullmatch(r"\+\d \d{3} \d{4}", str(out["phone"]))
    birth = PrivacyShield(shield, "k")("demographics", "s1", {"birthDate": "2011-04-02"})
    assert birth == {"birthDate": "2011"}


def test_overrides_drop_keep_and_mask() -> None:
    shield = Shield(
        enabled=True,
        level=2,
        fields={"users.phone": "drop", "users.email": "keep", "users.role": "mask"},
    )
    out = PrivacyShield(shield, "k")("users", "s1", ADA)
    assert "phone" not in out
    assert out["email"] == ADA["email"]
    assert out["role"] != "student"


def test_no_two_people_share_an_email_pseudonym() -> None:
    shield = PrivacyShield(Shield(enabled=True, level=2), "k")
    emails = {shield("users", f"u{n}", {"email": "same@x.org"})["email"] for n in range(20000)}
    assert len(emails) == 20000


def test_export_sends_pseudonyms_and_the_store_keeps_real_values(store: Store) -> None:
    sis = MemoryApp()
    district(sis)
    importer = activation("sis")
    run_apply(importer, sis, store, make_plan(importer, sis, store))
    lms = MemoryApp()
    act = activation(
        "lms",
        Mode.EXPORT,
        schools=(("L-1", "lincoln"),),
        shield=Shield(enabled=True, level=2, key="${env:X}"),
    )
    shield = PrivacyShield(act.shield, "secret-key")
    run_apply(act, lms, store, make_plan(act, lms, store, outgoing=shield))
    sent = lms.records["users"]["s1"].fields
    assert sent["givenName"] != "Ben" and str(sent["givenName"]).startswith("B")
    assert store.get("users", ["s1"])["s1"].fields["givenName"] == "Ben"
    fresh = PrivacyShield(act.shield, "secret-key")
    assert make_plan(act, lms, store, outgoing=fresh).changes == ()
