"""The Neo4j engine's copy kept in sync with the truth (memoryhub.services.graph_sync): documents folded into the
graph reach the copy, a second sync changes nothing, rewrites, deletions and merges are followed, a full sync
rebuilds it exactly; and the API answers from the copy what it answers from the truth.

Against FalkorDB's Bolt server (or the Neo4j 5 at NEO4J_URL), the engine suite's session fixtures. OVERLAP_S is 0
here: every row is seconds old, so the minute read again would push everything at every sync and hide a writer
that forgets updated_at."""

from __future__ import annotations

import os
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from memoryhub.models import GraphCursor, GraphEdge, GraphNode
from memoryhub.services import graph_queries
from memoryhub.services import graph_sync as graph_sync_module
from memoryhub.services.documents import document_delete, document_put
from memoryhub.services.graph_admin import node_merge, node_split
from memoryhub.services.graph_build import graph_update
from memoryhub.services.graph_store import truth_export
from memoryhub.services.graph_sync import graph_sync
from memoryhub.tasks import graph_communities_task, graph_update_task
from tests.memoryhub.test_graph_engines import bolt_url  # noqa: F401  (a FalkorDB Bolt server for the session)

pytestmark = pytest.mark.django_db

DOCUMENTS = {
    "d1": "Maria Keller is an engineer at Brightwater Analytics.",
    "d2": "Brightwater Analytics Inc. is headquartered in Tallinn.",
    "d3": "Tallinn hosts the Kestrel Robotics lab of Jonas Varga.",
}


@pytest.fixture
def neo4j_copy(settings, bolt_url, monkeypatch):  # noqa: F811
    """GRAPH_ENGINE=neo4j at the session's server, set as production sets it; yields the engine graph_engine()
    answers with. graph_queries caches one engine per (url, user, password), so the same settings give every test
    the same engine, and none is closed: FalkorDB's Bolt stalls the next new connection's handshake after a client
    closes one, for the driver's whole 60 s deadline."""
    settings.GRAPH_ENGINE = "neo4j"
    settings.NEO4J_URL = bolt_url
    settings.NEO4J_USER = os.environ.get("NEO4J_USER", "")
    settings.NEO4J_PASSWORD = os.environ.get("NEO4J_PASSWORD", "")
    monkeypatch.setattr(graph_sync_module, "OVERLAP_S", 0)
    engine = graph_queries.graph_engine()
    assert engine.name == "neo4j"
    engine.rebuild([], [])  # whatever an earlier test left
    return engine


def put(*names: str, **rewritten: str) -> None:
    for name in names:
        document_put(namespace="kb", doc_id=name, content=DOCUMENTS[name])
    for name, content in rewritten.items():
        document_put(namespace="kb", doc_id=name, content=content)
    graph_update()


def test_the_sql_engine_has_no_copy_to_sync(settings):
    settings.GRAPH_ENGINE = "sql"
    assert (graph_sync()["engine"], graph_sync(full=True)["nodes"]) == ("sql", 0)
    assert not GraphCursor.objects.filter(source=graph_sync_module.CURSOR).exists()


def test_the_copy_follows_the_truth_and_a_second_sync_changes_nothing(neo4j_copy):
    put("d1", "d2")
    first = graph_sync()
    assert (first["full"], first["reason"]) == (True, "first sync")
    assert neo4j_copy.snapshot() == truth_export()

    again = graph_sync()
    assert (again["full"], again["nodes"], again["edges"], again["removed_nodes"]) == (False, 0, 0, 0)
    assert neo4j_copy.snapshot() == truth_export()

    put("d3")
    added = graph_sync()
    assert not added["full"] and added["nodes"] > 0 and added["edges"] > 0
    assert neo4j_copy.snapshot() == truth_export()


def test_a_rewritten_document_closes_its_edges_in_the_copy_too(neo4j_copy):
    put("d1", "d2")
    graph_sync()
    put(d1="Maria Keller now works at Kestrel Robotics.")
    closed = GraphEdge.objects.get(source__key="document:kb/d1", target__key="concept:brightwater analytics")
    assert closed.valid_to is not None

    synced = graph_sync()
    assert not synced["full"]
    nodes, edges = neo4j_copy.snapshot()
    assert (nodes, edges) == truth_export()
    assert next(edge for edge in edges if edge["id"] == closed.pk)["valid_to"] == closed.valid_to.isoformat()
    # What a reader asks the copy for today: Brightwater is no longer a neighbour of d1, Kestrel is.
    today = {one["node"]["key"] for one in neo4j_copy.neighbours("document:kb/d1")}
    assert "concept:kestrel robotics" in today and "concept:brightwater analytics" not in today


def test_a_deleted_document_leaves_the_copy_and_a_full_sync_gives_the_truth_exactly(neo4j_copy):
    put("d1", "d2", "d3")
    graph_sync()
    document_delete(namespace="kb", doc_id="d2")

    synced = graph_sync()
    assert not synced["full"] and synced["removed_nodes"] == 1  # the copy held one node more than the truth
    assert neo4j_copy.node("document:kb/d2") is None
    assert neo4j_copy.snapshot() == truth_export()

    full = graph_sync(full=True)
    assert (full["full"], full["reason"], full["skipped_edges"]) == (True, "requested", 0)
    assert neo4j_copy.snapshot() == truth_export()
    assert graph_sync()["nodes"] == 0  # the full sync moved the cursor


