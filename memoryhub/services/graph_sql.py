"""The SQL engine: the knowledge graph's queries answered from the truth itself (SQLite or PostgreSQL), the
embedded default. Paths are searched from both ends, one query per level (memoryhub.graph.paths); lookups are an
indexed read of one node and its heaviest edges."""

from __future__ import annotations

import time
from collections import defaultdict

from django.db import connection
from django.db.models import Count

from memoryhub.graph.engine import MAX_HOPS, NEIGHBOUR_LIMIT, QueryLimits, stats_of
from memoryhub.graph.paths import SearchTooLarge, cheapest_path, shortest_path
from memoryhub.models import GraphEdge, GraphNode
from memoryhub.services.graph_jsonquery import json_query_run
from memoryhub.services.graph_store import edge_dict, node_dict

IN_CHUNK = 5000  # ids per IN (...) list: well under SQLite's variable limit
EDGE_TABLE = GraphEdge._meta.db_table


def _expander(weighted: bool):
    """Neighbours of many nodes in one query per chunk, in either direction, current edges only. Unweighted, it
    reads only the two covering indexes (source, target) and (target, source)."""
    columns = ", weight" if weighted else ""

    def expand(ids: list[int]) -> dict[int, list[tuple[int, float]]]:
        found: dict[int, list[tuple[int, float]]] = defaultdict(list)
        with connection.cursor() as cursor:
            for start in range(0, len(ids), IN_CHUNK):
                chunk = ids[start : start + IN_CHUNK]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"SELECT source_id, target_id{columns} FROM {EDGE_TABLE} "
                    f"WHERE valid_to IS NULL AND source_id IN ({marks}) "
                    f"UNION ALL SELECT target_id, source_id{columns} FROM {EDGE_TABLE} "
                    f"WHERE valid_to IS NULL AND target_id IN ({marks})",
                    chunk + chunk,
                )
                for row in cursor.fetchall():
                    found[row[0]].append((row[1], row[2] if weighted else 1.0))
        return found

    return expand


def _bridges(side_a: list[int], side_b: list[int]) -> list[tuple[int, int]]:
    """Current edges joining the two frontiers, found inside the indexes: only the joining rows come back."""
    if len(side_a) + len(side_b) > IN_CHUNK:
        return []  # too big a join to be cheaper than an expansion: let the search expand instead
    a_marks, b_marks = ", ".join(["%s"] * len(side_a)), ", ".join(["%s"] * len(side_b))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT source_id, target_id FROM {EDGE_TABLE} "
            f"WHERE valid_to IS NULL AND source_id IN ({a_marks}) AND target_id IN ({b_marks}) "
            f"UNION ALL SELECT target_id, source_id FROM {EDGE_TABLE} "
            f"WHERE valid_to IS NULL AND source_id IN ({b_marks}) AND target_id IN ({a_marks}) LIMIT 1",
            side_a + side_b + side_b + side_a,
        )
        return [tuple(row) for row in cursor.fetchall()]


class SqlGraphEngine:
    name = "sql"

    # --- lookups ------------------------------------------------------------------------------------------------
    def _live(self, key: str) -> GraphNode | None:
        node = GraphNode.objects.filter(key=key).select_related("merged_into").first()
        if node is not None and node.merged_into_id:
            return node.merged_into
        return node

    def node(self, key: str) -> dict | None:
        node = self._live(key)
        return node_dict(node) if node else None

    def neighbours(
        self, key: str, *, relation: str | None = None, direction: str = "both", limit: int = NEIGHBOUR_LIMIT
    ) -> list[dict]:
        node = self._live(key)
        if node is None:
            return []
        found: list[dict] = []
        sides = {"out": [("source", "target")], "in": [("target", "source")]}.get(
            direction, [("source", "target"), ("target", "source")]
        )
        for mine, theirs in sides:
            edges = GraphEdge.objects.filter(**{mine: node}, valid_to__isnull=True).select_related(theirs)
            if relation:
                edges = edges.filter(relation=relation)
            for edge in edges.order_by("-weight", "id")[:limit]:
                other = getattr(edge, theirs)
                keys = {node.pk: node.key, other.pk: other.key}
                found.append(
                    {
                        "node": node_dict(other),
                        "edge": edge_dict(edge, keys),
                        "direction": "out" if mine == "source" else "in",
                    }
                )
        found.sort(key=lambda one: (-float(one["edge"]["weight"]), int(one["edge"]["id"])))
        return found[:limit]

    # --- paths --------------------------------------------------------------------------------------------------
    def path(self, from_key: str, to_key: str, *, weighted: bool = False, max_hops: int = MAX_HOPS) -> dict:
        answer: dict = {"from": from_key, "to": to_key, "weighted": weighted}
        start, goal = self._live(from_key), self._live(to_key)
        if start is None or goal is None:
            missing = from_key if start is None else to_key
            return {**answer, "found": False, "message": f"no node {missing!r}"}
        expand = _expander(weighted)
        try:
            if weighted:
                result = cheapest_path(expand, start.pk, goal.pk, max_hops=max_hops)
                ids, cost = result if result else (None, None)
            else:
                ids = shortest_path(expand, start.pk, goal.pk, max_hops=max_hops, bridges=_bridges)
                cost = None
        except SearchTooLarge as error:
            return {**answer, "found": False, "message": str(error)}
        if ids is None:
            return {**answer, "found": False, "message": f"no path within {max_hops} hops"}
        return {**answer, **self._path_body(ids, weighted), "found": True, **({"cost": cost} if weighted else {})}

    def _path_body(self, ids: list[int], weighted: bool) -> dict:
        nodes = {node.pk: node for node in GraphNode.objects.filter(pk__in=ids)}
        keys = {pk: node.key for pk, node in nodes.items()}
        edges = []
        for a, b in zip(ids, ids[1:]):
            # Of the edges joining two steps, the heaviest (the one a weighted search went through).
            edge = (
                GraphEdge.objects.filter(valid_to__isnull=True, source_id__in=(a, b), target_id__in=(a, b))
                .order_by("-weight", "id")
                .first()
            )
            if edge is not None:  # always found: the search walked it a moment ago
                edges.append(edge_dict(edge, keys))
        cost = sum(1.0 / max(edge["weight"], 1e-9) for edge in edges)
        return {
            "length": len(ids) - 1,
            "cost": round(cost, 6),
            "path": [keys[pk] for pk in ids],
            "nodes": [node_dict(nodes[pk]) for pk in ids],
            "edges": edges,
        }

    # --- queries and figures ------------------------------------------------------------------------------------
    def query(self, query, *, limits: QueryLimits) -> dict:
        return json_query_run(query, limits=limits, deadline=time.monotonic() + limits.time_ms / 1000)

    def stats(self) -> dict:
        nodes = GraphNode.objects.filter(merged_into__isnull=True)
        edges = GraphEdge.objects.filter(valid_to__isnull=True)
        kinds = dict(nodes.values_list("kind").annotate(n=Count("id")).order_by("kind"))
        relations = dict(edges.values_list("relation").annotate(n=Count("id")).order_by("relation"))
        return stats_of(kinds, relations)
