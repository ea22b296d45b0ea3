"""`passport validate` reports: text for people, JSON for tools, GitHub annotations for CI."""

from __future__ import annotations

import json
from typing import Any

from passport.config import Report
from passport.errors import Problem


def as_text(report: Report) -> str:
    return "\n".join([*(str(p) for p in report.problems), report.summary()])


def as_json(report: Report) -> str:
    files = [
        {
            "file": result.file,
            "valid": result.ok,
            "name": result.activation.name if result.activation else result.name,
            "application": result.activation.application if result.activation else None,
            "mode": str(result.activation.mode) if result.activation else None,
        }
        for result in report.results
    ]
    document: dict[str, Any] = {
        "valid": report.ok,
        "summary": report.summary(),
        "errors": len(report.errors),
        "warnings": len(report.warnings),
        "files": files,
        "problems": [_problem(p) for p in report.problems],
    }
    return json.dumps(document, indent=2)


def _problem(problem: Problem) -> dict[str, Any]:
    return {
        "file": problem.file,
        "line": problem.line,
        "col": problem.col,
        "path": problem.path,
        "message": problem.message,
        "severity": problem.severity,
    }


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(problem: Problem) -> str:
    """One GitHub Actions workflow command: `::error file=F,line=L,col=C::path: message`."""
    properties = []
    if problem.file:
        properties.append(f"file={_escape_property(problem.file)}")
    if problem.line:
        properties.append(f"line={problem.line}")
    if problem.col:
        properties.append(f"col={problem.col}")
    level = "error" if problem.is_error else "warning"
    message = f"{problem.path}: {problem.message}" if problem.path else problem.message
    head = f"::{level} {','.join(properties)}" if properties else f"::{level}"
    return f"{head}::{_escape_data(message)}"


def as_github(report: Report) -> str:
    return "\n".join([*(annotation(p) for p in report.problems), report.summary()])


FORMATS = {"text": as_text, "json": as_json, "github": as_github}


def render_report(report: Report, fmt: str) -> str:
    return FORMATS[fmt](report)
