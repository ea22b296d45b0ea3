"""`passport login google` and `logout` end to end: the real CLI in a subprocess, a real
loopback redirect, the test playing the browser (it GETs the authorize URL from the local
Google server and follows the redirect to passport's listener), then an API call with the
stored refresh token, then logout revoking it."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from directory_data import user
from google_auth import s256
from google_directory import GoogleServer
from google_fixtures import ADMIN, CLIENT_ID, CLIENT_SECRET, FAST, delivery

from passport import secrets as references
from passport.connectors.google_workspace import directory
from passport.connectors.google_workspace.login import Loopback, pkce_pair
from passport.connectors.google_workspace.problems import ApiError
from passport.connectors.google_workspace.scopes import READ_SCOPES, WRITE_SCOPES
from passport.connectors.google_workspace.session import open_session

ROOT = Path(__file__).resolve().parents[3]


def write_activation(folder: Path, server: GoogleServer, mode: str, **extra: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        "version: 1",
        "name: lincoln",
        "application: google-workspace",
        f"mode: {mode}",
        "delivery:",
        "  domain: district.example",
        f"  client_id: {CLIENT_ID}",
        "  client_secret: ${env:GOOGLE_CLIENT_SECRET}",
        f"  api_url: {server.url}",
        f"  token_url: {server.token_url}",
        f"  auth_url: {server.auth_url}",
        f"  revoke_url: {server.revoke_url}",
        *(f"  {name}: {value}" for name, value in extra.items()),
    ]
    path = folder / "lincoln.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


class Cli:
    """The passport CLI in a subprocess, as a user runs it."""

    def __init__(self, home: Path) -> None:
        self.env = {
            **os.environ,
            "XDG_CONFIG_HOME": str(home / "xdg"),
            "GOOGLE_CLIENT_SECRET": CLIENT_SECRET,
        }
        self.outputs: list[str] = []

    def start(self, *args: str, **env: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "passport", *args],
            cwd=ROOT,
            env={**self.env, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def finish(self, process: subprocess.Popen[str], seen: str = "") -> tuple[int, str, str]:
        out, err = process.communicate(timeout=60)
        self.outputs += [out, seen + err]
        return process.returncode, out, seen + err

    def run(self, *args: str) -> tuple[int, str, str]:
        return self.finish(self.start(*args))


def sign_in_url(process: subprocess.Popen[str]) -> tuple[str, str]:
    """The URL the CLI shows (it prints it before waiting), and what it printed so far."""
    assert process.stderr is not None
    seen = ""
    for line in process.stderr:
        seen += line
        if line.strip().startswith("http"):
            return line.strip(), seen
    raise AssertionError(f"the CLI showed no sign-in URL: {seen}")


def play_browser(url: str) -> httpx.Response:
    """What a browser does: the authorize page redirects to the loopback listener."""
    consent = httpx.get(url, follow_redirects=False)
    assert consent.status_code == 302, consent.text
    return httpx.get(consent.headers["Location"], follow_redirects=False)


@pytest.fixture
def cli(tmp_path: Path) -> Iterator[Cli]:
    yield Cli(tmp_path)


def _open(server: GoogleServer, refresh: str, mode: str) -> Any:
    login = delivery(
        server, None, refresh_token=refresh, client_id=CLIENT_ID, client_secret=CLIENT_SECRET
    )
    return open_session(login, mode, client=httpx.Client(), tuning=FAST)


def test_login_api_call_and_logout_end_to_end(
    server: GoogleServer, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As the login process sees it: passport's own folder, where its tokens go.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    configs = tmp_path / "configs"
    write_activation(configs, server, "import")
    process = cli.start("login", "google", "lincoln", "--configs", str(configs), "--no-browser")
    url, seen = sign_in_url(process)
    assert url.startswith(server.auth_url + "?")
    landing = play_browser(url)
    assert landing.status_code == 200 and b"Signed in" in landing.content
    code, out, err = cli.finish(process, seen)
    assert code == 0, err
    token_file = tmp_path / "xdg" / "passport" / "google" / "lincoln.refresh-token"
    assert f"The refresh token is in {token_file} (mode 0600)." in out
    assert f"refresh_token: ${{file:{token_file}}}" in out
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    [refresh] = server.auth.refresh_tokens
    assert token_file.read_text().strip() == refresh
    # Only the read-only scopes an import needs were asked for, and granted.
    assert server.auth.refresh_tokens[refresh].scopes == frozenset(READ_SCOPES)

    # The activation's reference resolves to the token, and the API takes it.
    stored = references.resolve(f"${{file:{token_file}}}", configs)
    server.directory.insert_user(dict(user(1)))
    session = _open(server, stored, "import")
    assert [u["primaryEmail"] for u in directory.list_users(session.api)] == [
        user(1)["primaryEmail"]
    ]
    [refused] = directory.create_users(session.api, [user(2)])
    assert refused.reason == "insufficientPermissions"

    code, out, err = cli.run("logout", "google", "lincoln", "--configs", str(configs))
    assert code == 0, err
    assert f"Revoked the login of lincoln and deleted {token_file}." in out
    assert not token_file.exists() and server.auth.revoked == [refresh]
    with pytest.raises(ApiError) as error:
        list(directory.list_users(_open(server, stored, "import").api))
    assert error.value.code == "invalid_grant"
    code, out, _ = cli.run("logout", "google", "lincoln", "--configs", str(configs))
    assert code == 0 and "No login for lincoln" in out

    printed = "\n".join(cli.outputs)
    leaked = [s for s in [*server.auth.every_secret, CLIENT_SECRET] if s in printed]
    assert leaked == []


BROWSER = """#!{python}
import sys
import httpx

