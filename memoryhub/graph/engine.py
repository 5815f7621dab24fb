"""What every graph engine answers, in the same shapes: the SQL engine over the truth
(memoryhub.services.graph_sql) and the Neo4j engine over Bolt (memoryhub.graph.neo4j_engine). The API and the
engine test suite (tests/memoryhub/test_graph_engines.py) speak only this.

Shapes (plain dicts, JSON as they are):
  node: {"key", "kind", "name", "label", "aliases", "properties", "mentions", "community", "community_label"}
  edge: {"id", "source", "target", "relation", "weight", "evidence", "valid_from", "valid_to"}  (ISO 8601 times;
        valid_to None while the fact holds; "source"/"target" are node keys)
  path: {"found": True, "from", "to", "weighted", "length": hops, "cost", "path": [keys], "nodes": [node],
         "edges": [edge]}  or  {"found": False, "from", "to", "weighted", "message"}
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

MAX_HOPS = 8  # a learning path longer than this teaches nothing
NEIGHBOUR_LIMIT = 50  # per relation, in a concept's details
QUERY_ROW_LIMIT_DEFAULT, QUERY_ROW_LIMIT_MAX = 100, 1000
QUERY_TIME_LIMIT_MS_DEFAULT, QUERY_TIME_LIMIT_MS_MAX = 2000, 10000


class GraphQueryError(ValueError):
    """A query the caller must fix (a write, a limit out of range, a malformed query): a 400 naming `field`."""

    def __init__(self, field: str, message: str, code: str = "invalid_query"):
        super().__init__(message)
        self.field, self.message, self.code = field, message, code


class GraphQueryTimeout(GraphQueryError):
    def __init__(self, limit_ms: int):
        super().__init__("time_limit_ms", f"the query ran past its time limit of {limit_ms} ms", "query_timeout")


@dataclass(frozen=True)
class QueryLimits:
    rows: int = QUERY_ROW_LIMIT_DEFAULT
    time_ms: int = QUERY_TIME_LIMIT_MS_DEFAULT

    @classmethod
    def checked(cls, rows=None, time_ms=None) -> QueryLimits:
        """The limits a caller asked for, or a GraphQueryError naming the one out of range."""
        rows = QUERY_ROW_LIMIT_DEFAULT if rows is None else rows
        time_ms = QUERY_TIME_LIMIT_MS_DEFAULT if time_ms is None else time_ms
        if isinstance(rows, bool) or not isinstance(rows, int) or not 1 <= rows <= QUERY_ROW_LIMIT_MAX:
            raise GraphQueryError("row_limit", f"row_limit is an integer from 1 to {QUERY_ROW_LIMIT_MAX}", "limit")
        if isinstance(time_ms, bool) or not isinstance(time_ms, int) or not 1 <= time_ms <= QUERY_TIME_LIMIT_MS_MAX:
            raise GraphQueryError(
                "time_limit_ms", f"time_limit_ms is an integer from 1 to {QUERY_TIME_LIMIT_MS_MAX}", "limit"
            )
        return cls(rows=rows, time_ms=time_ms)


def stats_of(kinds: dict[str, int], relations: dict[str, int]) -> dict:
    """An engine's figures from its counts of live nodes per kind and current edges per relation."""
    node_count, edge_count = sum(kinds.values()), sum(relations.values())
    return {
        "nodes": node_count,
        "edges": edge_count,
        "node_kinds": kinds,
        "relations": relations,
        "average_degree": round(2 * edge_count / max(node_count, 1), 3),
    }


class GraphEngine(Protocol):
    name: str  # "sql" or "neo4j"

    def node(self, key: str) -> dict | None:
        """The node with this key (a merged node's key gives the node it was merged into), or None."""

    def neighbours(
        self, key: str, *, relation: str | None = None, direction: str = "both", limit: int = NEIGHBOUR_LIMIT
    ) -> list[dict]:
        """Current edges at the node, heaviest first: [{"node": node, "edge": edge, "direction": "out"|"in"}]."""

    def path(self, from_key: str, to_key: str, *, weighted: bool = False, max_hops: int = MAX_HOPS) -> dict:
        """Shortest path over current edges in either direction: fewest hops, or least cost (sum of 1/weight)
        when weighted. Unconnected within max_hops: {"found": False, ...}, not an error."""

    def query(self, query, *, limits: QueryLimits) -> dict:
        """A read-only query in the engine's language: {"columns": [...], "rows": [[...]], "truncated": bool}.
        A write, a malformed query or a limit out of range raises GraphQueryError."""

    def stats(self) -> dict:
        """{"nodes", "edges", "node_kinds": {kind: n}, "relations": {relation: n}, "average_degree"}."""


class SyncedEngine(GraphEngine, Protocol):
    """An engine holding a copy of the truth (Neo4j): loaded from it, kept in sync with it."""

    def rebuild(self, nodes: Iterable[dict], edges: Iterable[dict]) -> dict:
        """Replace everything with exactly these nodes and edges (merged nodes excluded by the caller)."""

    def upsert(self, nodes: Iterable[dict], edges: Iterable[dict]) -> dict:
        """Idempotent: write these nodes and edges (by key and by edge id) over what is there."""

    def remove(self, node_keys: Iterable[str], edge_ids: Iterable[int]) -> None: ...

    def snapshot(self) -> tuple[list[dict], list[dict]]:
        """Every node and edge held, sorted by key and by id: compared with the truth after a rebuild."""
