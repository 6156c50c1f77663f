"""Dependency cycles, found and shown."""

from __future__ import annotations

from openisms.assets import graph


def test_the_shortest_path_is_found() -> None:
    edges = {1: {2, 3}, 2: {4}, 3: {4}, 4: {5}}
    assert graph.path_between(edges, 1, 5) in ([1, 2, 4, 5], [1, 3, 4, 5])
    assert graph.path_between(edges, 5, 1) is None


def test_a_new_dependency_that_closes_a_loop_is_shown_as_a_cycle() -> None:
    edges = {7: {3}}
    assert graph.cycle_with(edges, 3, [7]) == [3, 7, 3]
    assert graph.cycle_with(edges, 3, [3]) == [3, 3]
    assert graph.cycle_with(edges, 3, [8]) is None


def test_every_distinct_cycle_is_found_without_recursion() -> None:
    edges: dict[int | str, set[int | str]] = {n: {n + 1} for n in range(5000)}
    edges[5000] = {0}  # a loop deep enough to break a recursive walk
    edges |= {"a": {"b"}, "b": {"a"}}
    starts: list[int | str] = [0, "a", "b"]
    cycles = graph.find_cycles(edges, starts)
    assert len(cycles) == 2
    assert cycles[0][0] == cycles[0][-1] and len(cycles[0]) == 5002
    assert cycles[1] in (["a", "b", "a"], ["b", "a", "b"])


def test_a_cycle_reads_as_refs() -> None:
    names = {1: "A-0003", 2: "A-0007"}
    assert graph.describe([1, 2, 1], names.__getitem__) == "A-0003 -> A-0007 -> A-0003"
