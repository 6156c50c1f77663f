"""Dependency cycles: an asset may not depend, directly or through others, on itself.

Pure functions over an adjacency map ``{node: {nodes it depends on}}``; nodes are asset ids
or, during an import, keys of rows not yet written.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import TypeVar

N = TypeVar("N", bound=Hashable)


def path_between(graph: Mapping[N, Iterable[N]], start: N, goal: N) -> list[N] | None:
    """The shortest chain of dependencies from ``start`` to ``goal``, or None (breadth first)."""
    came_from: dict[N, N | None] = {start: None}
    queue: deque[N] = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            return _unwind(came_from, goal)
        for following in graph.get(node, ()):
            if following not in came_from:
                came_from[following] = node
                queue.append(following)
    return None


def _unwind(came_from: Mapping[N, N | None], goal: N) -> list[N]:
    path: list[N] = [goal]
    step = came_from[goal]
    while step is not None:
        path.append(step)
        step = came_from[step]
    return path[::-1]


def cycle_with(graph: Mapping[N, Iterable[N]], node: N, targets: Iterable[N]) -> list[N] | None:
    """The cycle that ``node`` depending on ``targets`` would close, as ``[node, ..., node]``.

    ``graph`` holds the other edges (not ``node``'s own); None when no cycle would form.
    """
    for target in targets:
        if target == node:
            return [node, node]
        path = path_between(graph, target, node)
        if path is not None:
            return [node, *path]
    return None


def find_cycles(
    graph: Mapping[N, Iterable[N]], starts: Iterable[N], limit: int = 50
) -> list[list[N]]:
    """Distinct cycles reachable from ``starts`` (depth first, without recursion), each closed.

    Each cycle is ``[a, b, ..., a]``; at most ``limit`` are returned.
    """
    done: set[N] = set()
    found: dict[frozenset[N], list[N]] = {}
    for start in starts:
        if start not in done and len(found) < limit:
            _walk_from(graph, start, done, found)
    return list(found.values())[:limit]


def _walk_from(
    graph: Mapping[N, Iterable[N]], start: N, done: set[N], found: dict[frozenset[N], list[N]]
) -> None:
    path: list[N] = [start]
    on_path: dict[N, int] = {start: 0}
    stack = [iter(graph.get(start, ()))]
    while stack:
        following = next(stack[-1], None)
        if following is None:
            stack.pop()
            done.add(path[-1])
            del on_path[path.pop()]
            continue
        if following in on_path:
            cycle = [*path[on_path[following] :], following]
            found.setdefault(frozenset(cycle), cycle)
        elif following not in done:
            on_path[following] = len(path)
            path.append(following)
            stack.append(iter(graph.get(following, ())))


def describe(cycle: Iterable[N], label: Callable[[N], str]) -> str:
    """``A-0003 -> A-0007 -> A-0003``."""
    return " -> ".join(label(node) for node in cycle)
