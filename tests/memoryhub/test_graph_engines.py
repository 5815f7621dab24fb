"""One suite for every graph engine: the SQL engine over the truth and the Neo4j engine over Bolt answer the same
questions the same way. The Neo4j engine runs against FalkorDB's Bolt server (memoryhub.graph.bolt_server), or
against the Neo4j 5 at NEO4J_URL (NEO4J_USER, NEO4J_PASSWORD) when that is set: its :Node/:REL copy is replaced.

The graph (30 live nodes, 27 current edges, one closed edge, one merged node) is built so that every question has
one answer: no two paths tie, no two edges at a node weigh the same."""

from __future__ import annotations

import os

import pytest
from django.utils import timezone

from memoryhub.graph.engine import GraphQueryError, GraphQueryTimeout, QueryLimits
from memoryhub.models import GraphEdge, GraphNode
from memoryhub.services.graph_store import edges_upsert, nodes_upsert, truth_export

pytestmark = pytest.mark.django_db

SKILLS = [f"skill:s{i}" for i in range(6)]
INSIGHTS = [f"insight:i{i}" for i in range(6)]
DOCUMENTS = [f"document:kb/d{i}" for i in range(6)]
CONCEPTS = [f"concept:{name}" for name in ("a", "b", "c", "d", "e", "island1", "island2", "lonely")]
CONCEPTS += [f"concept:c{i}" for i in range(9, 13)]
EDGES = [
    # a chain of prerequisites, s0 -> s4 in four hops (the closed shortcut below must not count)
    ("skill:s0", "skill:s1", "prerequisite", 1.0),
    ("skill:s1", "skill:s2", "prerequisite", 1.1),
    ("skill:s2", "skill:s3", "prerequisite", 1.2),
    ("skill:s3", "skill:s4", "prerequisite", 1.3),
    ("skill:s4", "skill:s5", "prerequisite", 0.9),
    ("insight:i0", "skill:s2", "about", 3.0),
    ("insight:i1", "skill:s2", "about", 2.0),
    ("insight:i2", "skill:s2", "about", 0.5),
    ("insight:i3", "skill:s0", "about", 1.5),
    ("insight:i4", "skill:s5", "about", 1.0),
    ("insight:i5", "skill:s1", "about", 0.8),
    ("document:kb/d0", "skill:s2", "explains", 0.7),
    ("document:kb/d0", "concept:c9", "mentions", 0.6),
    ("document:kb/d1", "concept:a", "mentions", 0.4),
    ("document:kb/d2", "concept:c9", "mentions", 1.0),
    ("document:kb/d3", "concept:c10", "mentions", 1.0),
    ("document:kb/d4", "concept:c11", "mentions", 1.0),
    ("document:kb/d5", "concept:c12", "mentions", 1.0),
    # a to e: one light hop (cost 10), two middling hops (cost 2), three heavy hops (cost 0.6)
    ("concept:a", "concept:e", "related", 0.1),
    ("concept:a", "concept:d", "related", 1.0),
    ("concept:d", "concept:e", "related", 1.0),
    ("concept:a", "concept:b", "related", 5.0),
    ("concept:b", "concept:c", "related", 5.0),
    ("concept:c", "concept:e", "related", 5.0),
    ("concept:c9", "concept:c10", "related", 2.0),
    ("concept:c10", "concept:c11", "related", 0.3),
    ("concept:island1", "concept:island2", "related", 1.0),
]
CLOSED = ("skill:s0", "skill:s4", "prerequisite", 9.0)  # held once, no longer: never a path, never a neighbour
MERGED = "concept:old a"  # merged into concept:a


def build_truth() -> None:
    keys = SKILLS + INSIGHTS + DOCUMENTS + CONCEPTS + [MERGED]
    ids = nodes_upsert(
        [
            {
                "key": key,
                "kind": key.split(":")[0],
                "name": key.split(":", 1)[1],
                "label": key.split(":", 1)[1].title(),
                # text both servers must store as it is: quotes, a backslash, a newline, beyond ASCII
                "aliases": [key.split(":", 1)[1].upper(), 'it\'s \\ "x"\n — é ☃'] if key.startswith("concept:") else [],
                "properties": {"rank": index, "tags": ["x", "y"], "note": 'it\'s "quoted"\n'},
                "mentions": index % 3,
            }
            for index, key in enumerate(keys)
        ]
    )
    edges = [
        {"source": s, "target": t, "relation": r, "weight": w, "evidence": [f"test:{i}"]}
        for i, (s, t, r, w) in enumerate(EDGES + [CLOSED])
    ]
    edges_upsert(edges, ids)
    GraphEdge.objects.filter(source__key=CLOSED[0], target__key=CLOSED[1]).update(valid_to=timezone.now())
    GraphNode.objects.filter(key=MERGED).update(merged_into=ids["concept:a"])


