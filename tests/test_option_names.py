"""Each option has one name across the CLI; an older spelling works but is not shown.

The configs folder is `--configs` everywhere (`--configs-dir`, and init's `--dir`, are
hidden aliases), and no two commands spell the same setting differently.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from passport.cli import main
from passport.cli.common import AliasedOption

ALIASES = {"--configs-dir": "--configs", "--dir": "--configs"}


def every_command(
    group: click.Group = main, path: tuple[str, ...] = ()
) -> dict[str, click.Command]:
    found: dict[str, click.Command] = {}
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found.update(every_command(command, (*path, name)))
        else:
            found[" ".join((*path, name))] = command
    return found


def shown_names(option: click.Option) -> list[str]:
    hidden = option.aliases if isinstance(option, AliasedOption) else ()
    return [o for o in option.opts if o.startswith("--") and o not in hidden]


def test_one_setting_has_one_name_in_every_command() -> None:
    spellings: dict[str, set[str]] = defaultdict(set)
    for command in every_command().values():
        for param in command.params:
            if isinstance(param, click.Option) and param.name:
                spellings[param.name].add(" ".join(shown_names(param)))
    twice = {name: names for name, names in spellings.items() if len(names) > 1}
    assert not twice
    assert spellings["configs_dir"] == {"--configs"}


def test_the_configs_folder_is_one_option_everywhere_it_is_read() -> None:
    takes = [
        name
        for name, command in every_command().items()
        if any(p.name == "configs_dir" for p in command.params)
    ]
    assert {"init", "validate", "diff", "plan", "apply"} <= set(takes)


@pytest.mark.parametrize("alias", sorted(ALIASES))
def test_an_old_spelling_stays_out_of_help(alias: str) -> None:
    for name in every_command():
        help_text = CliRunner().invoke(main, [*name.split(), "--help"]).output
        assert f"{alias} " not in help_text and f"{alias}," not in help_text, name


@pytest.mark.parametrize("alias", ["--configs", "--configs-dir"])
def test_init_and_validate_take_the_folder_either_way(tmp_path: Path, alias: str) -> None:
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    runner = CliRunner()
    made = runner.invoke(
        main, ["init", "lms", "-a", "oneroster-csv", "-m", "export", alias, str(folder)]
    )
    assert made.exit_code == 0, made.output
    checked = runner.invoke(main, ["validate", "lms", alias, str(folder)])
    assert checked.exit_code == 0 and "1 file valid" in checked.output, checked.output


def test_init_still_takes_dir(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["init", "lms", "-a", "oneroster-csv", "-m", "export", "--dir", str(tmp_path)]
    )
    assert result.exit_code == 0 and (tmp_path / "lms.yaml").exists()
