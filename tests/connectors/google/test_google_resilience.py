"""Google IDM when things go wrong, through the CLI: 20% injected faults and a quota
converge to the clean run's accounts; an apply SIGKILLed mid-way re-plans to exactly the
remainder and creates nothing twice; no initial password, token, key or refresh token is
in any output, history, store file or log."""

from __future__ import annotations

import csv
import datetime as dt
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from district_files import read_rows
from google_auth import JWT_BEARER, Grant
from google_fixtures import ADMIN, CLIENT_ID, CLIENT_SECRET, DOMAIN
from google_world import GoogleWorld, counts, quick
from leaks import leaks

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "servers"))

from google_directory import GoogleServer

from passport.connectors.google_workspace.scopes import WRITE_SCOPES

SUPPORT = Path(__file__).resolve().parents[2] / "support"


@pytest.fixture
def make_world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    quick(monkeypatch)
    servers: list[GoogleServer] = []

    def make(name: str, users: int) -> GoogleWorld:
        root = tmp_path / name
        root.mkdir()
        monkeypatch.chdir(root)
        server = GoogleServer(domain=DOMAIN, admin=ADMIN).start()
        servers.append(server)
        return GoogleWorld(root, server, users=users)

    yield make
    for server in servers:
        server.stop()


def _accounts(world: GoogleWorld) -> dict[str, tuple[Any, ...]]:
    """What Google holds, by join key, as a district would compare two runs."""
    return {
        key: (u["primaryEmail"], u["orgUnitPath"], u["name"]["givenName"], u["suspended"])
        for key, u in world.joined().items()
    }


def _link_existing(world: GoogleWorld, count: int) -> None:
    """Accounts another tool made at the addresses the template gives, with no join key."""
    for row in read_rows(world.root / "sis-bundle" / "users.csv")[:count]:
        world.directory.insert_user(
            {
                "primaryEmail": f"{row['username']}@{DOMAIN}",
                "name": {"givenName": row["givenName"], "familyName": row["familyName"]},
                "password": "preexisting-" + row["sourcedId"],
            }
        )


def test_faults_and_rate_limits_converge_to_the_clean_run(make_world: Any) -> None:
    clean, faulty = make_world("clean", 300), make_world("faulty", 300)
    for world in (clean, faulty):
        world.import_sis()
        _link_existing(world, 100)
        world.activate(email="{username}@{domain}")
    clean("apply", "google", "--yes")
    faulty.server.faults.randomly(0.2, seed=13)
    faulty.server.quota.per_s = 150
    runs = 0
    while runs < 4:
        runs += 1
        result = faulty("apply", "google", "--yes", code=None)
        assert "Traceback" not in result.output + result.stderr
        if result.exit_code == 0 and faulty.plan()["changes"] == []:
            break
    assert faulty.server.faults.random_hits > 50  # the faults really were there
    assert _accounts(faulty) == _accounts(clean)
    assert len(faulty.directory.users) == len(clean.directory.users) == 300
    with faulty.credentials.open(newline="") as handle:
        created = [r["primaryEmail"] for r in csv.DictReader(handle)]
    assert len(created) == len(set(created)) == 200  # each new account handed out once


def _killed_apply(world: GoogleWorld, checkpoint: int, name: str = "google") -> int:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SUPPORT), env.get("PYTHONPATH")]))
    cmd = [
        sys.executable,
        "-m",
        "quick_passport",
        str(checkpoint),
        "apply",
        name,
        "--yes",
        "--store",
        str(world.passport.store),
        "--configs",
        str(world.configs),
    ]
    done = subprocess.run(cmd, cwd=world.root, env=env, capture_output=True, timeout=120)
    world.outputs += [done.stdout.decode(), done.stderr.decode()]
    return done.returncode


@pytest.mark.parametrize(
    ("checkpoint", "in_google", "unlinked"),
    [
        (1, 500, 500),  # batch one written to Google, its base not yet
        (3, 1000, 500),  # batch one landed with its base; batch two written, base not yet
        (4, 1000, 0),  # two batches landed with their bases
    ],
)
def test_kill_9_mid_apply_re_plans_to_exactly_the_remainder(
    make_world: Any, checkpoint: int, in_google: int, unlinked: int
) -> None:
    world = make_world("killed", 1200)
    world.import_sis()
    world.activate()
    planned = counts(world.plan())["create"]
    assert planned > 1000
    assert _killed_apply(world, checkpoint) == -9
    assert len(world.directory.users) == in_google
    remainder = world.plan()
    moves = counts(remainder)
    assert moves["create"] == planned - in_google  # what never reached Google, once
    assert moves["link"] == unlinked and moves["update"] == 0  # in Google, now linked
    world("apply", "google", "--yes")
    assert len(world.directory.users) == planned
    assert world.plan()["changes"] == []
    origins = {u.get("externalIds", [{}])[-1].get("value") for u in world.directory.users.values()}
    assert origins == {"passport:google"}  # every account still known as this activation's
    with world.credentials.open(newline="") as handle:
        assert len(list(csv.DictReader(handle))) == planned


