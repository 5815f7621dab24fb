"""The knowledge graph's reads for the API: the engine in use, names resolved to nodes, a concept's details,
similar concepts, search, the graph as a whole and the explorer's view of it. Writes are graph_store's and
graph_build's; communities are graph_communities'."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from django.conf import settings
from django.db.models import Count, Max, Q

from core.errors import Conflict, Invalid, NotFound
from memoryhub import embedder
from memoryhub.graph.engine import MAX_HOPS, GraphEngine, GraphQueryError, QueryLimits
from memoryhub.graph.names import normalise
from memoryhub.models import GraphEdge, GraphNode
from memoryhub.services.graph_sql import SqlGraphEngine
from memoryhub.services.graph_store import edge_dict, node_dict

SEARCH_LIMIT_MAX = 200
VIEW_LIMIT_MAX = 20_000
SIMILAR_LIMIT_MAX = 50


@lru_cache(maxsize=1)
def _neo4j_engine(url: str, user: str, password: str):
    from memoryhub.graph.neo4j_engine import Neo4jGraphEngine  # the driver loads only where it is used

    return Neo4jGraphEngine(url, user=user or None, password=password or None)


def graph_engine() -> GraphEngine:
    """The engine that answers queries: GRAPH_ENGINE (sql, or neo4j over NEO4J_URL)."""
    if settings.GRAPH_ENGINE == "neo4j":
        if not settings.NEO4J_URL:
            raise Conflict("GRAPH_ENGINE is neo4j but NEO4J_URL is not set", code="graph_engine_unconfigured")
        return _neo4j_engine(settings.NEO4J_URL, settings.NEO4J_USER, settings.NEO4J_PASSWORD)
    return SqlGraphEngine()


def node_resolve(concept: str) -> GraphNode:
    """The node a caller names: a key ("skill:addition-2-digit"), a concept's name in any surface form
    ("Brightwater Analytics Inc."), or another node's name ("addition-2-digit"). Merged nodes resolve to where
    they went. Unknown: NotFound (404)."""
    if not isinstance(concept, str) or not concept.strip() or len(concept) > 400:
        raise Invalid({"concept": ["name a concept: 1 to 400 characters"]})
    name = normalise(concept)
    found = (
        GraphNode.objects.filter(key=concept).first()
        or GraphNode.objects.filter(key=f"concept:{name}").first()
        or GraphNode.objects.filter(Q(name=concept) | Q(name=name)).order_by("-mentions", "key").first()
    )
    if found is None:
        raise NotFound(f"No concept {concept!r} in the knowledge graph.", details={"concept": concept})
    return found.merged_into or found


def concept_detail(*, concept: str, limit: int = 50) -> dict:
    """A node with its neighbours by relation (heaviest first), the evidence they rest on, and its insights."""
    node = node_resolve(concept)
    neighbours = graph_engine().neighbours(node.key, limit=limit)
    by_relation: dict[str, list] = {}
    evidence: list[str] = []
    for one in neighbours:
        by_relation.setdefault(one["edge"]["relation"], []).append(one)
        evidence += [item for item in one["edge"]["evidence"] if item not in evidence]
    insights = [one["node"] for one in neighbours if one["node"]["kind"] == "insight"]
    if node.kind == "skill" and not insights:
        insights = [
            node_dict(edge.source)
            for edge in GraphEdge.objects.filter(target=node, relation="about", valid_to__isnull=True)
            .select_related("source")
            .order_by("-weight", "-id")[:limit]
        ]
    history = [
        edge_dict(edge)
        for edge in GraphEdge.objects.filter(Q(source=node) | Q(target=node), valid_to__isnull=False)
        .select_related("source", "target")
        .order_by("-valid_to")[:limit]
    ]
    return {
        "node": node_dict(node),
        "neighbours": neighbours,
        "by_relation": {relation: len(items) for relation, items in by_relation.items()},
        "evidence": evidence[:200],
        "insights": insights,
        "history": history,
    }


def path_find(*, source: str, target: str, weighted: bool = False, max_hops: int = MAX_HOPS) -> dict:
    if isinstance(max_hops, bool) or not isinstance(max_hops, int) or not 1 <= max_hops <= MAX_HOPS:
        raise Invalid({"max_hops": [f"max_hops is between 1 and {MAX_HOPS}"]})
    start, goal = node_resolve(source), node_resolve(target)
    return graph_engine().path(start.key, goal.key, weighted=weighted, max_hops=max_hops)


def graph_query(*, query=None, cypher=None, row_limit=None, time_limit_ms=None) -> dict:
    """A read-only query: structured JSON on the SQL engine, openCypher on the Neo4j engine."""
    try:
        limits = QueryLimits.checked(row_limit, time_limit_ms)
        engine = graph_engine()
        if (query is None) == (cypher is None):
            raise GraphQueryError("query", "give either query (a JSON query) or cypher (openCypher text)")
        if cypher is not None:
            if engine.name != "neo4j":
                raise GraphQueryError(
                    "cypher", "openCypher needs the Neo4j engine (GRAPH_ENGINE=neo4j); the SQL engine takes query"
                )
            if not isinstance(cypher, str) or not cypher.strip():
                raise GraphQueryError("cypher", "cypher is non-empty text")
            result = engine.query(cypher, limits=limits)
        else:
            if engine.name == "neo4j":
                result = SqlGraphEngine().query(query, limits=limits)  # the truth answers JSON queries
            else:
                result = engine.query(query, limits=limits)
    except GraphQueryError as error:
        field = "cypher" if cypher is not None and error.field == "query" else error.field  # the body's own name
        invalid = Invalid({field: [error.message]})
        invalid.code = error.code  # write_refused, limit, query_timeout or invalid_query: what a client branches on
        raise invalid from error
    return {**result, "engine": engine.name, "row_limit": limits.rows, "time_limit_ms": limits.time_ms}


def nodes_search(*, text: str, kind: str | None = None, limit: int = 20) -> list[dict]:
    """Nodes whose name starts with, then contains, the text (normalised), most mentioned first."""
    name = normalise(text or "")
    if not name:
        raise Invalid({"q": ["search for some text"]})
    if not 1 <= limit <= SEARCH_LIMIT_MAX:
        raise Invalid({"limit": [f"limit is between 1 and {SEARCH_LIMIT_MAX}"]})
    nodes = GraphNode.objects.filter(merged_into__isnull=True)
    if kind:
        nodes = nodes.filter(kind=kind)
    found = list(nodes.filter(name__startswith=name).order_by("-mentions", "key")[:limit])
    if len(found) < limit:
        seen = {node.pk for node in found}
        found += [
            node
            for node in nodes.filter(Q(name__contains=name) | Q(label__icontains=text.strip())).order_by(
                "-mentions", "key"
            )[: limit * 2]
            if node.pk not in seen
        ][: limit - len(found)]
    return [node_dict(node) for node in found]


def similar_concepts(*, concept: str, limit: int = 10) -> list[dict]:
    """Concepts near this one: cosine of their MiniLM vectors, and the share of neighbours they have in common
    (Jaccard). Each with both figures; ordered by their mean."""
    if not 1 <= limit <= SIMILAR_LIMIT_MAX:
        raise Invalid({"limit": [f"limit is between 1 and {SIMILAR_LIMIT_MAX}"]})
    node = node_resolve(concept)
    mine = set(_neighbour_ids(node.pk))
    scores: dict[int, dict] = {}
    if node.vector:
        pks, matrix = _vectors_of(node.kind)
        cosines = matrix @ embedder.from_bytes(bytes(node.vector))
        for index in np.argsort(-cosines)[: limit * 3 + 1]:
            if pks[index] != node.pk:
                scores[int(pks[index])] = {"embedding": round(float(cosines[index]), 4)}
    shared: dict[int, int] = {}
    for pk in list(mine)[:200]:
        for other in _neighbour_ids(pk):
            if other != node.pk:
                shared[other] = shared.get(other, 0) + 1
    for other, count in sorted(shared.items(), key=lambda item: -item[1])[: limit * 3]:
        theirs = set(_neighbour_ids(other))
        scores.setdefault(other, {})["shared_neighbours"] = round(count / max(1, len(mine | theirs)), 4)
    nodes = {one.pk: one for one in GraphNode.objects.filter(pk__in=scores)}
    ranked = sorted(
        scores.items(),
        key=lambda item: -(item[1].get("embedding", 0.0) + item[1].get("shared_neighbours", 0.0)) / 2,
    )
    return [{"node": node_dict(nodes[pk]), **figures} for pk, figures in ranked[:limit] if pk in nodes]


_vectors: dict[str, tuple[tuple, np.ndarray, np.ndarray]] = {}


def _vectors_of(kind: str) -> tuple[np.ndarray, np.ndarray]:
    """(pks, matrix) of the live nodes of a kind that have a vector, read again only when one of them changed
    (their count, or the latest updated_at: filling a vector and merging both set it), not on every request:
    100,000 concepts are 150 MB to read."""
    live = GraphNode.objects.filter(kind=kind, vector__isnull=False, merged_into__isnull=True)
    version = tuple(live.aggregate(n=Count("id"), last=Max("updated_at")).values())
    cached = _vectors.get(kind)
    if cached is None or cached[0] != version:
        rows = list(live.order_by("pk").values_list("pk", "vector"))
        matrix = np.frombuffer(b"".join(bytes(raw or b"") for _, raw in rows), dtype=np.float32)
        cached = (version, np.array([pk for pk, _ in rows]), matrix.reshape(len(rows), -1) if rows else matrix)
        _vectors[kind] = cached
    return cached[1], cached[2]


def _neighbour_ids(pk: int) -> list[int]:
    edges = GraphEdge.objects.filter(valid_to__isnull=True)
    return list(edges.filter(source_id=pk).values_list("target_id", flat=True)[:500]) + list(
        edges.filter(target_id=pk).values_list("source_id", flat=True)[:500]
    )


def graph_view(*, limit: int = 2000, kind: str | None = None, offset: int = 0) -> dict:
    """The most connected nodes (by mentions, then key) and the current edges between them: the explorer's and
    GET /hobby/graph's view. x, y: a layout by community when communities were computed (else null)."""
    if not 1 <= limit <= VIEW_LIMIT_MAX:
        raise Invalid({"limit": [f"limit is between 1 and {VIEW_LIMIT_MAX}"]})
    if offset < 0:
        raise Invalid({"offset": ["offset is 0 or more"]})
    nodes = GraphNode.objects.filter(merged_into__isnull=True)
    if kind:
        nodes = nodes.filter(kind=kind)
    total = nodes.count()
    chosen = list(nodes.order_by("-mentions", "key")[offset : offset + limit])
    keys = {node.pk: node.key for node in chosen}
    ids = list(keys)
    edges = []
    for start in range(0, len(ids), 5000):  # chunks: SQLite limits the variables of one statement
        rows = GraphEdge.objects.filter(valid_to__isnull=True, source_id__in=ids[start : start + 5000])
        edges += [
            {"id": pk, "source": keys[s], "target": keys[t], "relation": relation, "weight": weight}
            for pk, s, t, relation, weight in rows.values_list("pk", "source_id", "target_id", "relation", "weight")
            if t in keys
        ]
    edges = edges[: limit * 10]
    return {
        "nodes": [
            {
                "key": node.key,
                "label": node.label,
                "kind": node.kind,
                "community": node.community,
                "community_label": node.community_label,
                "size": node.mentions,
                "x": (node.properties or {}).get("x"),
                "y": (node.properties or {}).get("y"),
            }
            for node in chosen
        ],
        "edges": edges,
        "truncated": offset + len(chosen) < total,
        "total_nodes": total,
    }