consent = httpx.get(sys.argv[1], follow_redirects=False)
httpx.get(consent.headers["Location"])
"""


def test_login_opens_the_browser_and_writes_where_the_activation_points(
    server: GoogleServer, cli: Cli, tmp_path: Path
) -> None:
    configs = tmp_path / "configs"
    write_activation(configs, server, "export", refresh_token="${file:secrets/lincoln.token}")
    browser = tmp_path / "browser"
    browser.write_text(BROWSER.format(python=sys.executable))
    browser.chmod(0o755)
    process = cli.start(
        "login", "google", "lincoln", "--configs", str(configs), BROWSER=str(browser)
    )
    code, out, err = cli.finish(process)
    assert code == 0, err
    token_file = configs / "secrets" / "lincoln.token"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert "names that file already" in out
    [grant] = server.auth.refresh_tokens.values()
    assert grant.scopes == frozenset(WRITE_SCOPES) and grant.subject == ADMIN
    session = _open(server, token_file.read_text().strip(), "export")
    assert all(r.ok for r in directory.create_users(session.api, [user(3)]))


def test_a_refused_consent_writes_nothing(server: GoogleServer, cli: Cli, tmp_path: Path) -> None:
    configs = tmp_path / "configs"
    write_activation(configs, server, "import")
    server.auth.consent_denied = True
    process = cli.start("login", "google", "lincoln", "--configs", str(configs), "--no-browser")
    url, seen = sign_in_url(process)
    assert play_browser(url).status_code == 200
    code, _, err = cli.finish(process, seen)
    assert code == 1 and "access_denied" in err
    assert not (tmp_path / "xdg").exists()


def test_a_consent_missing_scopes_is_revoked_and_not_kept(
    server: GoogleServer, cli: Cli, tmp_path: Path
) -> None:
    configs = tmp_path / "configs"
    write_activation(configs, server, "import")
    server.auth.grant_only = frozenset(READ_SCOPES[:1])  # the admin unticked three boxes
    process = cli.start("login", "google", "lincoln", "--configs", str(configs), "--no-browser")
    url, seen = sign_in_url(process)
    play_browser(url)
    code, _, err = cli.finish(process, seen)
    assert code == 1 and "did not allow 3 of the scopes mode import needs" in err
    assert len(server.auth.revoked) == 1 and server.auth.refresh_tokens == {}
    assert not (tmp_path / "xdg").exists()


def test_a_login_for_another_application_is_refused(cli: Cli, tmp_path: Path) -> None:
    configs = tmp_path / "configs"
    configs.mkdir()
    (configs / "sis.yaml").write_text(
        "version: 1\nname: sis\napplication: oneroster-csv\nmode: import\n"
    )
    code, _, err = cli.run("login", "google", "sis", "--configs", str(configs))
    assert code == 1 and "not google-workspace" in err and "Traceback" not in err


def test_plain_http_to_a_remote_host_is_refused(
    server: GoogleServer, cli: Cli, tmp_path: Path
) -> None:
    configs = tmp_path / "configs"
    path = write_activation(configs, server, "import")
    path.write_text(path.read_text().replace(server.token_url, "http://oauth.example.com/token"))
    code, _, err = cli.run("login", "google", "lincoln", "--configs", str(configs))
    assert code == 1 and "token_url must use https" in err


def test_the_listener_ignores_answers_without_the_state() -> None:
    with Loopback("expected-state") as listener:
        stray = httpx.get(listener.redirect_uri, params={"code": "x", "state": "forged"})
        assert stray.status_code == 400
        favicon = httpx.get(listener.redirect_uri + "favicon.ico")
        assert favicon.status_code == 400
        good = httpx.get(listener.redirect_uri, params={"code": "c", "state": "expected-state"})
        assert good.status_code == 200
        assert listener.wait(1.0) == {"code": "c", "state": "expected-state"}


def test_the_server_checks_the_pkce_verifier(server: GoogleServer) -> None:
    """The check the end-to-end login passes is a real one."""
    verifier, challenge = pkce_pair()
    assert s256(verifier) == challenge
    query = {
        "client_id": CLIENT_ID,
        "redirect_uri": "http://127.0.0.1:9/",
        "response_type": "code",
        "scope": " ".join(READ_SCOPES),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "state": "s",
    }
    location = httpx.get(server.auth_url, params=query).headers["Location"]
    code = httpx.URL(location).params["code"]
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": "http://127.0.0.1:9/",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "code_verifier": pkce_pair()[0],
    }
    refused = httpx.post(server.token_url, data=form)
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
    plain = httpx.get(server.auth_url, params={**query, "code_challenge_method": "plain"})
    assert plain.status_code == 400
