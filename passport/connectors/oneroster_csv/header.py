"""A file's header row: canonical column names, required columns, tolerated oddities."""

from __future__ import annotations

from dataclasses import dataclass, field

from passport.connectors.oneroster_csv.columns import (
    ALIASES,
    is_extension,
    known_columns,
    older_name,
)
from passport.connectors.oneroster_csv.problems import Problems


@dataclass
class Layout:
    """How to read one file: column index -> canonical name ("" for ignored columns)."""

    file: str
    entity: str  # an entity of passport.oneroster, or "roles"
    mode: str  # bulk | delta
    names: list[str]
    width: int  # cells a row must have
    index: dict[str, int] = field(default_factory=dict)

    def at(self, name: str) -> int:
        """The column's index, -1 when the file has no such column."""
        return self.index.get(name, -1)


def read_layout(
    file: str,
    entity: str,
    mode: str,
    header: list[str],
    required: tuple[str, ...],
    problems: Problems,
) -> Layout:
    """Map the header to canonical columns; report what is missing or odd."""
    cells = list(header)
    while cells and not cells[-1].strip():
        cells.pop()
    if len(cells) < len(header):
        problems.warn(file, "trailing empty columns in the header are ignored", 1)
    known = known_columns(entity)
    layout = Layout(file, entity, mode, [], len(cells))
    for col, cell in enumerate(cells, 1):
        name = _column_name(file, entity, cell, col, known, problems)
        if name and name in layout.index:
            problems.error(file, "the column appears twice in the header", 1, col, name)
            name = ""
        if name:
            layout.index[name] = col - 1
        layout.names.append(name)
    needed = ("sourcedId", *required)
    if mode == "delta":
        needed += ("status", "dateLastModified")
    for name in needed:
        if name not in layout.index:
            problems.error(file, f"missing required column {name!r}", 1, 0, name)
    return layout


def _column_name(
    file: str, entity: str, cell: str, col: int, known: dict[str, str], problems: Problems
) -> str:
    stripped = cell.strip()
    if not stripped:
        problems.warn(file, "a column with no name is ignored", 1, col)
        return ""
    if is_extension(stripped):
        return stripped
    name = known.get(stripped.lower())
    older = older_name(entity, stripped.lower()) if name is None else None
    if older is not None:
        message = f"column {cell!r} is the OneRoster 1.0 name of {older!r}: read as {older!r}"
        problems.warn(file, message, 1, col, older)
        return older
    if name is None:
        problems.warn(file, f"unknown column {stripped!r} is ignored", 1, col, stripped)
        return ""
    if name != cell and stripped.lower() not in ALIASES:
        problems.warn(file, f"column {cell!r} read as {name!r}", 1, col, name)
    return name
