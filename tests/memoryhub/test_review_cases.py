"""Cases a review found: indexes that must notice every change, namespaces that must stay file names,
documents sharing content, text PostgreSQL cannot store, and other edges that must be 4xx, not 500."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from core.errors import Invalid
from memoryhub import embedder
from memoryhub.models import Embedding, IngestBatch
from memoryhub.services import context, documents, embeddings, indexes, sessions

TEXTS = ["The Eiffel Tower is in Paris.", "Bananas are yellow.", "Rust has a borrow checker."]


def add(namespace, *texts):
    return embeddings.embeddings_add(namespace=namespace, items=[{"content": t} for t in texts])


def elsewhere(namespace, *, add_text=None, tombstone=None, revive=None):
    """Writes by another process: the rows and the namespace's version, nothing in this process's index."""
    with transaction.atomic():
        if add_text:
            digest = embeddings.content_hash(add_text)
            Embedding.objects.create(
                embedding_id=f"{namespace}:{digest[:16]}",
                namespace=namespace,
                content_hash=digest,
                content=add_text,
                vector=embedder.to_bytes(embedder.embed([add_text])[0]),
            )
        if tombstone:
            Embedding.objects.filter(content=tombstone).update(deleted_at=timezone.now())
        if revive:
            Embedding.objects.filter(content=revive).update(deleted_at=None)
        indexes.namespace_bump(namespace)


def test_an_add_and_a_delete_elsewhere_then_one_here_are_all_seen(db, index_dir):
    add("n", *TEXTS)
    indexes.index_for("n")
    elsewhere("n", add_text="Mount Everest is the highest mountain.", tombstone=TEXTS[1])
    add("n", "Whales are mammals.")  # count and highest id now look as if nothing else happened
    index = indexes.index_for("n")
    live = set(Embedding.objects.filter(namespace="n", deleted_at__isnull=True).values_list("id", flat=True))
    assert set(index.keys().tolist()) == live
    [(best, _), *_] = embeddings.embeddings_search(query="highest mountain", namespace="n")
    assert best.content.startswith("Mount Everest")


def test_a_revival_elsewhere_is_seen(db, index_dir):
    add("n", *TEXTS)
    elsewhere("n", tombstone=TEXTS[0])
    indexes.index_for("n")
    elsewhere("n", revive=TEXTS[0])
    assert (
        embeddings.embeddings_search(query="Where is the Eiffel Tower?", namespace="n", limit=1)[0][0].content
        == TEXTS[0]
    )


@pytest.mark.parametrize("namespace", ["../outside/pwned", "/tmp/absolute", "a b", "UPPER"])
def test_a_namespace_is_never_a_path(db, index_dir, namespace, personas, tmp_path):
    with pytest.raises(Invalid):
        embeddings.embeddings_search(query="x", namespace=namespace)
    response = (
        personas["viewer"].client().post("/embedding/search", {"query": "x", "namespace": namespace}, format="json")
    )
    assert response.status_code == 400
    response = (
        personas["agent"].client().post("/context", {"agent": "a", "query": "x", "namespace": namespace}, format="json")
    )
    assert response.status_code == 400
    assert not list(tmp_path.rglob("*.usearch"))  # index_dir is tmp_path / "indexes": nothing beside it either
    assert not Path("/tmp/absolute.usearch").exists()


def test_searching_a_namespace_nobody_used_writes_nothing(db, index_dir):
    assert embeddings.embeddings_search(query="x", namespace="never-used") == []
    assert not index_dir.exists() or not list(index_dir.iterdir())


def test_documents_sharing_content_keep_it_searchable(db, index_dir):
    documents.document_put(namespace="kb", doc_id="a", content="Same boilerplate text about tides.")
    documents.document_put(namespace="kb", doc_id="b", content="Same boilerplate text about tides.")
    documents.document_delete(namespace="kb", doc_id="a")
    [(hit, _)] = embeddings.embeddings_search(query="boilerplate tides", namespace="kb", limit=1)
    assert hit.doc_id == "b"  # handed over to the document that still has the content
    documents.document_put(namespace="kb", doc_id="b", content="Something else entirely.")
    assert not Embedding.objects.filter(
        namespace="kb", deleted_at__isnull=True, content__startswith="Same boilerplate"
    ).exists()


def test_a_failed_embedding_leaves_no_document(db, index_dir, monkeypatch):
    def broken(texts):
        raise RuntimeError("the model fell over")

    monkeypatch.setattr(embedder, "embed", broken)
    with pytest.raises(RuntimeError):
        documents.document_put(namespace="kb", doc_id="d", content="text")
    from memoryhub.models import Document

    assert not Document.objects.exists()


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("get", "/doc/knowledge_base/a%00b", None),
        ("put", "/api/v1/memory/documents/knowledge_base/a%00b", {"content": "c"}),
        ("get", "/session/session_memory/a%00b", None),
        ("get", "/embedding/a%00b", None),
        ("get", "/doc/knowledge_base?q=a%00b", None),
        ("post", "/doc", {"doc_id": "d", "content": "c", "metadata": {"k": "a\u0000b"}}),
        ("post", "/session", {"session_id": "s", "data": {"k": ["a\u0000b"]}}),
        ("post", "/embedding", {"content": "c", "metadata": {"k\u0000": 1}}),
    ],
)
def test_nul_characters_are_a_400_not_a_database_error(personas, memory_redis, index_dir, method, path, body):
    client = personas["agent"].client()
    response = getattr(client, method)(path, body, format="json") if body is not None else getattr(client, method)(path)
    assert response.status_code == 400, response.content
    assert "NUL" in response.json()["error"]["message"]


def test_a_document_posted_to_a_namespace_path_lands_there(personas, index_dir):
    client = personas["agent"].client()
    assert client.post("/doc/notes", {"doc_id": "d", "content": "c"}, format="json").status_code == 201
    assert client.get("/doc/notes/d").status_code == 200
    clash = client.post("/doc/notes", {"doc_id": "d", "content": "c", "namespace": "other"}, format="json")
    assert clash.status_code == 400 and "namespace" in clash.json()["error"]["message"]


def test_a_session_id_with_a_slash_is_reachable(personas):
    client = personas["agent"].client()
    assert client.post("/session", {"session_id": "chat/42"}, format="json").status_code == 201
    assert client.get("/session/session_memory/chat/42").json()["session_id"] == "chat/42"
    assert client.patch("/api/v1/memory/sessions/session_memory/chat/42", {"data": {"x": 1}}, format="json").json()[
        "data"
    ] == {"x": 1}


def test_an_absurd_expiry_is_a_400(personas, memory_redis):
    response = personas["agent"].client().post("/kv", {"key": "k", "value": 1, "expire": 10**18}, format="json")
    assert response.status_code == 400 and "expire" in response.json()["error"]["message"]


@pytest.mark.parametrize("query", ["limit=0", "limit=-3", "limit=abc", "limit=101", "offset=-1"])
def test_list_bounds_are_400s(personas, query):
    response = personas["viewer"].client().get(f"/api/v1/memory/documents/?{query}")
    assert response.status_code == 400


def test_a_malformed_namespace_in_a_path_is_a_400(personas):
    assert personas["viewer"].client().get("/doc/Bad%20Space/d").status_code == 400
    assert personas["viewer"].client().get("/api/v1/memory/documents/?namespace=..%2Fx").status_code == 400


def test_ingest_counts_what_it_added_and_a_held_lease_is_respected(db, index_dir):
    add("n", TEXTS[0])
    batch = IngestBatch.objects.create(namespace="n", items=[{"content": TEXTS[0]}, {"content": TEXTS[1]}])
    IngestBatch.objects.filter(pk=batch.pk).update(lease_until=timezone.now() + timedelta(minutes=5))
    assert embeddings.ingest_batch_run(batch_id=batch.pk).status == "pending"  # someone else holds it
    IngestBatch.objects.filter(pk=batch.pk).update(lease_until=None)
    done = embeddings.ingest_batch_run(batch_id=batch.pk)
    assert (done.status, done.added, done.duplicates, done.chunks_done) == ("completed", 1, 1, 1)
    assert embeddings.ingest_batch_run(batch_id=batch.pk).added == 1  # finished: a rerun changes nothing


def test_search_fills_its_limit_when_the_best_hits_were_deleted_elsewhere(db, index_dir):
    add("n", "Paris is in France.", "Paris has the Louvre.", "The Seine flows through Paris.", "Bananas.")
    indexes.index_for("n")
    Embedding.objects.filter(content__startswith="Paris").update(deleted_at=timezone.now())  # not yet seen
    hits = embeddings.embeddings_search(query="Paris", namespace="n", limit=2)
    assert len(hits) == 2 and all(not row.content.startswith("Paris") for row, _ in hits)


def test_context_copes_with_a_session_whose_data_is_not_an_object(db, index_dir):
    session, _ = sessions.session_put(namespace="session_memory", session_id="s", user_id="agent-1")
    type(session).objects.filter(pk=session.pk).update(data=["an admin saved a list"])
    built = context.context_build(agent="agent-1", query="anything")
    assert "an admin saved a list" in built["context"]
