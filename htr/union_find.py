"""Disjoint sets over 0..n-1: the segmentation joins a line's fragments with them, the metrics group lines."""

from __future__ import annotations

from collections.abc import Callable


def union_find(n: int) -> tuple[list[int], Callable[[int], int]]:
    """The parent list and `find`, the root of a member (with path halving); `parent[find(a)] = find(b)` joins a's
    set to b's."""
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    return parent, find