@pytest.fixture(scope="session")
def bolt_url():
    if os.environ.get("NEO4J_URL"):
        yield os.environ["NEO4J_URL"]
        return
    from memoryhub.graph.bolt_server import bolt_server

    # A short server-side limit: a query the engine stopped waiting for ends soon after on the server too.
    with bolt_server(timeout_ms=3000) as url:
        yield url


@pytest.fixture(scope="session")
def neo4j_engine(bolt_url):
    from memoryhub.graph.neo4j_engine import Neo4jGraphEngine

    engine = Neo4jGraphEngine(
        bolt_url, user=os.environ.get("NEO4J_USER") or None, password=os.environ.get("NEO4J_PASSWORD") or None
    )
    yield engine
    engine.close()


@pytest.fixture
def truth(db):
    build_truth()
    return truth_export()


@pytest.fixture
def neo4j(neo4j_engine, truth):
    neo4j_engine.rebuild(*truth)
    return neo4j_engine


@pytest.fixture(params=["sql", "neo4j"])
def engine(request, truth):
    if request.param == "sql":
        graph_sql = pytest.importorskip("memoryhub.services.graph_sql", reason="the SQL engine is not written yet")
        return graph_sql.SqlGraphEngine()
    return request.getfixturevalue("neo4j")


def by_key(truth) -> dict:
    return {node["key"]: node for node in truth[0]}


def edge_of(truth, source: str, target: str) -> dict:
    return next(e for e in truth[1] if (e["source"], e["target"]) == (source, target) and e["valid_to"] is None)


# --- every engine ---------------------------------------------------------------------------------------------------
def test_node_lookup(engine, truth):
    assert engine.node("skill:s1") == by_key(truth)["skill:s1"]
    assert engine.node("concept:a") == by_key(truth)["concept:a"]
    assert engine.node("concept:nope") is None


def test_a_merged_key_is_resolved_by_the_truth_and_absent_from_a_copy(engine, truth):
    # The interface resolves merged keys; a synced copy holds live nodes only (rebuild gets them without the merged
    # ones), so callers resolve names against the truth first (graph_queries.node_resolve).
    expected = by_key(truth)["concept:a"] if engine.name == "sql" else None
    assert engine.node(MERGED) == expected


def test_neighbours_heaviest_first_in_both_directions(engine, truth):
    found = engine.neighbours("skill:s2")
    assert [(one["node"]["key"], one["direction"]) for one in found] == [
        ("insight:i0", "in"),
        ("insight:i1", "in"),
        ("skill:s3", "out"),
        ("skill:s1", "in"),
        ("document:kb/d0", "in"),
        ("insight:i2", "in"),
    ]
    assert found[0]["node"] == by_key(truth)["insight:i0"]
    assert found[0]["edge"] == edge_of(truth, "insight:i0", "skill:s2")
    assert found[2]["edge"] == edge_of(truth, "skill:s2", "skill:s3")


def test_neighbours_by_relation_direction_and_limit(engine):
    def keys(**kwargs):
        return [one["node"]["key"] for one in engine.neighbours("skill:s2", **kwargs)]

    assert keys(relation="about") == ["insight:i0", "insight:i1", "insight:i2"]
    assert keys(direction="out") == ["skill:s3"]
    assert keys(direction="in", relation="prerequisite") == ["skill:s1"]
    assert keys(limit=2) == ["insight:i0", "insight:i1"]
    assert keys(relation="nothing") == []
    assert engine.neighbours("concept:nope") == []


def test_closed_edges_are_not_neighbours(engine):
    assert [one["node"]["key"] for one in engine.neighbours("skill:s0")] == ["insight:i3", "skill:s1"]
    assert "skill:s0" not in [one["node"]["key"] for one in engine.neighbours("skill:s4")]


def test_shortest_path_over_current_edges_either_direction(engine, truth):
    found = engine.path("skill:s4", "skill:s0")  # against the edges' direction, around the closed shortcut
    assert found["found"] is True
    assert found["path"] == ["skill:s4", "skill:s3", "skill:s2", "skill:s1", "skill:s0"]
    assert found["length"] == 4
    assert [node["key"] for node in found["nodes"]] == found["path"]
    assert found["nodes"][0] == by_key(truth)["skill:s4"]
    assert found["edges"][0] == edge_of(truth, "skill:s3", "skill:s4")
    assert (found["from"], found["to"], found["weighted"]) == ("skill:s4", "skill:s0", False)


