"""Templates, address cleaning and linking: the pure parts of Google's field map, with
properties for what must hold whatever the names are."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from passport.cli import main
from passport.connectors.google_workspace.linking import CREATED, LINKED, link
from passport.connectors.google_workspace.templates import (
    TemplateError,
    ascii_of,
    clean_email,
    parse,
)

GOOGLE_LOCAL = re.compile(r"^[a-z0-9_'-]+(\.[a-z0-9_'-]+)*$")


def test_filters_transliterate_and_cut() -> None:
    template = parse("{givenName|ascii|lower}.{familyName|ascii|lower}{gradYear|last2}@{domain}")
    values = {
        "givenName": "Zoë",
        "familyName": "Øster-Straße",
        "gradYear": "2031",
        "domain": "d.org",
    }
    assert template.render(values) == "zoe.oster-strasse31@d.org"
    assert parse("/Grade {grades[0]|int}").render({"grades": ["09", "10"]}) == "/Grade 9"
    assert (
        parse("{givenName|first1|lower}{familyName|lower}").render(
            {"givenName": "Ada", "familyName": "Lovelace"}
        )
        == "alovelace"
    )


def test_a_missing_value_renders_nothing_and_is_named() -> None:
    template = parse("{givenName}.{gradYear}")
    assert template.render({"givenName": "Ada"}) is None
    assert template.missing({"givenName": "Ada"}) == ["gradYear"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{givenName|shout}", "unknown filter 'shout'"),
        ("{nickname}", "unknown field 'nickname'"),
        ("{givenName", "unbalanced"),
        ("{given name}", "is not a field name"),
    ],
)
def test_bad_templates_are_refused_with_the_reason(text: str, message: str) -> None:
    with pytest.raises(TemplateError, match=message):
        parse(text, frozenset({"givenName"}))


@given(st.text(max_size=80))
def test_a_cleaned_address_is_one_google_takes(local: str) -> None:
    address = clean_email(f"{local}@d.org")
    if address is not None:
        part = address.rpartition("@")[0]
        assert GOOGLE_LOCAL.match(part) and len(part) <= 64 and ascii_of(part) == part


names = st.sampled_from(["ana", "bo", "zoë", "li", "ana.b"])


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(st.text("abcdef", min_size=1, max_size=4), names, max_size=25),
    st.lists(names, max_size=6),
)
def test_every_user_gets_its_own_address_and_keeps_it(
    users: dict[str, str], taken: list[str]
) -> None:
    # Accounts of people outside the store: their join keys are no store user's.
    app = {f"x{n}": {"primaryEmail": f"{name}@d.org"} for n, name in enumerate(taken)}
    foreign = {f"{n}@d.org" for n in taken}

    def candidate(key: str) -> str | None:
        return clean_email(f"{users[key]}@d.org")

    first = link(users, candidate, app, {}, marker="passport:google")
    given_out = list(first.email.values())
    assert len(set(given_out)) == len(given_out) == len(users)
    assert not set(given_out) & foreign
    # Given once, kept: with the addresses in the base, nothing moves, even when a new
    # user earlier in key order now wants the same address.
    bases = {k: {"primaryEmail": v, "origin": CREATED} for k, v in first.email.items()}
    more = {**users, "": "ana"}
    again = link(
        more, lambda k: clean_email(f"{more[k]}@d.org"), app, bases, marker="passport:google"
    )
    assert all(again.email[k] == v for k, v in first.email.items())
    assert again.email[""] not in set(given_out) | foreign


def test_an_unlinked_account_at_one_users_address_is_linked() -> None:
    app = {"google:1": {"primaryEmail": "ana@d.org"}}
    found = link({"s1": None}, lambda key: "ana@d.org", app, {}, marker="passport:google")
    assert found.app_of == {"s1": "google:1"} and found.origin["s1"] == LINKED
    assert found.email["s1"] == "ana@d.org"


def test_validate_names_a_bad_template_at_its_place(tmp_path: Path) -> None:
    (tmp_path / "google.yaml").write_text(
        "version: 1\nname: google\napplication: google-workspace\nmode: export\n"
        "delivery:\n  domain: d.org\n  service_account_key: ${file:key.json}\n"
        "  admin: admin@d.org\n  ou: /Students\n  credentials_out: out.csv\n"
        "  email: '{givenName|shout}@{domain}'\n"
        "schools: {auto: same-id}\nattributes: {users: all}\n"
    )
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "google.yaml")])
    assert result.exit_code == 1
    assert "google.yaml:11:" in result.output and "unknown filter 'shout'" in result.output


@pytest.mark.parametrize(
    ("marker", "origin"),
    [("passport:google", CREATED), ("passport:other", LINKED), ("passport", LINKED)],
)
def test_only_this_activations_marker_makes_an_unbased_account_its_own(
    marker: str, origin: str
) -> None:
    """An account with no base (a killed apply) is this activation's creation only if it
    carries this activation's marker; another's, or the legacy unnamed one, is linked."""
    app = {"s1": {"primaryEmail": "ana@d.org", "externalId": "s1", "createdBy": marker}}
    found = link({"s1": None}, lambda key: "ana@d.org", app, {}, marker="passport:google")
    assert found.origin["s1"] == origin
