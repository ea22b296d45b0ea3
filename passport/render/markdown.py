"""The Markdown plan, for a pull-request comment.

A summary table stays in sight; each activation's records fold away in a `<details>`
block holding a ``diff`` code block (GitHub colours `+` create, `-` delete, `!` update).
The comment never goes over GitHub's limit: records that do not fit are left out and a
note counts them per entity and points at the full plan saved with `--out`. The first
line is a hidden marker naming the activation set, so a bot can find its own comment
and edit it in place. Values go through the same masking as the text plan.

The layout is built line by line rather than from a template: fitting a size limit
needs to know the size of every line before it is added.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from passport.model import Plan, Suppressed
from passport.render.fitting import Section, share, size_of
from passport.render.held import HeldView, held_views, scope_lines
from passport.render.inert import shorten
from passport.render.view import (
    ChangeView,
    ConflictView,
    Failure,
    SummaryRow,
    conflict_views,
    groups,
    one_line,
    set_line,
    set_totals,
    summary_rows,
    totals_line,
)

COMMENT_LIMIT = 65_536  # GitHub's limit on a comment body, in characters
HEADROOM = 1_024  # left for a bot's own words around the plan
NOTE_ROOM = 4_096  # kept for the note that says what was left out
MARKER = "passport-plan"
DIFF_SYMBOL = {"create": "+", "update": "!", "delete": "-"}  # link, forget: "="
TABLE_HEAD = (
    "| activation | direction | entity | create | update | delete | conflicts | blocked |",
    "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |",
)
FOLD_CLOSE = ("```", "", "</details>", "")

Tally = dict[tuple[str, str, str], dict[str, int]]  # (activation, direction, entity) -> counts


@dataclass
class Sheet:
    """Lines within a size; `cut` records that something did not fit."""

    size: int
    lines: list[str] = field(default_factory=list)
    used: int = 0
    cut: bool = False

    def add(self, *lines: str, keep: int = 0) -> bool:
        """Add the lines if they fit with `keep` bytes to spare; else mark the sheet cut."""
        if self.used + size_of(lines) + keep > self.size:
            self.cut = True
            return False
        self.lines.extend(lines)
        self.used += size_of(lines)
        return True


def marker(names: Iterable[str]) -> str:
    """`<!-- passport-plan: canvas sample-sis -->`: the same set gives the same line."""
    return f"<!-- {MARKER}: {' '.join(sorted(set(names)))} -->"


def render_markdown(
    plans: Sequence[Plan],
    failures: Sequence[Failure] = (),
    *,
    limit: int = 50,
    show_pii: bool = False,
    artifact: str | None = None,
    size: int = COMMENT_LIMIT - HEADROOM,
) -> str:
    """The plans as one comment of at most `size` bytes (so characters)."""
    sheet = Sheet(max(size - NOTE_ROOM, 0))
    names = [p.activation for p in plans] + [Path(f.source).stem for f in failures]
    sheet.add(marker(names), "", *_title(plans, failures), "")
    _banners(sheet, plans, failures)
    _table(sheet, plans, failures)
    cap = limit or max(size // 16, 1)  # no more records than could ever fit
    left = _details(sheet, plans, cap, show_pii)
    tail = _tail(left, artifact) if sheet.cut else _pointer(left, artifact)
    sheet.size = size
    for line in tail:
        sheet.add(line)
    return "\n".join(sheet.lines).rstrip("\n") + "\n"


def _title(plans: Sequence[Plan], failures: Sequence[Failure]) -> list[str]:
    if len(plans) == 1 and not failures:
        plan = plans[0]
        what = f"({plan.mode.value}, {plan.application})"
        head = f"### passport plan · {_code(plan.activation)} {what}"
        return [head, "", f"**{totals_line(plan)}**"]
    totals = set_totals(plans, failures)
    return [f"### passport plan · {totals.activations} activations", "", f"**{set_line(totals)}**"]


def _quote(kind: str, head: str, items: Iterable[str]) -> list[str]:
    """A GitHub alert box. Its items are messages that quote data (SIS values, server
    answers, file names): each goes in a code span, where nothing renders as a link,
    emphasis or markup."""
    return [f"> [!{kind}]", f"> {head}", *(f"> - {_code(item)}" for item in items), ""]


def _banners(sheet: Sheet, plans: Sequence[Plan], failures: Sequence[Failure]) -> None:
    """Failures and held plans first, then unresolved conflicts, then notes."""
    found: list[tuple[int, list[str]]] = []
    for failure in failures:
        head = f"**{_code(Path(failure.source).stem)}: plan failed** ({_md(failure.source)})"
        found.append((0, _quote("CAUTION", head, failure.message.splitlines()[:12])))
    for plan in plans:
        if plan.breaches:
            head = (
                f"**{_code(plan.activation)} is held by safety.** Apply refuses without `--force`:"
            )
            found.append((0, _quote("CAUTION", head, map(str, plan.breaches[:20]))))
        blocking = sum(1 for c in plan.conflicts if c.blocking)
        if blocking:
            head = (
                f"**{_code(plan.activation)} has {blocking:,} unresolved "
                f"{'conflict' if blocking == 1 else 'conflicts'}** (`conflicts: stop`): "
                "apply refuses until a person decides."
            )
            found.append((1, _quote("WARNING", head, [])))
        facts = [*plan.notes, *plan.warnings][:20]
        if facts:
            found.append((2, _quote("NOTE", f"{_code(plan.activation)}:", facts)))
    for _, lines in sorted(found, key=lambda item: item[0]):
        sheet.add(*lines, keep=sheet.size // 16)


def _table(sheet: Sheet, plans: Sequence[Plan], failures: Sequence[Failure]) -> None:
    sheet.add(*TABLE_HEAD)
    rows: list[str] = []
    for plan in plans:
        found = summary_rows(plan)
        quiet = f"| {_code(plan.activation, table=True)} | | no changes | | | | | |"
        rows += [_row(r) for r in found] or [quiet]
    rows += [
        f"| {_code(Path(f.source).stem, table=True)} | | **plan failed** | | | | | |"
        for f in failures
    ]
    for index, row in enumerate(rows):
        if not sheet.add(row, keep=sheet.size // 8):
            sheet.add(f"| … | | {len(rows) - index:,} more rows | | | | | |")
            break
    sheet.add("")


def _count(n: int, strong: bool = False) -> str:
    return f"**{n:,}**" if strong and n else f"{n:,}"


def _row(r: SummaryRow) -> str:
    cells = (
        _code(r.activation, table=True),
        r.direction,
        r.entity,
        _count(r.create),
        _count(r.update),
        _count(r.delete),
        _count(r.conflicts),
        _count(r.blocked, strong=True),
    )
    return "| " + " | ".join(cells) + " |"


def _sections(plan: Plan, cap: int, show_pii: bool) -> list[Section]:
    """The runs of a plan's diff block: changes by group, held-back records, conflicts."""
    found = [
        Section(
            f"@@ {g.direction} {g.entity}: {g.total:,} to {g.action} @@",
            f"{g.entity} to {g.action}",
            g.total,
            [_change_lines(view) for view in g.changes],
            (g.direction, g.entity, f"to {g.action}"),
        )
        for g in groups(plan.changes, cap, show_pii)
    ]
    found += _held(plan, cap)
    found += _held_records(plan, cap)
    if plan.conflicts:
        views = conflict_views(plan.conflicts[:cap], show_pii)
        head = f"@@ conflicts: {len(plan.conflicts):,} @@"
        found.append(Section(head, "conflicts", len(plan.conflicts), [_clash(c) for c in views]))
    return found


