"""The originals' MemoryHub routes: same paths and JSON shapes, every one authenticated, stats reachable."""

import pytest


@pytest.fixture
def agent(personas, memory_redis, index_dir):
    return personas["agent"].client()


def test_key_value_routes_keep_the_originals_shapes(agent):
    stored = agent.post(
        "/kv", {"key": "k1", "value": {"n": 1}, "namespace": "memory_client", "expire": 60}, format="json"
    )
    assert stored.status_code == 201 and stored.json()["success"] is True
    assert agent.post("/kv", {"key": "k2", "value": [1, 2]}, format="json").status_code == 201  # default namespace
    assert agent.get("/kv/memory_client/k1").json() == {
        "key": "k1",
        "value": {"n": 1},
        "namespace": "memory_client",
        "exists": True,
    }
    assert agent.get("/kv/memory_client?pattern=k*").json()["keys"] == ["k1", "k2"]
    assert agent.delete("/kv/memory_client/k1").json()["deleted"] is True
    assert agent.get("/kv/memory_client/k1").json()["exists"] is False


def test_document_routes(agent):
    created = agent.post(
        "/doc",
        {
            "doc_id": "d1",
            "title": "Boiling",
            "content": "Water boils at 100 C at sea level.",
            "metadata": {"source": "book"},
        },
        format="json",
    )
    assert created.status_code == 201
    body = agent.get("/doc/knowledge_base/d1").json()
    assert {k: body[k] for k in ("namespace", "doc_id", "title", "content", "metadata")} == {
        "namespace": "knowledge_base",
        "doc_id": "d1",
        "title": "Boiling",
        "content": "Water boils at 100 C at sea level.",
        "metadata": {"source": "book"},
    }
    listing = agent.get("/doc/knowledge_base").json()
    assert listing["count"] == 1 and listing["results"][0]["doc_id"] == "d1"
    assert agent.post("/doc", {"doc_id": "d1", "content": "Replaced."}, format="json").status_code == 200
    assert agent.get("/doc/knowledge_base/d1").json()["content"] == "Replaced."


def test_embedding_routes_and_stats_is_not_shadowed(agent):
    made = agent.post(
        "/embedding",
        {"content": "The Eiffel Tower is in Paris.", "category": "geography", "metadata": {"k": 1}},
        format="json",
    )
    assert made.status_code == 201
    embedding_id = made.json()["id"]
    assert embedding_id.startswith("unified_memory_reasoning:")
    agent.post("/embedding", {"content": "Bananas are yellow."}, format="json")
    found = agent.post(
        "/embedding/search", {"query": "Which city has the Eiffel Tower?", "limit": 1}, format="json"
    ).json()
    assert set(found) == {"query", "namespace", "results", "count"} and found["count"] == 1
    hit = found["results"][0]
    assert set(hit) == {"id", "namespace", "content", "doc_id", "category", "metadata", "similarity", "created_at"}
    assert hit["id"] == embedding_id and hit["category"] == "geography" and 0 < hit["similarity"] <= 1
    assert agent.get(f"/embedding/{embedding_id}").json()["content"] == "The Eiffel Tower is in Paris."
    stats = agent.get("/embedding/stats")  # the originals declared it after /embedding/{id}: unreachable
    assert stats.status_code == 200 and stats.json()["total_embeddings"] == 2


def test_session_routes(agent):
    made = agent.post("/session", {"session_id": "s1", "user_id": "agent-7", "data": {"step": 2}}, format="json")
    assert made.status_code == 201
    body = agent.get("/session/session_memory/s1").json()
    assert body["user_id"] == "agent-7" and body["data"] == {"step": 2} and body["namespace"] == "session_memory"
    assert agent.get("/session/session_memory/nope").status_code == 404


@pytest.mark.parametrize(
    "method, path",
    [
        ("post", "/kv"),
        ("get", "/kv/memory_client/k"),
        ("get", "/kv/memory_client"),
        ("post", "/doc"),
        ("get", "/doc/knowledge_base/d"),
        ("get", "/doc/knowledge_base"),
        ("post", "/embedding"),
        ("post", "/embedding/search"),
        ("get", "/embedding/stats"),
        ("get", "/embedding/x"),
        ("post", "/session"),
        ("get", "/session/session_memory/s"),
        ("post", "/context"),
    ],
)
def test_every_route_needs_a_token(client, db, method, path):
    response = getattr(client, method)(path, content_type="application/json")
    assert response.status_code == 401 and response.json()["error"]["code"] == "not_authenticated"


def test_there_is_no_token_for_a_password(client, db):
    assert client.post("/auth/token", {"username": "x", "password": "y"}).status_code == 404


