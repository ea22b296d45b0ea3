"""The rules that protect student data, tried through the CLI on real files and a real store."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

from district_files import add_lms, district, edit_csv, read_rows
from passport_cli import BOTH_STORES, Passport

pytestmark = BOTH_STORES


def saved_plan(passport: Passport, name: str = "sis") -> Path:
    out = passport.root / f"{name}-plan.json"
    passport("plan", name, "--out", str(out))
    return out


def test_a_saved_plan_applies_while_nothing_moved(passport: Passport) -> None:
    district(passport.root)
    plan = saved_plan(passport)
    result = passport("apply", str(plan))
    assert "succeeded" in result.stdout
    runs = json.loads(passport("history", "--format", "json").stdout)
    assert runs[0]["plan_checksum"] == json.loads(plan.read_text())["checksum"]


def test_a_saved_plan_is_stale_when_the_config_moved(passport: Passport) -> None:
    configs = district(passport.root)
    plan = saved_plan(passport)
    sis = configs / "sis.yaml"
    sis.write_text(sis.read_text().replace("max_delete: 10%", "max_delete: 20%"))
    result = passport("apply", str(plan), code=1)
    assert "stale plan: the config moved since it was made" in result.stderr
    sis.write_text(sis.read_text().replace("  demographics: all\n", ""))
    result = passport("apply", str(plan), code=1)
    assert "the config, the store side and the application side moved" in result.stderr


def test_a_saved_plan_is_stale_when_the_application_moved(passport: Passport) -> None:
    district(passport.root)
    plan = saved_plan(passport)
    edit_csv(
        passport.root / "sis-bundle" / "courses.csv",
        lambda rows: [dict(rows[0], title="Changed"), *rows[1:]],
    )
    result = passport("apply", str(plan), code=1)
    assert "stale plan: the application side moved" in result.stderr
    assert passport.open_store().count("users") == 0


def test_a_saved_plan_is_stale_when_the_store_moved(passport: Passport) -> None:
    district(passport.root)
    passport("apply", "sis", "--yes")
    edit_csv(
        passport.root / "sis-bundle" / "courses.csv",
        lambda rows: [dict(rows[0], title="Changed"), *rows[1:]],
    )
    plan = saved_plan(passport)
    store = passport.open_store()
    user = next(iter(store.scan("users")))
    with store.transaction() as tx:
        tx.put("users", user.key, {**user.fields, "familyName": "Edited-Elsewhere"})
    store.close()
    result = passport("apply", str(plan), code=1)
    assert "stale plan: the store side moved" in result.stderr


def test_a_damaged_or_edited_plan_file_is_refused(passport: Passport) -> None:
    district(passport.root)
    plan = saved_plan(passport)
    text = plan.read_text()
    body = json.loads(text)
    body["summary"]["create"] = 1
    edited = passport.root / "edited.json"
    edited.write_text(json.dumps(body))
    result = passport("apply", str(edited), code=1)
    assert "checksum does not match" in result.stderr
    truncated = passport.root / "truncated.json"
    truncated.write_text(text[: len(text) // 2])
    result = passport("apply", str(truncated), code=1)
    assert "not complete JSON" in result.stderr
    assert "Traceback" not in result.output


def test_a_bundle_missing_half_the_users_stops_at_the_plan(passport: Passport) -> None:
    district(passport.root)
    bundle = passport.root / "sis-bundle"
    passport("apply", "sis", "--yes")
    users = read_rows(bundle / "users.csv")
    dropped = {u["sourcedId"] for u in users[::2]}
    edit_csv(bundle / "users.csv", lambda rows: [r for r in rows if r["sourcedId"] not in dropped])
    edit_csv(
        bundle / "demographics.csv", lambda rows: [r for r in rows if r["sourcedId"] not in dropped]
    )
    edit_csv(
        bundle / "enrollments.csv",
        lambda rows: [r for r in rows if r["userSourcedId"] not in dropped],
    )
    plan = passport("plan", "sis", "--detailed-exitcode", code=3)
    existing = len(users)
    share = f"{100 * len(dropped) / existing:.1f}%"
    assert (
        f"import users: {len(dropped):,} deletes is {share} of {existing:,} existing, "
        "over the 10% limit" in plan.stdout
    )
    data = ("records", "base", "watermarks", "locks")
    before = passport.state(data)
    refused = passport("apply", "sis", "--yes", code=3)
    assert "apply refused" in refused.stderr and "--force" in refused.stderr
    assert passport.state(data) == before
    stopped = passport.open_store().runs("sis")[0]
    assert stopped.status == "refused" and "over the 10% limit" in stopped.message
    passport("apply", "sis", "--yes", "--force")
    passport("plan", "sis", "--detailed-exitcode", code=0)


def test_an_apply_waits_for_or_names_the_lock_holder(passport: Passport) -> None:
    district(passport.root)
    store = passport.open_store()
    lock = store.acquire_lock("sis", "apply")
    result = passport("apply", "sis", "--yes", code=1)
    assert lock.id in result.stderr and "passport unlock sis --id" in result.stderr

    def release() -> None:
        other = passport.open_store()
        other.release_lock(lock)
        other.close()

    threading.Timer(0.5, release).start()
    started = time.monotonic()
    passport("apply", "sis", "--yes", "--lock-timeout", "20s")
    assert time.monotonic() - started >= 0.4
    held = store.acquire_lock("sis", "apply")
    passport("unlock", "sis", "--id", held.id)
    passport("apply", "sis", "--yes")
    store.close()


def test_show_pii_is_refused_off_a_terminal(passport: Passport) -> None:
    district(passport.root)
    result = passport("plan", "sis", "--show-pii", code=1)
    assert "terminal" in result.output and "Usage:" not in result.output


def test_no_raw_shielded_value_leaves_in_any_output(passport: Passport) -> None:
    configs = district(passport.root)
    passport("apply", "sis", "--yes")
    target = passport.root / "lms-bundle"
    add_lms(configs, target)
    lms = configs / "lms.yaml"
    (configs / "shield.key").write_text("a-demo-key\n")
    lms.write_text(
        lms.read_text()
        + (
            "privacy_shield:\n  enabled: true\n  level: 3\n  key: ${file:shield.key}\n"
            "  email_domain: pseudo.example.edu\n"
        )
    )
    users = read_rows(passport.root / "sis-bundle" / "users.csv")
    raw = set()
    for user in users:
        for name in ("givenName", "familyName", "middleName", "email", "username", "phone"):
            if len(user.get(name, "")) > 3:
                raw.add(user[name])
    outputs = [
        passport("plan", "lms").output,
        passport("plan", "lms", "--format", "json").output,
        passport("apply", "lms", "--yes").output,
        passport("history", "--format", "json").output,
        passport("history").output,
    ]
    outputs += [p.read_text() for p in target.glob("*.csv")]
    runs = json.loads(outputs[3])
    outputs.append(passport("history", "show", runs[0]["id"], "--format", "json").output)
    leaked = {value for value in raw for text in outputs if value in text}
    assert not leaked, sorted(leaked)[:5]
    sent = {r["sourcedId"]: r for r in read_rows(target / "users.csv")}
    some = next(u for u in users if u["sourcedId"] in sent and u["givenName"])
    assert sent[some["sourcedId"]]["givenName"][0] == some["givenName"][0].upper()
