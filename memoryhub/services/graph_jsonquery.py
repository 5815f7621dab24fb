"""Runs the SQL engine's JSON queries (memoryhub.graph.jsonquery) within their row and time limits.

The time limit is the database's own where it has one (PostgreSQL's statement_timeout, SQLite's progress
handler interrupting the statement), and is checked between steps as well."""

from __future__ import annotations

import time
from contextlib import contextmanager

from django.db import OperationalError, connection, transaction
from django.db.utils import DatabaseError

from memoryhub.graph.engine import GraphQueryTimeout, QueryLimits
from memoryhub.graph.jsonquery import json_query_check
from memoryhub.models import GraphEdge, GraphNode
from memoryhub.services.graph_store import node_dict


@contextmanager
def _time_limit(limit_ms: int):
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = %s", [limit_ms])
            yield
        return
    connection.ensure_connection()
    raw = connection.connection
    deadline = time.monotonic() + limit_ms / 1000
    if hasattr(raw, "set_progress_handler"):
        raw.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
    try:
        yield
    finally:
        if hasattr(raw, "set_progress_handler"):
            raw.set_progress_handler(None, 10_000)


def _start_nodes(match: dict):
    nodes = GraphNode.objects.filter(merged_into__isnull=True)
    if "key" in match:
        nodes = nodes.filter(key=match["key"])
    if "kind" in match:
        nodes = nodes.filter(kind=match["kind"])
    if "name" in match:
        nodes = nodes.filter(name=match["name"])
    if "name_contains" in match:
        nodes = nodes.filter(name__contains=match["name_contains"].lower())
    if "community" in match:
        nodes = nodes.filter(community=match["community"])
    return nodes.order_by("-mentions", "key")


def _step(paths: list[list[int]], step: dict, where: dict, budget: int) -> list[list[int]]:
    ends = list({path[-1] for path in paths})
    direction = step.get("direction", "both")
    pairs: dict[int, list[int]] = {}
    sides = {"out": [("source_id", "target_id")], "in": [("target_id", "source_id")]}.get(
        direction, [("source_id", "target_id"), ("target_id", "source_id")]
    )
    for mine, theirs in sides:
        edges = GraphEdge.objects.filter(**{f"{mine}__in": ends}, valid_to__isnull=True)
        if "relation" in step:
            edges = edges.filter(relation=step["relation"])
        if "min_weight" in where:
            edges = edges.filter(weight__gte=where["min_weight"])
        if "kind" in step:
            edges = edges.filter(**{f"{theirs[:-3]}__kind": step["kind"]})
        for end, other in edges.order_by("-weight", "id").values_list(mine, theirs)[: budget * 4]:
            pairs.setdefault(end, []).append(other)
    extended = []
    for path in paths:
        for other in pairs.get(path[-1], []):
            if other not in path:
                extended.append(path + [other])
                if len(extended) > budget:
                    return extended
    return extended


def json_query_run(query, *, limits: QueryLimits, deadline: float) -> dict:
    query = json_query_check(query)
    steps, where = query.get("traverse", []), query.get("where", {})
    try:
        with _time_limit(limits.time_ms):
            paths = [[pk] for pk in _start_nodes(query["match"]).values_list("pk", flat=True)[: limits.rows + 1]]
            for step in steps:
                if time.monotonic() > deadline:
                    raise GraphQueryTimeout(limits.time_ms)
                paths = _step(paths, step, where, limits.rows)
            nodes = {node.pk: node for node in GraphNode.objects.filter(pk__in={pk for p in paths for pk in p})}
    except (OperationalError, DatabaseError) as error:
        if "interrupt" in str(error) or "statement timeout" in str(error) or "canceling" in str(error):
            raise GraphQueryTimeout(limits.time_ms) from error
        raise
    truncated = len(paths) > limits.rows
    paths = paths[: limits.rows]
    return {
        "columns": [f"n{index}" for index in range(len(steps) + 1)],
        "rows": [[node_dict(nodes[pk]) for pk in path] for path in paths],
        "truncated": truncated,
    }