def test_roles_viewers_read_and_search_raters_do_not_write(personas, memory_redis, index_dir):
    viewer, rater = personas["viewer"].client(), personas["rater"].client()
    assert viewer.post("/kv", {"key": "k", "value": 1}, format="json").status_code == 403
    assert viewer.get("/kv/memory_client/k").status_code == 200
    assert viewer.post("/embedding/search", {"query": "anything"}, format="json").status_code == 200
    assert rater.post("/embedding/search", {"query": "anything"}, format="json").status_code == 403
    assert rater.post("/doc", {"doc_id": "d", "content": "c"}, format="json").status_code == 403


@pytest.mark.parametrize(
    "path, body, field",
    [
        ("/kv", {"key": "k", "value": 1, "namespace": "nowhere"}, "namespace"),
        ("/doc", {"doc_id": "d", "content": ""}, "content"),
        ("/doc", {"doc_id": "d", "content": "c", "namespace": "Has Spaces"}, "namespace"),
        ("/embedding", {"content": "   "}, "content"),
        ("/embedding/search", {"query": "x", "limit": 0}, "limit"),
        ("/embedding/search", {"query": "x", "limit": 101}, "limit"),
        ("/session", {"session_id": "s", "expires_hours": -1}, "expires_hours"),
        ("/context", {"agent": "a", "query": "q", "budget_tokens": 1}, "budget_tokens"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(agent, path, body, field):
    response = agent.post(path, body, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["error"]["message"]


def test_an_oversized_value_is_413(agent):
    response = agent.post("/kv", {"key": "big", "value": "x" * (1024 * 1024)}, format="json")
    assert response.status_code == 413 and response.json()["error"]["code"] == "payload_too_large"


# The schema says string, integer, number or boolean: a value of another JSON type is refused, not converted
# (DRF's fields took 0 as "0", false as 0.0), and refused before anything is written.
@pytest.mark.parametrize(
    "method, path, body, field",
    [
        ("post", "/context", {"agent": "a", "query": "q", "namespace": 0}, "namespace"),
        ("post", "/kv", {"key": "k", "value": 1, "namespace": 0}, "namespace"),
        ("post", "/kv", {"key": 7, "value": 1}, "key"),
        ("post", "/kv", {"key": "k", "value": 1, "expire": "60"}, "expire"),
        ("put", "/kv/memory_client/k", {"value": 1, "expire": True}, "expire"),
        ("put", "/api/v1/memory/kv/memory_client/k", {"value": 1, "expire": 1.5}, "expire"),
        ("post", "/doc", {"doc_id": "d", "content": "c", "namespace": 0}, "namespace"),
        ("put", "/doc/knowledge_base/d", {"content": 0}, "content"),
        ("post", "/embedding", {"content": "c", "category": 0}, "category"),
        ("post", "/api/v1/memory/embeddings/bulk", {"items": [{"content": "c", "doc_id": 0}]}, "items"),
        ("post", "/embedding/search", {"query": "x", "min_similarity": False}, "min_similarity"),
        ("post", "/embedding/search", {"query": "x", "limit": "10"}, "limit"),
        ("post", "/session", {"session_id": "s", "expires_hours": "24"}, "expires_hours"),
        ("patch", "/session/session_memory/s", {"data": {}, "expires_hours": False}, "expires_hours"),
    ],
)
def test_a_value_of_the_wrong_json_type_is_a_400_naming_the_field_and_nothing_is_stored(
    agent, method, path, body, field
):
    from memoryhub.models import Document, Embedding, IngestBatch, MemorySession

    response = getattr(agent, method)(path, body, format="json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid" and field in error["details"] and field in error["message"]
    assert agent.get("/kv/memory_client?pattern=*").json()["keys"] == []
    assert not Document.objects.exists() and not Embedding.objects.exists() and not IngestBatch.objects.exists()
    assert not MemorySession.objects.exists()


def test_the_right_types_still_pass_where_the_wrong_ones_were_refused(agent):
    # The control case: a whole number written as 60.0 is still a whole number, as JSON Schema counts it.
    assert (
        agent.post(
            "/kv", {"key": "k", "value": 1, "namespace": "memory_client", "expire": 60.0}, format="json"
        ).status_code
        == 201
    )
    assert agent.put("/doc/knowledge_base/d", {"content": "text"}, format="json").status_code == 201
    assert agent.post("/context", {"agent": "a", "query": "q", "namespace": None}, format="json").status_code == 200


def test_null_is_a_value_like_any_other_json(agent):
    # The schema documents `value` as any JSON value: null was refused ("may not be null") though documented.
    assert agent.put("/kv/memory_client/k", {"value": None}, format="json").status_code == 200
    assert agent.post("/kv", {"key": "k2", "value": None}, format="json").status_code == 201
    assert agent.get("/kv/memory_client/k").json() == {
        "key": "k",
        "value": None,
        "namespace": "memory_client",
        "exists": True,
    }
