"""A streaming merge-join over key-sorted inputs: the diff core.

Both inputs are (key, value) pairs sorted by key, each key at most once. The join yields
every key with the value from each side (None where a side lacks it), in key order, and
holds nothing but the current pair of each side. An input out of order is a bug in the
reader, and silently missing a record would read as a create or a delete: it raises.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

L = TypeVar("L")
R = TypeVar("R")


class UnsortedInputError(RuntimeError):
    pass


def _order_error(side: str, key: str, previous: str) -> UnsortedInputError:
    problem = "repeated" if key == previous else "out of order"
    return UnsortedInputError(f"{side} input key {key!r} is {problem}")


def merge_join(
    left: Iterable[tuple[str, L]], right: Iterable[tuple[str, R]]
) -> Iterator[tuple[str, L | None, R | None]]:
    # The order checks are inlined: this loop runs once per record of a district.
    lefts, rights = iter(left), iter(right)
    lpair = next(lefts, None)
    rpair = next(rights, None)
    while lpair is not None and rpair is not None:
        lkey, rkey = lpair[0], rpair[0]
        if lkey == rkey:
            yield lkey, lpair[1], rpair[1]
            lpair = next(lefts, None)
            if lpair is not None and lpair[0] <= lkey:
                raise _order_error("left", lpair[0], lkey)
            rpair = next(rights, None)
            if rpair is not None and rpair[0] <= rkey:
                raise _order_error("right", rpair[0], rkey)
        elif lkey < rkey:
            yield lkey, lpair[1], None
            lpair = next(lefts, None)
            if lpair is not None and lpair[0] <= lkey:
                raise _order_error("left", lpair[0], lkey)
        else:
            yield rkey, None, rpair[1]
            rpair = next(rights, None)
            if rpair is not None and rpair[0] <= rkey:
                raise _order_error("right", rpair[0], rkey)
    while lpair is not None:
        yield lpair[0], lpair[1], None
        key, lpair = lpair[0], next(lefts, None)
        if lpair is not None and lpair[0] <= key:
            raise _order_error("left", lpair[0], key)
    while rpair is not None:
        yield rpair[0], None, rpair[1]
        key, rpair = rpair[0], next(rights, None)
        if rpair is not None and rpair[0] <= key:
            raise _order_error("right", rpair[0], key)
