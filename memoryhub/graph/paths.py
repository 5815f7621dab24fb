"""Path search over a graph read in batches: the caller's `expand` fetches the neighbours of many nodes in one
round trip (one SQL query, one Cypher call), so a search costs a query per level, not per node.

Both searches run from both ends and always expand the side with the smaller frontier: on a graph of average
degree d, meeting in the middle reads about 2·d^(h/2) edges instead of d^h."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Hashable, Iterable

Node = Hashable
# expand(nodes) -> {node: [(neighbour, weight), ...]} for every node asked (edges in either direction)
Expand = Callable[[list], dict]
# bridges(frontier_a, frontier_b) -> [(a, b), ...]: edges (either direction) with a in frontier_a, b in frontier_b
Bridges = Callable[[list, list], list]


class SearchTooLarge(Exception):
    """The search read more nodes than the caller allows before finding (or ruling out) a path."""


def _walk(parents: dict, node) -> list:
    path = []
    while node is not None:
        path.append(node)
        node = parents[node]
    return path


def shortest_path(
    expand: Expand,
    start: Node,
    goal: Node,
    *,
    max_hops: int,
    max_visited: int = 500_000,
    bridges: Bridges | None = None,
) -> list | None:
    """Fewest hops from start to goal, as the list of nodes, or None when none is within max_hops.

    bridges(frontier_a, frontier_b), when given, answers the edges joining the two frontiers without reading
    either's neighbours (a join the database does in its indexes): a path one hop longer than the two depths is
    found that way at the cost of a lookup, where expanding the smaller frontier would read all of its edges."""
    if start == goal:
        return [start]
    parents = ({start: None}, {goal: None})
    frontiers: tuple[list, list] = ([start], [goal])
    depths = [0, 0]
    while frontiers[0] and frontiers[1] and depths[0] + depths[1] < max_hops:
        if bridges is not None and depths[0] + depths[1] + 1 <= max_hops and len(frontiers[0]) * len(frontiers[1]) > 1:
            joined = bridges(frontiers[0], frontiers[1])
            if joined:
                a, b = joined[0]
                return list(reversed(_walk(parents[0], a))) + _walk(parents[1], b)
        side = 0 if len(frontiers[0]) <= len(frontiers[1]) else 1
        mine, theirs = parents[side], parents[1 - side]
        neighbours = expand(frontiers[side])
        next_frontier, meetings = [], []
        for node in frontiers[side]:
            for neighbour, _ in neighbours.get(node, ()):
                if neighbour in mine:
                    continue
                mine[neighbour] = node
                next_frontier.append(neighbour)
                if neighbour in theirs:
                    meetings.append(neighbour)
        depths[side] += 1
        if meetings:
            # Every meeting found in this level has the same length (a full level was expanded): take the first.
            meet = meetings[0]
            forward, backward = _walk(parents[0], meet), _walk(parents[1], meet)
            return list(reversed(forward)) + backward[1:]
        if len(parents[0]) + len(parents[1]) > max_visited:
            raise SearchTooLarge(f"more than {max_visited} nodes read without reaching a path")
        frontiers = (next_frontier, frontiers[1]) if side == 0 else (frontiers[0], next_frontier)
    return None


def cheapest_path(
    expand: Expand,
    start: Node,
    goal: Node,
    *,
    max_hops: int,
    cost: Callable[[float], float] = lambda weight: 1.0 / max(weight, 1e-9),
    batch: int = 64,
    max_visited: int = 500_000,
) -> tuple[list, float] | None:
    """Least total cost from start to goal (cost of an edge: 1/weight, so heavy edges are short), within max_hops
    edges: (nodes, cost), or None. Bidirectional and batched: each side pops up to `batch` of its cheapest nodes
    per round trip. A node may be expanded again when a cheaper way to it turns up later (label-correcting), so
    batching never costs correctness; the search stops when the two cheapest open costs cannot beat the best
    meeting found."""
    if start == goal:
        return [start], 0.0
    cache: dict = {}
    best: list[dict] = [{start: (0.0, 0, None)}, {goal: (0.0, 0, None)}]  # node -> (cost, hops, parent)
    heaps: list[list] = [[(0.0, 0, start)], [(0.0, 0, goal)]]
    found: tuple[float, Node] | None = None

    def fetch(nodes: Iterable) -> None:
        missing = [node for node in nodes if node not in cache]
        if missing:
            got = expand(missing)
            for node in missing:
                cache[node] = got.get(node, [])

    while heaps[0] and heaps[1]:
        if found is not None and heaps[0][0][0] + heaps[1][0][0] >= found[0]:
            break
        side = 0 if len(heaps[0]) <= len(heaps[1]) else 1
        mine, theirs, heap = best[side], best[1 - side], heaps[side]
        popped: list[tuple[float, int, Node]] = []
        while heap and len(popped) < batch:
            node_cost, hops, node = heapq.heappop(heap)
            if mine[node][0] < node_cost or hops >= max_hops:
                continue  # a stale entry, or no hops left from here
            popped.append((node_cost, hops, node))
        fetch(node for _, _, node in popped)
        for node_cost, hops, node in popped:
            for neighbour, weight in cache[node]:
                new_cost = node_cost + cost(weight)
                known = mine.get(neighbour)
                if known is not None and known[0] <= new_cost:
                    continue
                mine[neighbour] = (new_cost, hops + 1, node)
                heapq.heappush(heap, (new_cost, hops + 1, neighbour))
                other = theirs.get(neighbour)
                if other is not None and hops + 1 + other[1] <= max_hops:
                    total = new_cost + other[0]
                    if found is None or total < found[0]:
                        found = (total, neighbour)
        if len(best[0]) + len(best[1]) > max_visited:
            raise SearchTooLarge(f"more than {max_visited} nodes read without settling a path")
    if found is None:
        return None
    total, meet = found
    forward: list = []
    backward: list = []
    node = meet
    while node is not None:
        forward.append(node)
        node = best[0][node][2]
    node = best[1][meet][2]
    while node is not None:
        backward.append(node)
        node = best[1][node][2]
    return list(reversed(forward)) + backward, total
