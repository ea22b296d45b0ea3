"""The runner functions the CLI calls, called as a library would: plan_many and
apply_saved hold the orchestration that used to live in cli/plan.py and cli/apply.py."""

from __future__ import annotations

import json
from pathlib import Path

from district_files import add_lms, district
from passport_cli import Passport

from passport import runner
from passport.errors import ConfigError, ExitCode

BROKEN = "version: 1\nname: broken\napplication: oneroster-csv\nmode: sideways\n"


def settings(passport: Passport) -> runner.Settings:
    return runner.Settings(store_url=passport.store_url, configs_dir=str(passport.configs))


def test_plan_many_keeps_going_and_sums_up(passport: Passport) -> None:
    configs = district(passport.root)
    add_lms(configs, passport.root / "lms-bundle")
    (configs / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    heard: list[str] = []
    found = runner.plan_many(
        [],
        settings(passport),
        out=passport.root / "plans",
        on_failure=lambda f: heard.append(f.source),
    )
    assert [p.activation for p in found.plans] == ["lms", "sis"]
    assert [Path(f.source).name for f in found.failed] == ["broken.yaml"] and heard == [
        found.failed[0].source
    ]
    assert isinstance(found.failed[0].error, ConfigError)
    assert found.several and found.asked == 3
    assert [p.name for p in found.saved] == ["lms.json", "sis.json"]
    assert found.exit_code() is ExitCode.ERROR and found.exit_code(detailed=True) is ExitCode.ERROR
    (configs / "broken.yaml").unlink()
    clean = runner.plan_many([], settings(passport))
    assert clean.saved == () and clean.exit_code() is ExitCode.OK
    assert clean.exit_code(detailed=True) is ExitCode.CHANGES


def test_apply_saved_applies_exactly_the_saved_plan(passport: Passport) -> None:
    district(passport.root)
    config = settings(passport)
    [saved] = runner.plan_many(["sis"], config, out=passport.root / "sis.json").saved
    applied = runner.apply_saved(saved, config, runner.ApplyOptions())
    assert applied.run is not None and applied.run.status == "succeeded"
    assert applied.run.activation == "sis"
    assert applied.run.plan_checksum == json.loads(saved.read_text(encoding="utf-8"))["checksum"]
    again = runner.plan_many(["sis"], config)
    assert again.exit_code(detailed=True) is ExitCode.OK
