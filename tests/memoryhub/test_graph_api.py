"""The knowledge graph's routes, /api/v1/graph/ and the originals' /hobby/graph: personas, shapes, paths,
queries with their limits, and bad input answered with a 4xx naming the problem."""

from __future__ import annotations

import pytest

from memoryhub.models import GraphEdge, GraphNode
from memoryhub.services.documents import document_put
from memoryhub.services.graph_build import graph_update
from memoryhub.services.graph_store import edges_upsert, nodes_upsert

pytestmark = pytest.mark.django_db


@pytest.fixture
def learning_graph():
    """A mastered skill and a weak one, related through a failure kind their insights share."""
    nodes = [
        {"key": "skill:addition-2-digit", "kind": "skill", "name": "addition-2-digit", "label": "addition-2-digit"},
        {"key": "skill:subtraction-2-digit", "kind": "skill", "name": "subtraction-2-digit", "label": "sub"},
        {"key": "skill:reverse", "kind": "skill", "name": "reverse", "label": "reverse"},
        {"key": "insight:1", "kind": "insight", "name": "1", "label": "addition: 2 of 10 off by a small amount"},
        {"key": "insight:2", "kind": "insight", "name": "2", "label": "subtraction: 6 of 10 off by a small amount"},
        {"key": "failure_kind:off_by_small", "kind": "failure_kind", "name": "off_by_small", "label": "off by small"},
        {"key": "subagent:a", "kind": "subagent", "name": "a", "label": "a"},
    ]
    ids = nodes_upsert(nodes)

    def edge(source, relation, target, weight=1.0):
        return {"source": source, "target": target, "relation": relation, "weight": weight, "evidence": [source]}

    edges_upsert(
        [
            edge("insight:1", "about", "skill:addition-2-digit", 0.8),
            edge("insight:2", "about", "skill:subtraction-2-digit", 0.8),
            edge("insight:1", "shows", "failure_kind:off_by_small"),
            edge("insight:2", "shows", "failure_kind:off_by_small"),
            {**edge("subagent:a", "level_in", "skill:addition-2-digit", 0.9), "fact": True},
            {**edge("subagent:a", "level_in", "skill:subtraction-2-digit", 0.2), "fact": True},
        ],
        ids,
    )
    return ids


def test_every_route_needs_a_token_and_viewers_read(personas, learning_graph):
    stranger, viewer = personas["stranger"].client(), personas["viewer"].client()
    for url in ["/api/v1/graph/", "/hobby/graph", "/hobby/graph/concepts/reverse", "/hobby/graph/visualize"]:
        assert stranger.get(url).status_code == 401
        assert viewer.get(url).status_code == 200, url
    assert viewer.post("/hobby/graph/query", {"query": {"match": {"kind": "skill"}}}, format="json").status_code == 200
    assert viewer.post("/api/v1/graph/build").status_code == 403  # rebuilding is an operator's
    assert viewer.post("/api/v1/graph/communities").status_code == 403


def test_a_concept_answers_with_its_neighbours_evidence_and_insights(operator_client, learning_graph):
    body = operator_client.get("/hobby/graph/concepts/addition-2-digit").json()
    assert body["node"]["key"] == "skill:addition-2-digit"
    assert body["by_relation"] == {"about": 1, "level_in": 1}
    assert body["neighbours"][0]["edge"]["relation"] == "level_in"  # heaviest first (0.9)
    assert [insight["key"] for insight in body["insights"]] == ["insight:1"]
    assert "insight:1" in body["evidence"]
    same = operator_client.get("/api/v1/graph/concepts/skill:addition-2-digit").json()
    assert same["node"] == body["node"]


