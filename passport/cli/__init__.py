"""The command line: parses, calls the runner, renders, exits. No logic lives here.

Each command lives in its own module under passport/cli/ and is added to `main` below.
"""

from __future__ import annotations

import click

from passport import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="passport")
def main() -> None:
    """passport: school-district roster integrations as code.

    Keep one YAML file per connected application in configs/, then
    validate, plan and apply it.
    """


def _register() -> None:
    from passport.cli import commands

    for command in commands.ALL:
        main.add_command(command)


_register()
