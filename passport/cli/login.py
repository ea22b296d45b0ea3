"""`passport login google NAME` and `passport logout google NAME`: sign in with Google."""

from __future__ import annotations

import webbrowser
from pathlib import Path

import click

from passport.cli.output import handle_errors
from passport.config import find_activations
from passport.connectors.google_workspace import login as google_login

TOKEN_FILE_HELP = (
    "Where to keep the refresh token (mode 0600). Default: the file the activation's "
    "delivery.refresh_token names, else ~/.config/passport/google/NAME.refresh-token."
)


@click.group("login")
def login_group() -> None:
    """Sign in to an application that asks for a login instead of a client secret."""


@click.group("logout")
def logout_group() -> None:
    """Revoke a login made with `passport login` and delete its token."""


def _config(name: str, configs_dir: str, token_file: Path | None) -> google_login.LoginConfig:
    [path] = find_activations([name], configs_dir)
    return google_login.login_config(path, token_file)


configs_option = click.option(
    "--configs",
    "configs_dir",
    default="configs",
    show_default=True,
    metavar="DIR",
    help="Folder holding the activation files, for names given without a path.",
)
token_file_option = click.option(
    "--token-file", type=click.Path(dir_okay=False, path_type=Path), help=TOKEN_FILE_HELP
)


@login_group.command("google")
@click.argument("name")
@configs_option
@token_file_option
@click.option("--no-browser", is_flag=True, help="Print the sign-in URL instead of opening it.")
@click.option("--timeout", "timeout_s", default=300.0, show_default=True, help="Seconds to wait.")
@handle_errors
def login_google(
    name: str, configs_dir: str, token_file: Path | None, no_browser: bool, timeout_s: float
) -> None:
    """Sign in with Google for activation NAME (a google-workspace activation).

    Runs the OAuth installed-app flow with PKCE and a loopback redirect on 127.0.0.1,
    asking only the scopes the activation's mode needs (read-only for import). The
    refresh token goes to a file with mode 0600; it is never printed.
    """
    config = _config(name, configs_dir, token_file)

    def show(url: str) -> None:
        lead = "Sign in" if no_browser else "Your browser should open; if it does not, sign in"
        click.echo(f"{lead} as a Google Workspace admin at:\n\n  {url}\n", err=True)

    result = google_login.login(
        config,
        show=show,
        open_browser=None if no_browser else webbrowser.open,
        timeout_s=timeout_s,
    )
    click.echo(f"Signed in for {config.name} (mode {config.mode}, {len(result.scopes)} scopes).")
    click.echo(f"The refresh token is in {result.token_file} (mode 0600).")
    if result.referenced:
        click.echo("The activation's delivery.refresh_token names that file already.")
    else:
        click.echo("Add to the activation's delivery:")
        click.echo(f"  refresh_token: {result.reference}")


@logout_group.command("google")
@click.argument("name")
@configs_option
@token_file_option
@handle_errors
def logout_google(name: str, configs_dir: str, token_file: Path | None) -> None:
    """Revoke the Google login of activation NAME and delete its token file."""
    config = _config(name, configs_dir, token_file)
    result = google_login.logout(config)
    if not result.found:
        click.echo(f"No login for {config.name}: {result.token_file} does not exist.")
    elif result.revoked:
        click.echo(f"Revoked the login of {config.name} and deleted {result.token_file}.")
    else:
        click.echo(f"The login of {config.name} was revoked already; deleted {result.token_file}.")