def test_the_learning_path_goes_from_a_mastered_skill_to_a_weak_one(operator_client, learning_graph):
    body = operator_client.get("/hobby/graph/path", {"from": "addition-2-digit", "to": "subtraction-2-digit"}).json()
    assert body["found"] is True
    assert body["length"] == 2  # through the sub-agent who has both levels
    weighted = operator_client.get(
        "/api/v1/graph/path", {"from": "addition-2-digit", "to": "subtraction-2-digit", "weighted": "1"}
    ).json()
    # cost 1/0.9 + 1/0.2 = 6.1 through the sub-agent; 1.25+1+1+1.25 = 4.5 through the shared failure kind
    assert weighted["path"] == [
        "skill:addition-2-digit",
        "insight:1",
        "failure_kind:off_by_small",
        "insight:2",
        "skill:subtraction-2-digit",
    ]
    assert weighted["cost"] == pytest.approx(4.5)
    legacy = operator_client.get("/hobby/graph/path", {"start_id": "addition-2-digit", "end_id": "reverse"})
    assert legacy.status_code == 200 and legacy.json()["found"] is False  # unconnected: says so, no error
    assert "no path" in legacy.json()["message"]


def test_closed_facts_are_not_walked_but_are_kept_as_history(operator_client, learning_graph):
    GraphEdge.objects.filter(relation="shows").update(valid_to="2026-01-01T00:00:00Z")
    body = operator_client.get(
        "/api/v1/graph/path", {"from": "addition-2-digit", "to": "subtraction-2-digit", "weighted": "1"}
    ).json()
    assert "failure_kind:off_by_small" not in body["path"]
    history = operator_client.get("/api/v1/graph/concepts/off_by_small").json()["history"]
    assert {edge["relation"] for edge in history} == {"shows"}


@pytest.mark.parametrize(
    "url, status, field",
    [
        ("/api/v1/graph/concepts/no-such-thing", 404, None),
        ("/api/v1/graph/path?from=addition-2-digit&to=nowhere", 404, None),
        ("/api/v1/graph/path?from=addition-2-digit", 400, "to"),
        ("/api/v1/graph/path?from=addition-2-digit&to=reverse&max_hops=99", 400, "max_hops"),
        ("/api/v1/graph/path?from=addition-2-digit&to=reverse&weighted=maybe", 400, "weighted"),
        ("/api/v1/graph/visualize?limit=0", 400, "limit"),
        ("/api/v1/graph/search?q=", 400, "q"),
        ("/api/v1/graph/similar", 400, "concept"),
    ],
)
def test_bad_input_is_a_4xx_naming_it(operator_client, learning_graph, url, status, field):
    response = operator_client.get(url)
    assert response.status_code == status, response.content
    if field:
        assert field in response.json()["error"]["details"]


