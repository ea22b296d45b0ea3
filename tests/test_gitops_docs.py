"""The GitOps recipe, the JSON plan doc and the policy example stay true to the CLI."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from jsonschema import Draft202012Validator

from passport.cli import main
from passport.planfile import save_to
from passport.render.report import SUFFIXES

DOCS = Path(__file__).parents[1] / "docs"
SCHEMA = json.loads((DOCS.parent / "schemas" / "plan.schema.json").read_text(encoding="utf-8"))
SHELL_WORDS = {"do", "then", "else", "!", "time", "exec"}


def blocks(doc: str, language: str) -> list[str]:
    text = (DOCS / doc).read_text(encoding="utf-8")
    return re.findall(rf"^```{language}\n(.*?)^```$", text, re.MULTILINE | re.DOTALL)


def workflow() -> dict[Any, Any]:
    [found] = [yaml.safe_load(b) for b in blocks("gitops.md", "yaml") if "jobs:" in b]
    return dict(found)


def precommit() -> dict[str, Any]:
    [found] = [yaml.safe_load(b) for b in blocks("gitops.md", "yaml") if "repos:" in b]
    return dict(found)


def commands(script: str) -> list[list[str]]:
    """Each `passport ...` command line of a shell script, as words."""
    script = re.sub(r"\$\{\{.*?\}\}", "VALUE", script.replace("\\\n", " "))
    found = []
    for line in script.splitlines():
        for part in re.split(r"&&|\|\||;|\||\$\(|\)", line):
            words = shlex.split(part, comments=True)
            while words and words[0] in SHELL_WORDS:
                words = words[1:]
            if words[:1] == ["passport"]:
                cut = next((i for i, w in enumerate(words) if w.startswith((">", "<", "2>"))), None)
                found.append(words[1:cut])
    return found


def every_command() -> list[list[str]]:
    steps = [s for job in workflow()["jobs"].values() for s in job["steps"]]
    found = [c for step in steps if "run" in step for c in commands(step["run"])]
    hooks = [h for repo in precommit()["repos"] for h in repo["hooks"]]
    found += [[*shlex.split(h["entry"])[1:], "configs/x.yaml"] for h in hooks]
    return found


def test_the_workflow_parses_and_runs_on_pull_requests_and_merges() -> None:
    flow = workflow()
    triggers = flow.get("on", flow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert set(triggers) == {"pull_request", "push"}
    jobs = flow["jobs"]
    assert jobs["review"]["if"] == "github.event_name == 'pull_request'"
    assert jobs["apply"]["if"] == "github.event_name == 'push'"
    review = json.dumps(jobs["review"])
    assert "updateComment" in review and "<!-- passport-" in review


def test_the_workflow_names_each_step_of_the_recipe() -> None:
    used = [" ".join(c[:1] + [w for w in c[1:] if w.startswith("--")]) for c in every_command()]
    for expected in (
        "validate --format",
        "diff --base --format",
        "plan --trusted-base --format --report --out --detailed-exitcode",
        "apply",
    ):
        assert expected in used, used


@pytest.mark.parametrize("words", every_command(), ids=" ".join)
def test_every_command_in_the_docs_exists_with_its_options(words: list[str]) -> None:
    name, args = words[0], words[1:]
    assert name in main.commands, f"passport {name}: no such command"
    command = main.commands[name]
    try:
        command.make_context(f"passport {name}", list(args))
    except click.ClickException as error:
        pytest.fail(f"passport {' '.join(words)}: {error.format_message()}")


def test_the_json_examples_match_the_plan_schema() -> None:
    examples = blocks("plan-json.md", "json")
    assert len(examples) == 2
    validator = Draft202012Validator(SCHEMA)
    for example in examples:
        errors = [e.message for e in validator.iter_errors(json.loads(example))]
        assert not errors, errors


def test_the_policy_reads_fields_the_plan_has() -> None:
    [rego] = blocks("policy.md", "rego")
    defs = SCHEMA["$defs"]
    known = {
        "plan": set(defs["plan"]["properties"]),
        "change": set(defs["change"]["properties"]),
        "error": set(defs["planSet"]["properties"]["errors"]["items"]["properties"]),
        "input": set(defs["plan"]["properties"]) | set(defs["planSet"]["properties"]),
    }
    used = re.findall(r"\b(plan|change|error|input)\.(\w+)", rego)
    assert used
    unknown = [f"{a}.{b}" for a, b in used if b not in known[a]]
    assert not unknown
    assert "blocked" in defs["plan"]["properties"]["safety"]["properties"]


def _option(words: list[str], name: str) -> str | None:
    return words[words.index(name) + 1] if name in words else None


@pytest.mark.parametrize("words", [c for c in every_command() if c[0] == "plan"], ids=" ".join)
def test_plan_commands_in_the_docs_pass_plans_and_reports_where_they_belong(
    words: list[str],
) -> None:
    """`--out` takes the JSON plan (a folder or a .json), `--report` the --format rendering."""
    out, report = _option(words, "--out"), _option(words, "--report")
    fmt = _option(words, "--format") or "text"
    if out is not None:
        save_to(Path(out), 2)  # refuses a report's name, or a file for several plans
    if report is not None:
        assert SUFFIXES.get(Path(report).suffix.lower(), fmt) == fmt
