"""Every command of the CLI, in the order `passport --help` lists them."""

from __future__ import annotations

import click

from passport.cli.apply import apply_command
from passport.cli.diff import diff_command
from passport.cli.gallery import gallery
from passport.cli.history import history_command
from passport.cli.init import init
from passport.cli.locks import locks_command
from passport.cli.login import login_group, logout_group
from passport.cli.plan import plan_command
from passport.cli.privacy import privacy_group
from passport.cli.sample import sample
from passport.cli.schema import schema
from passport.cli.store import store_group
from passport.cli.unlock import unlock_command
from passport.cli.validate import validate

ALL: list[click.Command] = [
    init,
    gallery,
    validate,
    schema,
    diff_command,
    plan_command,
    apply_command,
    history_command,
    locks_command,
    privacy_group,
    unlock_command,
    login_group,
    logout_group,
    store_group,
    sample,
]