def test_weighted_path_prefers_heavy_edges_over_fewer_hops(engine):
    assert engine.path("concept:a", "concept:e")["path"] == ["concept:a", "concept:e"]
    heavy = engine.path("concept:a", "concept:e", weighted=True)
    assert heavy["path"] == ["concept:a", "concept:b", "concept:c", "concept:e"]
    assert heavy["cost"] == pytest.approx(0.6)
    assert heavy["weighted"] is True
    assert engine.path("concept:a", "concept:e", weighted=True, max_hops=2)["path"] == [
        "concept:a",
        "concept:d",
        "concept:e",
    ]
    one_hop = engine.path("concept:a", "concept:e", weighted=True, max_hops=1)
    assert one_hop["path"] == ["concept:a", "concept:e"]
    assert one_hop["cost"] == pytest.approx(10.0)
    chain = engine.path("skill:s0", "skill:s4", weighted=True)  # the closed, heavy shortcut is not taken
    assert chain["path"] == ["skill:s0", "skill:s1", "skill:s2", "skill:s3", "skill:s4"]
    assert chain["cost"] == pytest.approx(1 / 1.0 + 1 / 1.1 + 1 / 1.2 + 1 / 1.3)


@pytest.mark.parametrize("weighted", [False, True])
def test_unconnected_and_unknown_nodes_are_not_found(engine, weighted):
    for source, target in (("skill:s0", "concept:island1"), ("concept:lonely", "concept:a")):
        found = engine.path(source, target, weighted=weighted)
        assert found["found"] is False
        assert found["message"]
    assert engine.path("skill:s0", "concept:nope", weighted=weighted)["found"] is False
    assert engine.path("concept:island1", "concept:island2", weighted=weighted)["found"] is True


@pytest.mark.parametrize("weighted", [False, True])
def test_max_hops_is_respected(engine, weighted):
    assert engine.path("skill:s0", "skill:s4", weighted=weighted, max_hops=3)["found"] is False
    assert engine.path("skill:s0", "skill:s4", weighted=weighted, max_hops=4)["length"] == 4


def test_stats(engine):
    assert engine.stats() == {
        "nodes": 30,
        "edges": 27,
        "node_kinds": {"concept": 12, "document": 6, "insight": 6, "skill": 6},
        "relations": {"about": 6, "explains": 1, "mentions": 6, "prerequisite": 5, "related": 9},
        "average_degree": 1.8,
    }


# --- the synced copy ------------------------------------------------------------------------------------------------
def test_rebuild_twice_gives_exactly_the_truth(neo4j_engine, truth):
    for _ in range(2):
        report = neo4j_engine.rebuild(*truth)
        assert (report["nodes"], report["edges"], report["skipped_edges"]) == (30, 28, 0)
        assert neo4j_engine.snapshot() == truth
    assert MERGED not in {node["key"] for node in neo4j_engine.snapshot()[0]}


def test_upsert_twice_changes_nothing_and_follows_the_truth(neo4j, truth):
    neo4j.upsert(*truth)
    neo4j.upsert(*truth)
    assert neo4j.snapshot() == truth

    # The truth moves on: a fact changes (closing one edge, opening another), a node is added and gains an alias.
    ids = nodes_upsert([{"key": "concept:f", "kind": "concept", "name": "f", "label": "F"}])
    ids.update(nodes_upsert([{"key": "concept:a", "kind": "concept", "name": "a", "label": "A", "aliases": ["Ay"]}]))
    ids.update({key: pk for key, pk in GraphNode.objects.values_list("key", "pk")})
    edges_upsert([{"source": "concept:a", "target": "concept:b", "relation": "related", "weight": 7.0, "fact": True}])
    edges_upsert([{"source": "concept:f", "target": "concept:a", "relation": "related", "weight": 2.5}], ids)
    changed = truth_export()
    neo4j.upsert(*changed)
    neo4j.upsert(*changed)
    assert neo4j.snapshot() == changed
    assert neo4j.path("concept:f", "concept:e", weighted=True)["path"] == [
        "concept:f",
        "concept:a",
        "concept:b",
        "concept:c",
        "concept:e",
    ]


def test_remove_takes_nodes_with_their_edges_and_edges_by_id(neo4j, truth):
    nodes, edges = truth
    gone = edge_of(truth, "concept:a", "concept:e")
    neo4j.remove(["concept:island1"], [gone["id"]])
    expected_nodes = [node for node in nodes if node["key"] != "concept:island1"]
    expected_edges = [e for e in edges if e["id"] != gone["id"] and "concept:island1" not in (e["source"], e["target"])]
    assert neo4j.snapshot() == (expected_nodes, expected_edges)


