"""Embeddings: real MiniLM vectors in the database, deduplicated per namespace, searched through the index,
tombstoned and compacted, and an index that is rebuilt from the database when missing or stale."""

import numpy as np
import pytest
from django.db import transaction
from django.utils import timezone

from core.errors import Invalid, NotFound
from memoryhub import embedder
from memoryhub.models import Embedding
from memoryhub.services import embeddings, indexes

FACTS = [
    "The Eiffel Tower is in Paris.",
    "Photosynthesis turns sunlight into chemical energy in plants.",
    "Python lists are mutable sequences.",
    "The mitochondria is the powerhouse of the cell.",
    "Redis keeps its data in memory.",
]


def add(namespace, *texts, **extra):
    return embeddings.embeddings_add(namespace=namespace, items=[{"content": t, **extra} for t in texts])


def test_vectors_are_real_normalised_minilm_embeddings_that_rank_by_meaning(db, index_dir):
    add("facts", *FACTS)
    row = Embedding.objects.get(content=FACTS[0])
    vector = embedder.from_bytes(bytes(row.vector))
    assert vector.shape == (384,) and abs(float(np.linalg.norm(vector)) - 1) < 1e-5
    assert row.embedding_id == f"facts:{embeddings.content_hash(FACTS[0])[:16]}"  # the originals' id
    [(best, similarity), *_] = embeddings.embeddings_search(query="Where is the Eiffel tower?", namespace="facts")
    assert best.content == FACTS[0] and similarity > 0.5
    hits = embeddings.embeddings_search(query="cell biology energy", namespace="facts", limit=2)
    assert {row.content for row, _ in hits} <= set(FACTS[1:4]) and hits[0][1] >= hits[1][1]


def test_the_same_content_is_stored_once_per_namespace(db, index_dir):
    first = add("facts", FACTS[0], FACTS[0])
    assert [created for _, created in first] == [True, False] and first[0][0].pk == first[1][0].pk
    again = add("facts", FACTS[0])
    assert again[0][1] is False and Embedding.objects.filter(namespace="facts").count() == 1
    add("other", FACTS[0])  # another namespace keeps its own copy
    assert Embedding.objects.count() == 2


def test_namespace_filter_limit_and_minimum_similarity(db, index_dir):
    add("a", *FACTS)
    add("b", "Paris is the capital of France.")
    everywhere = embeddings.embeddings_search(query="Paris", limit=10)
    assert {row.namespace for row, _ in everywhere} == {"a", "b"}
    only_b = embeddings.embeddings_search(query="Paris", namespace="b")
    assert [row.namespace for row, _ in only_b] == ["b"]
    assert len(embeddings.embeddings_search(query="Paris", namespace="a", limit=2)) == 2
    strict = embeddings.embeddings_search(query="Paris", namespace="a", min_similarity=0.99)
    assert strict == []


def test_a_deleted_embedding_is_never_found_and_compaction_removes_it(db, index_dir):
    [(row, _)] = add("facts", FACTS[0])
    add("facts", *FACTS[1:])
    embeddings.embedding_delete(embedding_id=row.embedding_id)
    assert all(
        hit.pk != row.pk for hit, _ in embeddings.embeddings_search(query="Eiffel Tower Paris", namespace="facts")
    )
    with pytest.raises(NotFound):
        embeddings.embedding_get(embedding_id=row.embedding_id)
    from datetime import timedelta

    assert embeddings.embeddings_compact(older_than=timedelta(0)) == 1
    assert not Embedding.objects.filter(pk=row.pk).exists()
    assert len(indexes.index_for("facts")) == len(FACTS) - 1


def test_the_index_is_persisted_and_rebuilt_when_missing(db, index_dir, caplog):
    add("facts", *FACTS)
    embeddings.embeddings_search(query="Paris", namespace="facts")
    path = index_dir / "facts.usearch"
    assert path.exists()  # built from scratch: written at once
    indexes.indexes_forget()
    path.unlink()  # lost: rebuilt from the database, the truth
    with caplog.at_level("INFO", logger="memoryhub.services.indexes"):
        assert len(indexes.index_for("facts")) == len(FACTS) and path.exists()
    assert "rebuilt the facts index" in caplog.text