def test_a_killed_apply_never_lets_another_activation_delete_its_accounts(
    make_world: Any,
) -> None:
    """Two export activations on one domain: `google-a` is killed right after Google
    accepted its creates (no base yet). `google-b` links those accounts; when a student
    leaves, b suspends the account but never deletes it; a, which created it, does."""
    world = make_world("two", 60)
    world.import_sis()
    world.activate("google-a")
    world.activate("google-b", credentials_out="../credentials/google-b.csv")
    assert _killed_apply(world, 1, "google-a") == -9
    assert len(world.directory.users) == 60
    markers = {
        e["value"]
        for u in world.directory.users.values()
        for e in u["externalIds"]
        if e.get("customType") == "passportOrigin"
    }
    assert markers == {"passport:google-a"}
    assert counts(world.plan("google-b"))["link"] == 60
    world("apply", "google-b", "--yes")
    assert counts(world.plan("google-a"))["link"] == 60  # a's own, after its kill
    world("apply", "google-a", "--yes")

    leaver = next(r for r in read_rows(world.root / "sis-bundle" / "users.csv"))["sourcedId"]
    _drop(world, leaver)
    for name in ("google-b", "google-a"):
        [suspend] = [c for c in world.plan(name)["changes"] if c["key"] == leaver]
        assert suspend["action"] == "update" and "suspended" in suspend["reason"]
        world("apply", name, "--yes")
    late = (dt.date.today() + dt.timedelta(days=120)).isoformat()
    assert not [c for c in world.plan("google-b", "--as-of", late)["changes"]]
    world("apply", "google-b", "--yes", "--as-of", late)
    assert leaver in world.joined()  # b never deletes what a created
    deletes = [c for c in world.plan("google-a", "--as-of", late)["changes"]]
    assert [(c["key"], c["action"]) for c in deletes] == [(leaver, "delete")]
    world("apply", "google-a", "--yes", "--as-of", late)
    assert leaver not in world.joined() and len(world.directory.users) == 59


def _drop(world: GoogleWorld, key: str) -> None:
    from district_files import edit_csv

    bundle = world.root / "sis-bundle"
    edit_csv(bundle / "users.csv", lambda rows: [r for r in rows if r["sourcedId"] != key])
    edit_csv(
        bundle / "enrollments.csv", lambda rows: [r for r in rows if r["userSourcedId"] != key]
    )
    world.import_sis()


@pytest.mark.parametrize("auth", ["service-account", "signed-in"])
def test_no_password_token_or_key_in_any_output_history_store_or_log(
    make_world: Any, monkeypatch: pytest.MonkeyPatch, auth: str
) -> None:
    world = make_world("leaks", 80)
    world.import_sis()
    extra: list[str] = []
    if auth == "signed-in":  # what `passport login google` leaves: a 0600 refresh token
        refresh = "1//refresh-" + secrets.token_urlsafe(32)
        world.server.add_client(CLIENT_ID, CLIENT_SECRET)
        world.server.auth.refresh_tokens[refresh] = Grant(CLIENT_ID, ADMIN, frozenset(WRITE_SCOPES))
        token_file = world.configs / "google.refresh-token"
        token_file.write_text(refresh)
        token_file.chmod(0o600)
        monkeypatch.setenv("GOOGLE_CLIENT_SECRET", CLIENT_SECRET)
        world.activate(
            service_account_key=None,
            admin=None,
            client_id=CLIENT_ID,
            client_secret="${env:GOOGLE_CLIENT_SECRET}",
            refresh_token="${file:google.refresh-token}",
        )
        extra = [refresh, CLIENT_SECRET]
    else:
        world.activate()
    world.server.faults.add("echo", method="PATCH", times=1)  # a server echoing requests
    world("apply", "google", "--yes")
    _remove_some(world)
    world("apply", "google", "--yes", code=None)
    world("plan", "google", "--format", "json", code=None)
    world("plan", "google", "--format", "html", "--show-pii", code=None)
    world("history", "google", code=None)
    with world.credentials.open(newline="") as handle:
        passwords = [r["password"] for r in csv.DictReader(handle)]
    assert len(passwords) == 80
    grants = world.server.auth.grants
    assert grants.get("refresh_token" if auth == "signed-in" else JWT_BEARER), grants
    tokens = list(world.server.auth.every_secret)
    assert tokens, "the server issued access tokens"
    key = world.key["private_key"]
    needles = passwords + tokens + [key, key.splitlines()[1], *extra]
    haystacks = list(world.outputs)
    for path in world.root.rglob("*"):
        secret_files = ("google-key.json", "google.refresh-token")
        if path.is_file() and path != world.credentials and path.name not in secret_files:
            haystacks.append(path.read_bytes().decode("utf-8", "replace"))
    assert leaks(needles, haystacks) == []


def _remove_some(world: GoogleWorld) -> None:
    from district_files import edit_csv

    users = world.root / "sis-bundle" / "users.csv"
    edit_csv(users, lambda rows: [r for r in rows if not r["sourcedId"].endswith("7")])
    world.import_sis("--force")