# --- openCypher -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("cypher", "clause"),
    [
        ("CREATE (n:Node {key: 'x'})", "CREATE"),
        ("create (n:Node {key: 'x'}) return n", "CREATE"),
        ("MERGE (n:Node {key: 'concept:a'}) RETURN n", "MERGE"),
        ("MATCH (n:Node) SET n.kind = 'x'", "SET"),
        ("MATCH (n:Node)-[r:REL]->() DELETE r", "DELETE"),
        ("match (n) detach\ndelete n", "DETACH DELETE"),
        ("MATCH (n) /* only reading */ DeTaCh /* honest */ DELETE n", "DETACH DELETE"),
        ("MATCH (n)\n// a comment\nREMOVE n.kind", "REMOVE"),
        ("MATCH (n) FOREACH (x IN [1] | SET n.y = x)", "FOREACH"),
        ("LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line", "LOAD CSV"),
        ("DROP INDEX ON :Node(key)", "DROP"),
        ("UNWIND [1] AS x CALL { CREATE (:Node {key: 'y'}) } RETURN x", "CREATE"),
        ("CALL db.createLabel('Evil')", "CALL db.createLabel"),
        ("CALL apoc.create.node(['Evil'], {})", "CALL apoc.create.node"),
        ("MATCH (n) WHERE n.key = 'it\\'s' SET n.kind = 'x'", "SET"),
        ("MATCH (n) WITH n, 'quote\"' AS q MERGE (m:Node {key: q})", "MERGE"),
    ],
)
def test_writes_in_cypher_are_refused_before_running(neo4j, cypher, clause):
    before = neo4j.snapshot()
    with pytest.raises(GraphQueryError) as refused:
        neo4j.query(cypher, limits=QueryLimits())
    assert (refused.value.field, refused.value.code) == ("query", "write_refused")
    assert f" {clause} " in refused.value.message
    assert neo4j.snapshot() == before


def test_keywords_inside_strings_comments_and_names_are_only_read(neo4j):
    result = neo4j.query(
        "MATCH (n:Node {key: 'concept:a'}) // SET n.kind = 'x'\nRETURN 'CREATE; DELETE' AS text, n.key AS `set`",
        limits=QueryLimits(),
    )
    assert result == {"columns": ["text", "set"], "rows": [["CREATE; DELETE", "concept:a"]], "truncated": False}
    chain = neo4j.query(
        "MATCH (start:Node {key: 'skill:s0'})-[r:REL]->(stop:Node) WHERE r.valid_to IS NULL RETURN stop.key",
        limits=QueryLimits(),
    )
    assert chain["rows"] == [["skill:s1"]]


def test_query_results_in_the_engines_shapes(neo4j, truth):
    result = neo4j.query(
        "MATCH (a:Node {key: 'insight:i0'})-[r:REL]->(b:Node) RETURN a, r, b.key AS target", limits=QueryLimits()
    )
    assert result["columns"] == ["a", "r", "target"]
    [[node, edge, target]] = result["rows"]
    assert node == by_key(truth)["insight:i0"]
    assert (edge["id"], edge["relation"], edge["weight"], target) == (
        edge_of(truth, "insight:i0", "skill:s2")["id"],
        "about",
        3.0,
        "skill:s2",
    )


def test_row_limit_truncates(neo4j):
    cypher = "MATCH (n:Node) RETURN n.key AS key ORDER BY key"
    few = neo4j.query(cypher, limits=QueryLimits(rows=5))
    assert few["truncated"] is True
    assert len(few["rows"]) == 5
    every = neo4j.query(cypher, limits=QueryLimits(rows=100))
    assert (len(every["rows"]), every["truncated"]) == (30, False)
    assert every["rows"][:5] == few["rows"]
    exact = neo4j.query(cypher, limits=QueryLimits(rows=30))
    assert (len(exact["rows"]), exact["truncated"]) == (30, False)


def test_time_limit_stops_a_slow_query(neo4j):
    with pytest.raises(GraphQueryTimeout) as stopped:
        neo4j.query(
            "UNWIND range(1, 1000000) AS a UNWIND range(1, 1000000) AS b RETURN count(*)",
            limits=QueryLimits(time_ms=300),
        )
    assert stopped.value.code == "query_timeout"


def test_a_malformed_query_is_the_callers_error(neo4j):
    with pytest.raises(GraphQueryError) as refused:
        neo4j.query("MATCH (n RETURN n", limits=QueryLimits())
    assert refused.value.code == "invalid_query"
    with pytest.raises(GraphQueryError):
        neo4j.query("   ", limits=QueryLimits())