def _held(plan: Plan, cap: int) -> list[Section]:
    runs: dict[tuple[str, str, str], list[Suppressed]] = {}
    for x in plan.suppressed:
        runs.setdefault((x.direction.value, x.entity, x.action.value), []).append(x)
    return [
        Section(
            f"@@ {direction} {entity}: {len(held):,} held back from {action} @@",
            f"{entity} held back",
            len(held),
            [[one_line(f"# {x.action.value} {x.entity}/{x.key}: {x.reason}")] for x in held[:cap]],
            (direction, entity, f"held back from {action}"),
        )
        for (direction, entity, action), held in runs.items()
    ]


def _held_records(plan: Plan, cap: int) -> list[Section]:
    """Held source records per direction and entity, and what the scope leaves out."""
    runs: dict[tuple[str, str], list[HeldView]] = {}
    for view in held_views(plan, 0):
        runs.setdefault((view.direction, view.entity), []).append(view)
    found = [
        Section(
            f"@@ {direction} {entity}: {len(held):,} held @@",
            f"{entity} held",
            len(held),
            [[one_line(f"- {h.entity}/{h.key}: {h.where}")] for h in held[:cap]],
            (direction, entity, "held"),
        )
        for (direction, entity), held in runs.items()
    ]
    lines = scope_lines(plan)
    if lines:
        found.append(
            Section(
                "@@ out of scope @@", "out-of-scope counts", len(lines), [[f"# {x}"] for x in lines]
            )
        )
    return found


def _details(sheet: Sheet, plans: Sequence[Plan], cap: int, show_pii: bool) -> Tally:
    """Every plan's records in its folded block, each section given an even share of the
    room; what does not fit is counted (and the sheet marked cut)."""
    every = [(p, _sections(p, cap, show_pii)) for p in plans]
    built = [(p, sections) for p, sections in every if sections]
    frames = [size_of(_frame(p, sections)) for p, sections in built]
    room = sheet.size - sheet.used
    while built and sum(frames) > room:  # whole blocks go, from the last one
        built.pop()
        frames.pop()
        sheet.cut = True
    sections = [s for _, run in built for s in run]
    if share(sections, max(room - sum(frames), 0)):
        sheet.cut = True
    for plan, run in built:
        sheet.lines += [*_fold_open(plan), *(line for s in run for line in s.lines()), *FOLD_CLOSE]
    sheet.used = size_of(sheet.lines)
    return _left_out(every)


