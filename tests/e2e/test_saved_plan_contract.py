"""A saved plan is a contract: `apply FILE` carries out exactly the reviewed change set,
sealed with a key the file does not hold, or refuses naming the first difference."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

import orjson
import pytest
from district_files import district, edit_csv, read_rows
from passport_cli import BOTH_STORES, Passport

from passport.planfile import contract, document

pytestmark = BOTH_STORES

WINDOW = "rollover:\n  - {kind: no-deletes, from: 2027-06-15, until: 2027-08-15, reason: summer}\n"


def saved_plan(passport: Passport, *args: str, name: str = "plan.json") -> Path:
    out = passport.root / name
    passport("plan", "sis", "--out", str(out), *args)
    return out


def drop_users(passport: Passport, count: int) -> set[str]:
    bundle = passport.root / "sis-bundle"
    gone = {u["sourcedId"] for u in read_rows(bundle / "users.csv") if u["role"] == "student"}
    gone = set(sorted(gone)[:count])
    edit_csv(bundle / "users.csv", lambda rows: [r for r in rows if r["sourcedId"] not in gone])
    edit_csv(
        bundle / "demographics.csv", lambda rows: [r for r in rows if r["sourcedId"] not in gone]
    )
    edit_csv(
        bundle / "enrollments.csv",
        lambda rows: [r for r in rows if r["userSourcedId"] not in gone],
    )
    return gone


def reseal(path: Path, body: dict[str, object], key: bytes) -> None:
    """What an attacker without the plan key can do at best: recompute everything with a
    key of their own."""
    body["checksum"] = document.checksum(body)
    body["seal"] = hmac.new(
        key,
        orjson.dumps({k: v for k, v in body.items() if k != "seal"}, option=orjson.OPT_SORT_KEYS),
        hashlib.sha256,
    ).hexdigest()
    path.write_text(json.dumps(body))


def test_a_plan_reviewed_inside_a_window_is_refused_once_the_window_ended(
    passport: Passport,
) -> None:
    configs = district(passport.root)
    (configs / "sis.yaml").write_text((configs / "sis.yaml").read_text() + WINDOW)
    passport("apply", "sis", "--yes", "--as-of", "2027-06-01")
    gone = drop_users(passport, 21)
    plan = saved_plan(passport, "--as-of", "2027-07-01")
    body = json.loads(plan.read_text())
    assert body["summary"]["delete"] == 0
    assert {x["key"] for x in body["suppressed"] if x["entity"] == "users"} == gone
    users = passport.open_store().count("users")
    refused = passport("apply", str(plan), "--as-of", "2027-08-20", code=1)
    assert "stale plan: it no longer does what was reviewed: the fresh plan deletes " in (
        refused.stderr
    )
    assert (
        "(import), which the reviewed plan held back: rollover window 2027-06-15 to "
        "2027-08-15: no deletes (summer)" in refused.stderr
    )
    assert passport.open_store().count("users") == users
    # Applied inside the window, it does what was reviewed: nothing but holding back.
    passport("apply", str(plan), "--as-of", "2027-07-01")
    assert passport.open_store().count("users") == users


def test_an_edited_plan_resealed_by_hand_is_refused(passport: Passport) -> None:
    district(passport.root)
    passport("apply", "sis", "--yes")
    edit_csv(
        passport.root / "sis-bundle" / "courses.csv",
        lambda rows: [dict(r, title=f"{r['title']} (new)") for r in rows],
    )
    plan = saved_plan(passport)
    body = json.loads(plan.read_text())
    assert body["summary"]["update"] > 1
    body["changes"] = body["changes"][:1]
    body["summary"]["update"] = 1
    for key in (b"", b"passport", b"0" * 32):
        reseal(plan, body, key)
        result = passport("apply", str(plan), code=1)
        assert "its seal does not match its content" in result.stderr
    assert all("(new)" not in str(r.fields) for r in passport.open_store().scan("courses"))


def test_the_change_set_is_held_to_the_file_even_when_its_seal_holds(
    passport: Passport, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Belt and braces: were the seal ever forged, a change list that is not the fresh
    plan's is still refused, naming the first change that differs."""
    district(passport.root)
    passport("apply", "sis", "--yes")
    edit_csv(
        passport.root / "sis-bundle" / "courses.csv",
        lambda rows: [dict(r, title=f"{r['title']} (new)") for r in rows],
    )
    plan = saved_plan(passport)
    body = json.loads(plan.read_text())
    first = body["changes"][0]
    body["changes"] = body["changes"][1:]
    body["contract"]["change_digests"] = body["contract"]["change_digests"][1:]
    body["contract"]["digest"] = "0" * 64
    store = passport.open_store()
    key = store.plan_key()
    store.close()
    body["checksum"] = document.checksum(body)
    body["seal"] = contract.seal(key, body)
    plan.write_text(json.dumps(body))
    result = passport("apply", str(plan), code=1)
    assert (
        f"the fresh plan updates courses {first['key']} (title) (import), which the reviewed "
        "plan does not" in result.stderr
    )


def test_a_plan_sealed_by_another_store_or_key_is_refused(
    passport: Passport, monkeypatch: pytest.MonkeyPatch
) -> None:
    district(passport.root)
    monkeypatch.setenv("PASSPORT_PLAN_KEY", "a pipeline secret of some length")
    plan = saved_plan(passport)
    monkeypatch.delenv("PASSPORT_PLAN_KEY")
    result = passport("apply", str(plan), code=1)
    assert "sealed with another plan key" in result.stderr
    monkeypatch.setenv("PASSPORT_PLAN_KEY", "a pipeline secret of some length")
    assert "succeeded" in passport("apply", str(plan)).stdout


def test_a_printed_json_plan_is_for_reading_not_applying(passport: Passport) -> None:
    district(passport.root)
    printed = passport.root / "printed.json"
    printed.write_text(passport("plan", "sis", "--format", "json").stdout)
    result = passport("apply", str(printed), code=1)
    assert "it is not sealed" in result.stderr and "--out" in result.stderr
    assert passport.open_store().count("users") == 0


def test_history_says_which_plan_file_was_applied_as_reviewed(passport: Passport) -> None:
    district(passport.root)
    plan = saved_plan(passport)
    digest = json.loads(plan.read_text())["contract"]["digest"]
    passport("apply", str(plan))
    [run] = json.loads(passport("history", "--format", "json").stdout)
    assert run["extra"] == {"plan_file": str(plan), "contract": digest, "as_reviewed": True}
    shown = passport("history", "show", run["id"]).stdout
    assert f"saved plan {plan} (contract {digest}): its changes applied exactly as reviewed" in (
        shown
    )


def test_a_plan_too_big_to_list_is_held_to_its_digest(
    passport: Passport, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(contract, "LISTED", 25)
    monkeypatch.setattr(document, "LISTED", 25)
    district(passport.root)
    plan = saved_plan(passport)
    body = json.loads(plan.read_text())
    assert len(body["changes"]) == 25 == body["contract"]["listed"]
    assert body["contract"]["changes"] == body["summary"]["create"] > 25
    assert "succeeded" in passport("apply", str(plan)).stdout
    assert passport.open_store().count("users") > 0
