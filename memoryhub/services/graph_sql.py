"""The SQL engine: the knowledge graph's queries answered from the truth itself (SQLite or PostgreSQL), the
embedded default. Paths are searched from both ends, one query per level (memoryhub.graph.paths); lookups are an
indexed read of one node and its heaviest edges."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from datetime import UTC

from django.db import connection
from django.db.models import Count
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from memoryhub.graph.engine import MAX_HOPS, NEIGHBOUR_LIMIT, QueryLimits, stats_of
from memoryhub.graph.paths import SearchTooLarge, cheapest_path, shortest_path
from memoryhub.models import GraphEdge, GraphNode
from memoryhub.services.graph_jsonquery import json_query_run

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


NODE_TABLE = GraphNode._meta.db_table
NODE_FIELDS = (
    "id",
    "key",
    "kind",
    "name",
    "label",
    "aliases",
    "properties",
    "mentions",
    "community",
    "community_label",
)
NODE_COLUMNS = ", ".join(NODE_FIELDS)
NODE_COLUMNS_AS_N = ", ".join(f"n.{field} AS n_{field}" for field in NODE_FIELDS)
EDGE_COLUMNS = "e.id, e.source_id, e.target_id, e.relation, e.weight, e.evidence, e.valid_from, e.valid_to"


def _json(value):
    return json.loads(value) if isinstance(value, (str, bytes)) else value


def _moment(value) -> str | None:
    """A timestamp as the ORM would give it: aware (UTC), in ISO 8601."""
    if value is None:
        return None
    if isinstance(value, str):
        value = parse_datetime(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value.isoformat()


def _node_from_row(row) -> dict:
    """node_dict's shape from a row of NODE_COLUMNS."""
    _, key, kind, name, label, aliases, properties, mentions, community, community_label = row
    return {
        "key": key,
        "kind": kind,
        "name": name,
        "label": label,
        "aliases": list(_json(aliases) or []),
        "properties": dict(_json(properties) or {}),
        "mentions": mentions,
        "community": community,
        "community_label": community_label,
    }


def _edge_from_row(row, source: str, target: str) -> dict:
    """edge_dict's shape from a row of EDGE_COLUMNS."""
    pk, _, _, relation, weight, evidence, valid_from, valid_to = row
    return {
        "id": pk,
        "source": source,
        "target": target,
        "relation": relation,
        "weight": weight,
        "evidence": list(_json(evidence) or []),
        "valid_from": _moment(valid_from),
        "valid_to": _moment(valid_to),
    }


class SqlGraphEngine:
    name = "sql"

    # --- lookups ------------------------------------------------------------------------------------------------
    # Lookups are hand-written SQL: the ORM spends ~2 ms compiling each query, more than the database takes.
    def _live_row(self, key: str) -> tuple | None:
        """(pk, node dict) of the node with this key, or of the node it was merged into."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {NODE_COLUMNS} FROM {NODE_TABLE} WHERE id = COALESCE("
                f"(SELECT merged_into_id FROM {NODE_TABLE} WHERE key = %s), "
                f"(SELECT id FROM {NODE_TABLE} WHERE key = %s))",
                [key, key],
            )
            row = cursor.fetchone()
        return (row[0], _node_from_row(row)) if row else None

    def node(self, key: str) -> dict | None:
        found = self._live_row(key)
        return found[1] if found else None

    def neighbours(
        self, key: str, *, relation: str | None = None, direction: str = "both", limit: int = NEIGHBOUR_LIMIT
    ) -> list[dict]:
        found = self._live_row(key)
        if found is None:
            return []
        pk, node = found
        parts, params = [], []
        for mine, theirs, label in (("source_id", "target_id", "out"), ("target_id", "source_id", "in")):
            if direction not in ("both", label):
                continue
            condition = "AND e.relation = %s " if relation else ""
            parts.append(
                f"SELECT * FROM (SELECT {EDGE_COLUMNS}, '{label}' AS direction, {NODE_COLUMNS_AS_N} "
                f"FROM {EDGE_TABLE} e JOIN {NODE_TABLE} n ON n.id = e.{theirs} "
                f"WHERE e.{mine} = %s AND e.valid_to IS NULL {condition}"
                f"ORDER BY e.weight DESC, e.id LIMIT %s) AS {label}_edges"
            )
            params += [pk, *([relation] if relation else []), limit]
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts) + " ORDER BY 5 DESC, 1 LIMIT %s", [*params, limit])
            rows = cursor.fetchall()
        out = []
        for row in rows:
            other = _node_from_row(row[9:])
            source, target = (node["key"], other["key"]) if row[8] == "out" else (other["key"], node["key"])
            out.append({"node": other, "edge": _edge_from_row(row[:8], source, target), "direction": row[8]})
        return out

    # --- paths --------------------------------------------------------------------------------------------------
    def path(self, from_key: str, to_key: str, *, weighted: bool = False, max_hops: int = MAX_HOPS) -> dict:
        answer: dict = {"from": from_key, "to": to_key, "weighted": weighted}
        start, goal = self._live_row(from_key), self._live_row(to_key)
        if start is None or goal is None:
            missing = from_key if start is None else to_key
            return {**answer, "found": False, "message": f"no node {missing!r}"}
        expand = _expander(weighted)
        try:
            if weighted:
                result = cheapest_path(expand, start[0], goal[0], max_hops=max_hops)
                ids = result[0] if result else None
            else:
                ids = shortest_path(expand, start[0], goal[0], max_hops=max_hops, bridges=_bridges)
        except SearchTooLarge as error:
            return {**answer, "found": False, "message": str(error)}
        if ids is None:
            return {**answer, "found": False, "message": f"no path within {max_hops} hops"}
        return {**answer, "found": True, **self._path_body(ids)}

    def _path_body(self, ids: list[int]) -> dict:
        marks = ", ".join(["%s"] * len(ids))
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {NODE_COLUMNS} FROM {NODE_TABLE} WHERE id IN ({marks})", ids)
            nodes = {row[0]: _node_from_row(row) for row in cursor.fetchall()}
            cursor.execute(
                f"SELECT {EDGE_COLUMNS} FROM {EDGE_TABLE} e WHERE e.valid_to IS NULL "
                f"AND e.source_id IN ({marks}) AND e.target_id IN ({marks}) ORDER BY e.weight DESC, e.id",
                ids + ids,
            )
            joining: dict[frozenset, tuple] = {}
            for row in cursor.fetchall():
                joining.setdefault(frozenset((row[1], row[2])), row)  # the heaviest: the one a weighted search took
        edges = []
        for a, b in zip(ids, ids[1:]):
            row = joining[frozenset((a, b))]  # there: the search walked it a moment ago
            edges.append(_edge_from_row(row, nodes[row[1]]["key"], nodes[row[2]]["key"]))
        return {
            "length": len(ids) - 1,
            "cost": round(sum(1.0 / max(edge["weight"], 1e-9) for edge in edges), 6),
            "path": [nodes[pk]["key"] for pk in ids],
            "nodes": [nodes[pk] for pk in ids],
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
