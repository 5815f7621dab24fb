"""Documents: create or replace, read, list, delete, text search (PostgreSQL's full-text search there), and
their embedding kept in step with their content."""

import pytest
from django.db import connection

from core.errors import Invalid, NotFound
from memoryhub.models import Document, Embedding
from memoryhub.services import documents, embeddings


@pytest.fixture
def library(db, index_dir):
    documents.document_put(
        namespace="kb", doc_id="tides", title="Tides", content="Tides are caused mainly by the gravity of the Moon."
    )
    documents.document_put(
        namespace="kb",
        doc_id="bread",
        title="Baking bread",
        content="Dough rises because yeast produces carbon dioxide.",
    )
    documents.document_put(
        namespace="other", doc_id="moon", title="The Moon", content="The Moon orbits the Earth every 27 days."
    )


def test_text_search_finds_every_word_and_filters_by_namespace(library):
    found = {d.doc_id for d in documents.documents_search(text="Moon")}
    assert found == {"tides", "moon"}
    assert [d.doc_id for d in documents.documents_search(text="Moon", namespace="kb")] == ["tides"]
    assert [d.doc_id for d in documents.documents_search(text="yeast dough")] == ["bread"]
    assert list(documents.documents_search(text="volcano")) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's full-text search: CI's database")
def test_on_postgresql_search_is_full_text_with_stemming_and_title_weight(library):
    assert [d.doc_id for d in documents.documents_search(text="baked")] == ["bread"]  # bake ~ baking
    assert [d.doc_id for d in documents.documents_search(text="moon")] == ["moon", "tides"]  # title first


def test_replacing_a_document_replaces_its_embedding(library):
    before = Embedding.objects.get(namespace="kb", doc_id="tides", deleted_at__isnull=True)
    _, created = documents.document_put(namespace="kb", doc_id="tides", content="Tides follow the Moon and Sun.")
    assert not created and Document.objects.get(namespace="kb", doc_id="tides").title == ""
    now = Embedding.objects.get(namespace="kb", doc_id="tides", deleted_at__isnull=True)
    assert now.pk != before.pk and now.content == "Tides follow the Moon and Sun."
    [(hit, _)] = embeddings.embeddings_search(query="What causes tides?", namespace="kb", limit=1)
    assert hit.pk == now.pk


def test_deleting_a_document_tombstones_its_embedding(library):
    documents.document_delete(namespace="kb", doc_id="tides")
    assert not Document.objects.filter(doc_id="tides").exists()
    assert not Embedding.objects.filter(doc_id="tides", deleted_at__isnull=True).exists()
    with pytest.raises(NotFound):
        documents.document_get(namespace="kb", doc_id="tides")


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"namespace": "Bad Space", "doc_id": "d", "content": "c"}, "namespace"),
        ({"namespace": "kb", "doc_id": "", "content": "c"}, "doc_id"),
        ({"namespace": "kb", "doc_id": "d", "content": "  "}, "content"),
        ({"namespace": "kb", "doc_id": "d", "content": "c", "metadata": [1]}, "metadata"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(db, index_dir, kwargs, field):
    with pytest.raises(Invalid) as refused:
        documents.document_put(**kwargs)
    assert field in refused.value.details and not Document.objects.exists() and not Embedding.objects.exists()


def test_the_list_is_paginated(personas, library):
    page = personas["viewer"].client().get("/api/v1/memory/documents/?limit=2").json()
    assert page["count"] == 3 and len(page["results"]) == 2 and page["next"]
    assert personas["viewer"].client().get("/api/v1/memory/documents/?q=Moon&namespace=kb").json()["count"] == 1