@pytest.mark.parametrize(
    "body, field, code",
    [
        ({"query": {"match": {"kind": "skill"}, "delete": True}}, "query", "write_refused"),
        ({"query": {"match": {"kind": "skill", "set": "x"}}}, "query.match", "write_refused"),
        ({"query": {"match": {"kind": "skill"}}, "row_limit": 0}, "row_limit", "limit"),
        ({"query": {"match": {"kind": "skill"}}, "row_limit": 5000}, "row_limit", "limit"),
        ({"query": {"match": {"kind": "skill"}}, "time_limit_ms": 60000}, "time_limit_ms", "limit"),
        ({"query": {"match": {"color": "red"}}}, "query.match.color", "invalid_query"),
        ({"query": {"match": {}}}, "query.match", "invalid_query"),
        ({"cypher": "MATCH (n) RETURN n"}, "cypher", "invalid_query"),  # the SQL engine has no Cypher: says so
        ({}, "query", "invalid_query"),
    ],
)
def test_queries_refuse_writes_and_limits_out_of_range(operator_client, learning_graph, body, field, code):
    before = (GraphNode.objects.count(), GraphEdge.objects.count())
    response = operator_client.post("/api/v1/graph/query", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["details"]
    assert response.json()["error"]["code"] == code
    assert (GraphNode.objects.count(), GraphEdge.objects.count()) == before


def test_a_json_query_walks_the_graph_within_its_row_limit(operator_client, learning_graph):
    query = {
        "match": {"kind": "failure_kind"},
        "traverse": [{"relation": "shows", "direction": "in"}, {"relation": "about"}],
    }
    body = operator_client.post("/hobby/graph/query", {"query": query}, format="json").json()
    assert body["columns"] == ["n0", "n1", "n2"]
    ends = sorted(row[2]["key"] for row in body["rows"])
    assert ends == ["skill:addition-2-digit", "skill:subtraction-2-digit"]
    limited = operator_client.post("/hobby/graph/query", {"query": query, "row_limit": 1}, format="json").json()
    assert len(limited["rows"]) == 1 and limited["truncated"] is True


def test_the_whole_graph_search_and_visualize(operator_client, learning_graph):
    whole = operator_client.get("/hobby/graph").json()
    assert whole["stats"]["nodes"] == 7 and whole["stats"]["edges"] == 6
    assert len(whole["nodes"]) == 7 and len(whole["edges"]) == 6
    view = operator_client.get("/hobby/graph/visualize", {"kind": "skill"}).json()
    assert {node["key"] for node in view["nodes"]} == {
        "skill:addition-2-digit",
        "skill:subtraction-2-digit",
        "skill:reverse",
    }
    assert view["edges"] == []  # no edge joins two skills
    found = operator_client.get("/hobby/graph/search", {"q": "subtr"}).json()
    # names starting with the text first, then labels containing it
    assert [node["key"] for node in found["nodes"]] == ["skill:subtraction-2-digit", "insight:2"]
    assert operator_client.get("/hobby/graph/search", {"q": "subtr", "kind": "insight"}).json()["count"] == 1


def test_communities_group_what_is_connected(operator_client, learning_graph):
    result = operator_client.post("/api/v1/graph/communities").json()
    assert result["nodes"] == 7 and result["communities"] >= 2  # reverse stands alone
    reverse = GraphNode.objects.get(key="skill:reverse")
    addition = GraphNode.objects.get(key="skill:addition-2-digit")
    assert reverse.community != addition.community
    listed = operator_client.get("/api/v1/graph/communities").json()["communities"]
    assert sum(one["size"] for one in listed) == 7 and all(one["label"] for one in listed)


def test_similar_concepts_share_neighbours_or_meaning(operator_client):
    for doc_id, text in [
        ("a", "Brightwater Analytics hired Maria Keller."),
        ("b", "Brightwater Analytic hired Jonas Berg."),
        ("c", "The Orvieto Film Collective screened a film."),
    ]:
        document_put(namespace="kb", doc_id=doc_id, content=text)
    graph_update()
    similar = operator_client.get("/api/v1/graph/similar", {"concept": "Brightwater Analytics"}).json()["similar"]
    by_key = {one["node"]["key"]: one for one in similar}
    assert by_key["concept:brightwater analytic"]["embedding"] > 0.7  # near in meaning (a duplicate to merge)
    assert by_key["concept:maria keller"]["shared_neighbours"] > 0  # named by the same document
    assert "concept:orvieto film collective" not in list(by_key)[:2]


def test_similar_concepts_see_concepts_added_since_the_last_answer(operator_client):
    document_put(namespace="kb", doc_id="a", content="Brightwater Analytics hired Maria Keller.")
    graph_update()
    first = operator_client.get("/api/v1/graph/similar", {"concept": "Brightwater Analytics"}).json()["similar"]
    assert "concept:brightwater analytix" not in {one["node"]["key"] for one in first}
    document_put(namespace="kb", doc_id="b", content="Brightwater Analytix opened an office.")
    graph_update()
    again = operator_client.get("/api/v1/graph/similar", {"concept": "Brightwater Analytics"}).json()["similar"]
    assert "concept:brightwater analytix" in {one["node"]["key"] for one in again}  # not a stale cached matrix