def test_a_merge_and_its_split_reach_the_copy(neo4j_copy):
    put("d1", "d2")
    company = GraphNode.objects.get(key="concept:brightwater analytics")
    city = GraphNode.objects.get(key="concept:tallinn")
    # History between the two that neither the merge nor the split touches: it must come back with the split.
    GraphEdge.objects.create(
        source=company,
        target=city,
        relation="located_in",
        weight=0.5,
        valid_from=timezone.now(),
        valid_to=timezone.now(),
    )
    graph_sync()

    change = node_merge(into=city, merged=company, actor="operator")
    merged = graph_sync()
    assert not merged["full"] and merged["removed_nodes"] == 1
    assert neo4j_copy.node("concept:brightwater analytics") is None
    assert {"document:kb/d1", "document:kb/d2"} <= {one["node"]["key"] for one in neo4j_copy.neighbours(city.key)}
    assert neo4j_copy.snapshot() == truth_export()

    node_split(change=change, actor="operator")
    split = graph_sync()
    assert not split["full"]
    assert neo4j_copy.node("concept:brightwater analytics") is not None
    assert neo4j_copy.snapshot() == truth_export()


def test_a_merge_that_left_updated_at_alone_is_still_caught_by_the_count(neo4j_copy):
    put("d1")
    graph_sync()
    GraphNode.objects.filter(key="concept:maria keller").update(
        merged_into=GraphNode.objects.get(key="concept:brightwater analytics")
    )
    assert graph_sync()["removed_nodes"] == 1
    assert neo4j_copy.node("concept:maria keller") is None


def test_a_copy_found_empty_is_rebuilt_in_full(neo4j_copy):
    put("d1")
    graph_sync()
    neo4j_copy.rebuild([], [])  # the Bolt server restarted without its data
    synced = graph_sync()
    assert (synced["full"], synced["reason"]) == (True, "the copy was empty")
    assert neo4j_copy.snapshot() == truth_export()


def test_the_update_task_syncs_the_copy_and_communities_reach_it(neo4j_copy):
    for name in ("d1", "d2", "d3"):
        document_put(namespace="kb", doc_id=name, content=DOCUMENTS[name])
    done = graph_update_task()  # called in this process: the update, then the sync
    assert done["update"]["documents"] == 3 and done["sync"]["full"]
    assert neo4j_copy.snapshot() == truth_export()

    communities = graph_communities_task()
    assert communities["communities"] >= 1 and not communities["sync"]["full"]
    nodes, _ = neo4j_copy.snapshot()
    assert all(node["community"] is not None for node in nodes)
    assert neo4j_copy.snapshot() == truth_export()


def test_the_command_prints_counts_and_time(neo4j_copy):
    put("d1")
    out = StringIO()
    call_command("graph_sync", "--full", stdout=out)
    assert out.getvalue().startswith("neo4j: full True, reason requested, nodes ") and out.getvalue().endswith(" s\n")
    assert neo4j_copy.snapshot() == truth_export()
    call_command("graph_sync", stdout=out)
    assert "full False" in out.getvalue()


def test_the_api_answers_from_the_copy_as_from_the_truth(neo4j_copy, operator_client, settings):
    put("d1", "d2", "d3")
    graph_sync()
    requests = [
        ("/api/v1/graph/concepts/Brightwater Analytics", {}),
        ("/api/v1/graph/concepts/tallinn", {"limit": 3}),
        ("/api/v1/graph/path", {"from": "Maria Keller", "to": "Jonas Varga"}),
        ("/api/v1/graph/path", {"from": "Maria Keller", "to": "Jonas Varga", "weighted": "1"}),
        ("/api/v1/graph/path", {"from": "Maria Keller", "to": "Tallinn", "max_hops": 1}),
    ]
    answers = {}
    for engine in ("sql", "neo4j"):
        settings.GRAPH_ENGINE = engine
        for url, params in requests:
            response = operator_client.get(url, params)
            assert response.status_code == 200, (engine, url, response.content)
            answers.setdefault((url, str(params)), []).append(response.json())
    for (url, params), (sql, neo4j) in answers.items():
        assert sql == neo4j, (url, params)
    path = answers[("/api/v1/graph/path", str(requests[2][1]))][0]
    assert path["found"] and path["path"][0] == "concept:maria keller" and path["path"][-1] == "concept:jonas varga"


def test_cypher_queries_read_the_copy_and_writes_are_refused(neo4j_copy, operator_client):
    put("d1", "d2")
    graph_sync()
    before = neo4j_copy.snapshot()
    read = operator_client.post("/api/v1/graph/query", {"cypher": "MATCH (n:Node) RETURN n.key LIMIT 5"}, format="json")
    assert read.status_code == 200, read.content
    body = read.json()
    assert (body["engine"], body["columns"], len(body["rows"])) == ("neo4j", ["n.key"], 5)
    assert {row[0] for row in body["rows"]} <= {node["key"] for node in before[0]}

    refused = operator_client.post("/api/v1/graph/query", {"cypher": "MATCH (n) DETACH DELETE n"}, format="json")
    assert refused.status_code == 400, refused.content
    assert refused.json()["error"]["code"] == "write_refused"
    assert "cypher" in refused.json()["error"]["details"]
    assert neo4j_copy.snapshot() == before
