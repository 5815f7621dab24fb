"""The knowledge graph built from what the product knows: documents and memories with the concepts they name,
incrementally and idempotently; one node per normalised name; facts that change keep their history."""

from __future__ import annotations

import pytest

from memoryhub.models import GraphCursor, GraphEdge, GraphNode
from memoryhub.services.documents import document_delete, document_put
from memoryhub.services.embeddings import embedding_delete, embeddings_add
from memoryhub.services.graph_build import graph_update
from memoryhub.services.graph_store import edges_upsert, nodes_upsert, truth_export

pytestmark = pytest.mark.django_db


def current(source_key: str, relation: str = "mentions") -> set[str]:
    return set(
        GraphEdge.objects.filter(source__key=source_key, relation=relation, valid_to__isnull=True).values_list(
            "target__key", flat=True
        )
    )


def test_documents_link_through_the_entities_they_name():
    document_put(namespace="kb", doc_id="d1", content="Maria Keller is an engineer at Brightwater Analytics.")
    document_put(namespace="kb", doc_id="d2", content="Brightwater Analytics Inc. is headquartered in Tallinn.")
    assert graph_update()["documents"] == 2

    assert {"concept:maria keller", "concept:brightwater analytics"} <= current("document:kb/d1")
    assert {"concept:brightwater analytics", "concept:tallinn"} <= current("document:kb/d2")
    company = GraphNode.objects.get(key="concept:brightwater analytics")
    assert company.mentions == 2
    assert "Brightwater Analytics Inc" in company.aliases  # the legal suffix folds into one node
    assert GraphNode.objects.filter(name="brightwater analytics").count() == 1


def test_an_update_again_changes_nothing_and_a_rewrite_replaces_the_concepts():
    document_put(namespace="kb", doc_id="d1", content="Maria Keller works at Brightwater Analytics.")
    graph_update()
    nodes, edges = truth_export()
    assert graph_update()["documents"] == 0
    GraphCursor.objects.all().update(position=0)  # as if every row were delivered again
    graph_update()
    assert truth_export() == (nodes, edges)

    document_put(namespace="kb", doc_id="d1", content="Maria Keller now works at Kestrel Robotics.")
    graph_update()
    assert "concept:brightwater analytics" not in current("document:kb/d1")
    assert "concept:kestrel robotics" in current("document:kb/d1")
    closed = GraphEdge.objects.get(source__key="document:kb/d1", target__key="concept:brightwater analytics")
    assert closed.valid_to is not None  # history kept, no longer current
    assert GraphNode.objects.get(key="concept:brightwater analytics").mentions == 0


def test_deleted_documents_and_memories_leave_the_graph():
    document_put(namespace="kb", doc_id="d1", content="Maria Keller works at Brightwater Analytics.")
    [(memory, _)] = embeddings_add(namespace="notes", items=[{"content": "Ask Maria Keller about Kestrel."}])
    graph_update()
    assert GraphNode.objects.filter(key=f"memory:{memory.embedding_id}").exists()
    assert GraphNode.objects.get(key="concept:maria keller").mentions == 2

    document_delete(namespace="kb", doc_id="d1")
    embedding_delete(embedding_id=memory.embedding_id)
    assert not GraphNode.objects.filter(kind__in=["document", "memory"]).exists()
    assert GraphNode.objects.get(key="concept:maria keller").mentions == 0


def test_a_fact_that_changes_closes_the_old_edge_and_keeps_it():
    ids = nodes_upsert(
        [
            {"key": "subagent:a", "kind": "subagent", "name": "a", "label": "a"},
            {"key": "skill:add", "kind": "skill", "name": "add", "label": "add"},
        ]
    )
    level = {"source": "subagent:a", "target": "skill:add", "relation": "level_in", "fact": True}
    edges_upsert([{**level, "weight": 0.3}], ids)
    edges_upsert([{**level, "weight": 0.3}], ids)  # the same fact again: nothing new
    edges_upsert([{**level, "weight": 0.6}], ids)
    history = list(GraphEdge.objects.filter(relation="level_in").order_by("id").values_list("weight", "valid_to"))
    assert [weight for weight, _ in history] == [0.3, 0.6]
    assert history[0][1] is not None and history[1][1] is None


def test_evidence_accumulates_once_per_id():
    ids = nodes_upsert(
        [
            {"key": "concept:a", "kind": "concept", "name": "a", "label": "A"},
            {"key": "concept:b", "kind": "concept", "name": "b", "label": "B"},
        ]
    )
    edge = {"source": "concept:a", "target": "concept:b", "relation": "related_to"}
    edges_upsert([{**edge, "evidence": ["document:kb/1"]}], ids)
    edges_upsert([{**edge, "evidence": ["document:kb/1"]}], ids)
    edges_upsert([{**edge, "evidence": ["document:kb/2"]}], ids)
    [row] = GraphEdge.objects.all()
    assert row.evidence == ["document:kb/1", "document:kb/2"]
    assert row.weight == 2.0


def test_an_edge_keeps_its_newest_evidence_and_counts_every_id_once():
    ids = nodes_upsert(
        [
            {"key": "concept:a", "kind": "concept", "name": "a", "label": "A"},
            {"key": "concept:b", "kind": "concept", "name": "b", "label": "B"},
        ]
    )
    edge = {"source": "concept:a", "target": "concept:b", "relation": "related_to"}
    for number in range(60):
        edges_upsert([{**edge, "evidence": [f"document:kb/{number}"]}], ids)
    edges_upsert([{**edge, "evidence": ["document:kb/59"]}], ids)  # delivered again: not counted again
    [row] = GraphEdge.objects.all()
    assert row.weight == 60.0
    assert len(row.evidence) == 50 and row.evidence[-1] == "document:kb/59" and row.evidence[0] == "document:kb/10"
