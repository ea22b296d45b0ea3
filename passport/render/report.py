"""A plan report in the format asked for: one entry point over text, JSON, Markdown, HTML."""

from __future__ import annotations

from collections.abc import Sequence

from passport.model import Plan
from passport.render.html import render_html
from passport.render.json_plan import render_json
from passport.render.markdown import render_markdown
from passport.render.text import render_texts
from passport.render.view import Failure

FORMATS = ("text", "json", "markdown", "html")
# What a report file's name says it holds, to catch `--report plan.html` without --format html.
SUFFIXES = {".txt": "text", ".json": "json", ".md": "markdown", ".markdown": "markdown"}
SUFFIXES |= {".html": "html", ".htm": "html"}


def render_report(
    fmt: str,
    plans: Sequence[Plan],
    failures: Sequence[Failure] = (),
    *,
    limit: int = 50,
    show_pii: bool = False,
    several: bool = False,
    artifact: str | None = None,
) -> str:
    """The plans (and the activations that failed) as one document, ending in a newline.

    `several`: more than one activation was asked for (a summary, or a plan set).
    `artifact`: where the full plans are saved, for the Markdown comment to point at."""
    if fmt == "text":
        text = render_texts(plans, failures, limit=limit, show_pii=show_pii, summary=several)
        return text + "\n" if text else ""
    if fmt == "json":
        return render_json(plans, failures, show_pii=show_pii, single=not several)
    if fmt == "markdown":
        return render_markdown(plans, failures, limit=limit, show_pii=show_pii, artifact=artifact)
    if fmt == "html":
        return render_html(plans, failures, limit=limit, show_pii=show_pii)
    raise ValueError(f"unknown plan format {fmt!r}")
