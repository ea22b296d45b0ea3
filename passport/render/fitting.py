"""Fitting record lines into a size: every section gets an even share of the room.

A plan too big for a comment still shows some of every kind of change (its deletes as
well as its creates) rather than the first few thousand creates. Sections are the runs
of a diff: one per direction, entity and action, then held-back records and conflicts.
Each record is a block of lines shown whole or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate


def size_of(lines: Iterable[str]) -> int:
    """Bytes of UTF-8 with a newline per line: never fewer than GitHub's characters."""
    return sum(len(line.encode()) + 1 for line in lines)


@dataclass
class Section:
    head: str  # `@@ import users: 1,200 to create @@`
    noun: str  # `users to create`, for `… and 40 more users to create`
    total: int  # records in the plan; `blocks` may hold fewer (--limit)
    blocks: list[list[str]]  # each record's lines
    key: tuple[str, str, str] | None = None  # (direction, entity, action) to count left-outs
    shown: int = 0
    costs: list[int] = field(default_factory=list)  # prefix sums of the blocks' sizes

    def __post_init__(self) -> None:
        self.costs = [0, *accumulate(size_of(b) for b in self.blocks)]

    def more(self, hidden: int) -> str:
        return f"# … and {hidden:,} more {self.noun}"

    @property
    def frame(self) -> list[str]:
        """The head and the widest `… and N more` line: room kept whatever is shown."""
        return [self.head, self.more(self.total)]

    @property
    def hidden(self) -> int:
        return self.total - self.shown

    def lines(self) -> list[str]:
        out = [self.head]
        for block in self.blocks[: self.shown]:
            out += block
        return out + ([self.more(self.hidden)] if self.hidden else [])


def share(sections: Sequence[Section], room: int) -> bool:
    """Set each section's `shown` so that their blocks fit in `room` bytes (frames not
    counted), a block at a time from each section in turn: every section gets an even
    share. Returns True when some block that was built did not fit (the output was cut)."""
    spare = room
    growing = [s for s in sections if s.blocks]
    while growing:
        still = []
        for s in growing:
            step = s.costs[s.shown + 1] - s.costs[s.shown]
            if step <= spare:
                spare -= step
                s.shown += 1
                if s.shown < len(s.blocks):
                    still.append(s)
        growing = still
    return any(s.shown < len(s.blocks) for s in sections)