def _fold_open(plan: Plan) -> list[str]:
    line = totals_line(plan).removeprefix("Plan: ")
    summary = f"<summary><b>{_html(plan.activation)}</b> · {_html(line)}</summary>"
    return ["<details>", summary, "", "```diff"]


def _frame(plan: Plan, sections: Sequence[Section]) -> list[str]:
    return [*_fold_open(plan), *(line for s in sections for line in s.frame), *FOLD_CLOSE]


def _left_out(every: Sequence[tuple[Plan, list[Section]]]) -> Tally:
    """Per activation, direction and entity: how many records of each kind are not shown."""
    left: Tally = defaultdict(lambda: defaultdict(int))
    for plan, sections in every:
        for s in sections:
            if s.key and s.hidden:
                direction, entity, action = s.key
                left[(plan.activation, direction, entity)][action] += s.hidden
    return left


def _change_lines(view: ChangeView) -> list[str]:
    line = f"{DIFF_SYMBOL.get(view.action, '=')} {view.entity}/{view.key}"
    if view.label:
        line += f"  {view.label}"
    if view.reason:
        line += f"  ({view.reason})"
    lines = [one_line(line)]
    for f in view.fields:
        after = shorten(f.after)
        change = f"{shorten(f.before)} → {after}" if f.before else after
        lines.append(one_line(f"      {f.name}: {change}"))
    return lines


def _clash(c: ConflictView) -> list[str]:
    mark = "-" if c.blocking else "!"
    lines = [one_line(f"{mark} {c.entity}/{c.key} ({c.kind}): {c.resolution}")]
    return lines + [
        one_line(f"      {f.name}: store {shorten(f.before)}, application {shorten(f.after)}")
        for f in c.fields
    ]


def _where(artifact: str | None) -> str:
    if artifact:
        return f"The full plan is saved as {_code(artifact)} (`passport plan --out`)."
    return "Save the full plan with `passport plan --out FILE` to see every record."


def _tail(left: Tally, artifact: str | None) -> list[str]:
    """The note that says the comment was cut, what was left out, and where it all is."""
    items = []
    for (activation, direction, entity), counts in left.items():
        parts = ", ".join(f"{n:,} {action}" for action, n in counts.items() if n)
        items.append(f"{_code(activation)} {direction} {entity}: {parts}")
    shown = items[:20]
    if len(items) > len(shown):
        shown.append(f"and {len(items) - len(shown):,} more entities")
    head = (
        "**Cut to fit a pull-request comment** (GitHub allows "
        f"{COMMENT_LIMIT:,} characters). {_where(artifact)}"
    )
    head += " Left out:" if shown else " Some summary rows or messages were left out."
    return ["> [!IMPORTANT]", f"> {head}", *(f"> - {item}" for item in shown)]


def _pointer(left: Tally, artifact: str | None) -> list[str]:
    return [f"_{_where(artifact)}_"] if left else []


def _html(text: str) -> str:
    """Free text inside the comment's HTML (a <summary>): one line, escaped."""
    return html.escape(shorten(one_line(text)), quote=True)


def _md(text: str) -> str:
    """Free text made inert in Markdown: one line, no tags, every Markdown punctuation
    mark escaped (no links, emphasis or table breaks), no bare URL left to autolink."""
    text = shorten(one_line(text))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _PUNCTUATION.sub(r"\\\g<0>", text)
    # GitHub links bare `https:`, `www.` and e-mail addresses as it parses them; an
    # entity where it looks for `:` or `.` leaves the same text, unlinked.
    text = _SCHEME.sub(lambda m: m.group(1) + "&#58;", text)
    return _WWW.sub("www&#46;", text)


def _code(text: str, table: bool = False) -> str:
    """Free text as an inline code span: shown exactly, never rendered. The fence is one
    backtick longer than the longest run of backticks inside; in a table cell, a pipe is
    escaped so that it cannot end the cell."""
    text = shorten(one_line(text))
    if table:
        text = text.replace("|", "\\|")
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(text)), default=0) + 1)
    pad = " " if not text or text[0] == "`" or text[-1] == "`" else ""
    return f"{fence}{pad}{text}{pad}{fence}"


# The punctuation Markdown gives a meaning inside a line (& < > are entities above); what
# only means something at the start of a line (#, -, +, 1.) never starts one here.
_PUNCTUATION = re.compile(r"[\\`*_\[\]!|~]")
_SCHEME = re.compile(r"(?i)\b(https?|ftp|mailto|file|javascript|data):")
_WWW = re.compile(r"(?i)\bwww\.")
_BACKTICKS = re.compile(r"`+")
