"""`passport login` and `logout`: signing in to an application instead of a client secret.

The application's login flow lives in its connector (Google's: OAuth installed-app flow
with PKCE over a loopback redirect); it is imported only when a login runs, so the rest
of the command line never loads an HTTP stack.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from passport import config

if TYPE_CHECKING:
    from passport.connectors.google_workspace.login import LoginResult, LogoutResult


def google_login(
    name: str,
    configs_dir: str,
    token_file: Path | None,
    *,
    show: Callable[[str], None],
    open_browser: Callable[[str], bool] | None,
    timeout_s: float,
) -> tuple[str, str, LoginResult]:
    """Sign in with Google for activation `name`: (its name, its mode, what was stored)."""
    from passport.connectors.google_workspace import login

    found = login.login_config(_path(name, configs_dir), token_file)
    result = login.login(found, show=show, open_browser=open_browser, timeout_s=timeout_s)
    return found.name, found.mode, result


def google_logout(name: str, configs_dir: str, token_file: Path | None) -> tuple[str, LogoutResult]:
    """Revoke the Google login of activation `name` and delete its token file."""
    from passport.connectors.google_workspace import login

    found = login.login_config(_path(name, configs_dir), token_file)
    return found.name, login.logout(found)


def _path(name: str, configs_dir: str) -> Path:
    [path] = config.find_activations([name], configs_dir)
    return path
