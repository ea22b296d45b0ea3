"""`passport login google NAME` and `passport logout google NAME`: sign in with Google."""

from __future__ import annotations

import webbrowser
from pathlib import Path

import click

from passport import runner
from passport.cli.common import configs_option
from passport.cli.output import handle_errors

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


token_file_option = click.option(
    "--token-file", type=click.Path(dir_okay=False, path_type=Path), help=TOKEN_FILE_HELP
)


@login_group.command("google")
@click.argument("name")
@configs_option()
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

    def show(url: str) -> None:
        lead = "Sign in" if no_browser else "Your browser should open; if it does not, sign in"
        click.echo(f"{lead} as a Google Workspace admin at:\n\n  {url}\n", err=True)

    activation, mode, result = runner.google_login(
        name,
        configs_dir,
        token_file,
        show=show,
        open_browser=None if no_browser else webbrowser.open,
        timeout_s=timeout_s,
    )
    click.echo(f"Signed in for {activation} (mode {mode}, {len(result.scopes)} scopes).")
    click.echo(f"The refresh token is in {result.token_file} (mode 0600).")
    if result.referenced:
        click.echo("The activation's delivery.refresh_token names that file already.")
    else:
        click.echo("Add to the activation's delivery:")
        click.echo(f"  refresh_token: {result.reference}")


@logout_group.command("google")
@click.argument("name")
@configs_option()
@token_file_option
@handle_errors
def logout_google(name: str, configs_dir: str, token_file: Path | None) -> None:
    """Revoke the Google login of activation NAME and delete its token file."""
    activation, result = runner.google_logout(name, configs_dir, token_file)
    if not result.found:
        click.echo(f"No login for {activation}: {result.token_file} does not exist.")
    elif result.revoked:
        click.echo(f"Revoked the login of {activation} and deleted {result.token_file}.")
    else:
        click.echo(f"The login of {activation} was revoked already; deleted {result.token_file}.")