def another_process_adds(namespace, text):
    """A row written by someone else: this process's index has not seen it."""
    digest = embeddings.content_hash(text)
    with transaction.atomic():  # what every writer does: the row and the namespace's version together
        row = Embedding.objects.create(
            embedding_id=f"{namespace}:{digest[:16]}",
            namespace=namespace,
            content_hash=digest,
            content=text,
            vector=embedder.to_bytes(embedder.embed([text])[0]),
        )
        indexes.namespace_bump(namespace)
    return row


def test_a_stale_index_catches_up_with_the_database_without_a_rebuild(db, index_dir, caplog):
    add("facts", *FACTS)
    indexes.index_for("facts")
    another_process_adds("facts", "Mount Everest is the highest mountain.")
    gone = Embedding.objects.get(content=FACTS[1])
    with transaction.atomic():  # deleted elsewhere too
        Embedding.objects.filter(pk=gone.pk).update(deleted_at=timezone.now())
        indexes.namespace_bump("facts")
    caplog.clear()
    with caplog.at_level("INFO", logger="memoryhub.services.indexes"):
        [(best, _), *_] = embeddings.embeddings_search(query="highest mountain on earth", namespace="facts")
    assert best.content.startswith("Mount Everest")
    assert "caught the facts index up with the database: 1 added, 1 removed" in caplog.text
    assert "rebuilt" not in caplog.text
    assert gone.pk not in indexes.index_for("facts") and len(indexes.index_for("facts")) == len(FACTS)

    # A new process finds the file older than the database, and catches up the same way.
    indexes.indexes_save()
    indexes.indexes_forget()
    another_process_adds("facts", "The Pacific is the largest ocean.")
    caplog.clear()
    with caplog.at_level("INFO", logger="memoryhub.services.indexes"):
        assert len(indexes.index_for("facts")) == len(FACTS) + 1
    assert "1 added, 0 removed" in caplog.text and "rebuilt" not in caplog.text


@pytest.mark.parametrize(
    "items, field",
    [
        ([], "items"),
        ([{"content": "   "}], "content"),
        ([{"content": "ok", "metadata": [1]}], "metadata"),
    ],
)
def test_bad_items_are_refused_and_nothing_is_stored(db, index_dir, items, field):
    with pytest.raises(Invalid) as refused:
        embeddings.embeddings_add(namespace="facts", items=items)
    assert field in refused.value.details and not Embedding.objects.exists()


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"query": ""}, "query"),
        ({"query": "x", "limit": 0}, "limit"),
        ({"query": "x", "limit": 101}, "limit"),
        ({"query": "x", "min_similarity": 2}, "min_similarity"),
    ],
)
def test_bad_searches_are_refused(db, index_dir, kwargs, field):
    with pytest.raises(Invalid) as refused:
        embeddings.embeddings_search(**kwargs)
    assert field in refused.value.details


def test_operators_rebuild_indexes_on_demand(personas, index_dir, capsys):
    from django.core.management import call_command

    add("facts", *FACTS)
    add("other", "Paris is the capital of France.")
    assert (
        personas["agent"].client().post("/api/v1/memory/embeddings/rebuild-index", {}, format="json").status_code == 403
    )
    response = personas["operator"].client().post("/api/v1/memory/embeddings/rebuild-index", {}, format="json")
    assert response.json() == {"rebuilt": {"facts": len(FACTS), "other": 1}}
    (index_dir / "facts.usearch").unlink()
    call_command("rebuild_memory_index", "--namespace", "facts")
    assert "facts: 5 vectors" in capsys.readouterr().out and (index_dir / "facts.usearch").exists()


def test_unsaved_index_changes_are_written_at_exit(db, index_dir, django_capture_on_commit_callbacks):
    from memoryhub.vector_index import VectorIndex

    add("facts", *FACTS)
    indexes.index_for("facts")  # built and written
    with django_capture_on_commit_callbacks(execute=True):
        add("facts", "A fresh memory, not yet written.")  # held in memory, not due for a save yet
    path = index_dir / "facts.usearch"
    assert len(VectorIndex.load(path)[0]) == len(FACTS)
    assert indexes.indexes_save() == ["facts"]  # what a clean stop runs (registered with atexit)
    assert len(VectorIndex.load(path)[0]) == len(FACTS) + 1
