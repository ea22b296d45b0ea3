from __future__ import annotations

import pytest

from passport.plan.join import UnsortedInputError, merge_join


def test_join_pairs_every_key_once_in_order() -> None:
    left = [("a", 1), ("c", 3), ("d", 4)]
    right = [("b", "B"), ("c", "C"), ("e", "E")]
    assert list(merge_join(left, right)) == [
        ("a", 1, None),
        ("b", None, "B"),
        ("c", 3, "C"),
        ("d", 4, None),
        ("e", None, "E"),
    ]


def test_join_with_an_empty_side() -> None:
    assert list(merge_join([], [("k", 1)])) == [("k", None, 1)]
    assert list(merge_join([("k", 1)], [])) == [("k", 1, None)]


def test_join_uses_code_point_order_like_the_store() -> None:
    keys = sorted(["Z", "a", "é", "É", "10", "9"])
    assert [k for k, _, _ in merge_join([(k, 1) for k in keys], [])] == keys


@pytest.mark.parametrize("pairs", [[("b", 1), ("a", 2)], [("a", 1), ("a", 2)]])
def test_join_refuses_unsorted_or_repeated_input(pairs: list[tuple[str, int]]) -> None:
    with pytest.raises(UnsortedInputError):
        list(merge_join(pairs, []))
